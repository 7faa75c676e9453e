import { type KeyObject, createHmac, createSecretKey } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import jwt from 'jsonwebtoken';
import type { AuthService } from '../auth';
import type { Viewer } from '../../core/graphql/viewer';

export const SESSION_COOKIE = 'outreach_jobs_session';
export const SESSION_PATH = '/admin/jobs';
/** A dashboard session lasts this long at most (and never beyond the bearer token it came from). */
export const SESSION_TTL_MS = 30 * 60_000;

const AUDIENCE = 'job-dashboard';
const ALGORITHM = 'HS256';

/**
 * The dashboard's browser session: a short-lived HS256 token in an HttpOnly cookie. It is signed
 * with a key derived from JWT_SECRET (not JWT_SECRET itself), so it is never accepted as an API
 * bearer token, and an API token is never accepted as a session. It carries the workspace's and
 * the user's token versions: revokeAllTokens, a password, role or operator change, deactivation
 * (or a new JWT_SECRET) end dashboard sessions too. Who the user is and whether they are an
 * operator are read from the database on every request, so a demoted or deleted operator is out at once.
 */
export class JobDashboardSessions {
  private readonly key: KeyObject;
  private readonly issuer: string;

  constructor(
    private readonly auth: Pick<AuthService, 'sessionViewer'>,
    opts: { jwtSecret: string; issuer: string },
  ) {
    this.key = createSecretKey(createHmac('sha256', opts.jwtSecret).update('outreach/job-dashboard-session/v1').digest());
    this.issuer = opts.issuer;
  }

  /** A session for a verified bearer token's claims, ending at the earlier of the TTL and the token's expiry. */
  issue(claims: { sub: string; wid: string; tv: number; uv: number; exp: number }, now = Date.now()): { token: string; expiresAt: Date } {
    const exp = Math.min(Math.floor((now + SESSION_TTL_MS) / 1000), claims.exp);
    const token = jwt.sign({ wid: claims.wid, tv: claims.tv, uv: claims.uv, exp }, this.key, {
      algorithm: ALGORITHM,
      subject: claims.sub,
      issuer: this.issuer,
      audience: AUDIENCE,
    });
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The viewer behind a session cookie value, or undefined (forged, expired, revoked, user gone). */
  async viewer(token: string): Promise<Viewer | undefined> {
    let payload: jwt.JwtPayload;
    try {
      const verified = jwt.verify(token, this.key, { algorithms: [ALGORITHM], issuer: this.issuer, audience: AUDIENCE });
      if (typeof verified !== 'object') return undefined;
      payload = verified;
    } catch {
      return undefined;
    }
    const uv = payload.uv === undefined ? 1 : payload.uv;
    if (!payload.sub || typeof payload.wid !== 'string' || !Number.isInteger(payload.tv) || !Number.isInteger(uv) || !payload.exp) return undefined;
    // The same check AuthService.authenticate makes for bearer tokens: the user still exists in that
    // workspace, is active, and neither the workspace's nor the user's tokens were revoked since.
    return this.auth.sessionViewer({
      userId: payload.sub,
      workspaceId: payload.wid,
      tokenVersion: payload.tv,
      userTokenVersion: uv,
      expiresAt: new Date(payload.exp * 1000),
    });
  }
}

/** The session cookie's attributes (with a Max-Age when set): this path only, no script access, never sent cross-site. */
export const SESSION_COOKIE_OPTIONS = {
  path: SESSION_PATH,
  httpOnly: true,
  sameSite: 'strict',
  // Secure when the request came over HTTPS (as seen through TRUST_PROXY).
  secure: 'auto',
} as const satisfies CookieSerializeOptions;
