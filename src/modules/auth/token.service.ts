import { type KeyObject, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Role } from '../../core/graphql/viewer';

// tv: the workspace's token version when the token was issued; bumping it revokes every older token.
// uv: the user's own token version, likewise for that user alone. role and op (operator) are
// informational for clients: every request reads both from the database.
export type TokenClaims = { sub: string; wid: string; role: Role; op: boolean; email: string; tv: number; uv: number };
export type IssuedToken = { token: string; expiresAt: Date };

const ALGORITHM = 'HS256';

/** Signs and verifies session JWTs: HS256 only, with issuer and expiry always checked. */
export class TokenService {
  // Built once: given the secret as a string, jsonwebtoken first tries to parse it as a PEM public
  // key on every call and only then makes a secret key of it (~1 ms of failed parsing per request).
  private readonly key: KeyObject;

  constructor(private readonly opts: { secret: string; issuer: string; expiresIn: string }) {
    this.key = createSecretKey(Buffer.from(opts.secret, 'utf8'));
  }

  issue(claims: TokenClaims): IssuedToken {
    const token = jwt.sign({ wid: claims.wid, role: claims.role, op: claims.op, email: claims.email, tv: claims.tv, uv: claims.uv }, this.key, {
      algorithm: ALGORITHM,
      subject: claims.sub,
      issuer: this.opts.issuer,
      expiresIn: this.opts.expiresIn as jwt.SignOptions['expiresIn'],
    });
    const { exp } = jwt.decode(token) as { exp: number };
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** Returns the claims of a valid token, or undefined for anything forged, expired or malformed. */
  verify(token: string): (TokenClaims & { exp: number }) | undefined {
    try {
      const payload = jwt.verify(token, this.key, { algorithms: [ALGORITHM], issuer: this.opts.issuer });
      if (typeof payload !== 'object' || !payload.sub || typeof payload.wid !== 'string' || !payload.exp) return undefined;
      if (payload.role !== Role.ADMIN && payload.role !== Role.MEMBER) return undefined;
      // Tokens signed before versions existed count as version 1, the version everything starts at.
      const tv = payload.tv === undefined ? 1 : payload.tv;
      const uv = payload.uv === undefined ? 1 : payload.uv;
      if (!isVersion(tv) || !isVersion(uv)) return undefined;
      return { sub: payload.sub, wid: payload.wid, role: payload.role, op: payload.op === true, email: String(payload.email), tv, uv, exp: payload.exp };
    } catch {
      return undefined;
    }
  }
}

const isVersion = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** The token in `Bearer <token>` (or a bare token), as sent in a header or connectionParams. */
export function bearerToken(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match ? match[1] : value.trim() || undefined;
}
