import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signWebhook, verifyWebhookSignature } from '../../src/modules/notifications/channels/webhook-signature';

type Verify = (secret: string, header: string | undefined, rawBody: string, toleranceSeconds?: number) => boolean;

// The recipe exactly as the README documents it, so a wrong snippet fails here.
function readmeRecipe(): Verify {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const block = /<!-- verify-signature:start -->\s*```js\n([\s\S]*?)```\s*<!-- verify-signature:end -->/.exec(readme);
  if (!block) throw new Error('README has no verify-signature snippet');
  return new Function('require', `${block[1]}\nreturn verifyOutreachSignature;`)(require) as Verify;
}

describe('outbound webhook signatures', () => {
  const secret = 'whsec_test-secret-0123456789abcdef0123456789';
  const body = JSON.stringify({ id: '42', type: 'REPLY_RECEIVED', data: { text: 'Héllo, "world"' } });
  const now = () => Math.floor(Date.now() / 1000);
  const verify = readmeRecipe();

  it('should verify with the README recipe when body, timestamp and secret are untouched', () => {
    expect(verify(secret, signWebhook(secret, body, now()), body)).toBe(true);
  });

  it('should fail when the body is altered, even by one character', () => {
    const header = signWebhook(secret, body, now());
    expect(verify(secret, header, body.replace('42', '43'))).toBe(false);
    expect(verify(secret, header, `${body} `)).toBe(false);
  });

  it('should fail when the timestamp is altered, even within the tolerance', () => {
    const t = now();
    const header = signWebhook(secret, body, t).replace(`t=${t}`, `t=${t - 1}`);
    expect(verify(secret, header, body)).toBe(false);
  });

  it('should reject a correctly signed but stale request (older than 5 minutes)', () => {
    const stale = signWebhook(secret, body, now() - 301);
    expect(verify(secret, stale, body)).toBe(false);
    expect(verify(secret, signWebhook(secret, body, now() - 290), body)).toBe(true);
  });

  it('should fail with another secret, a missing header or garbage', () => {
    expect(verify('another-secret-of-enough-length-0000', signWebhook(secret, body, now()), body)).toBe(false);
    expect(verify(secret, undefined, body)).toBe(false);
    expect(verify(secret, 't=abc,v1=zz', body)).toBe(false);
  });

  it('should accept any v1 of the header, as during a secret rotation', () => {
    const t = now();
    const old = signWebhook('old-secret-old-secret-old-secret-0000', body, t).split(',')[1];
    expect(verify(secret, `t=${t},${old},${signWebhook(secret, body, t).split(',')[1]}`, body)).toBe(true);
  });

  it('should agree with the service-side verifier', () => {
    const header = signWebhook(secret, body, 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, header, body, { nowSeconds: 1_700_000_100 })).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, { nowSeconds: 1_700_000_301 })).toBe(false);
    expect(verifyWebhookSignature(secret, header, `${body}x`, { nowSeconds: 1_700_000_100 })).toBe(false);
  });
});
