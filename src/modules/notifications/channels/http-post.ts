import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DestinationRefused, type DestinationGuard } from './destination-guard';
import { clipError, type SendOutcome } from './send-outcome';

/**
 * POSTs a JSON body through the destination guard, with a hard timeout. Only 2xx counts; redirects
 * are not followed (a POST silently re-sent elsewhere is not a delivery), and no exception escapes.
 * Only the status code is kept: the remote body is never read, so it cannot reach the delivery
 * log (an internal service's answer shown to whoever created the channel).
 */
export async function postJson(
  guard: DestinationGuard,
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<SendOutcome> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  const target = URL.canParse(url) ? new URL(url) : undefined;
  if (!target || (target.protocol !== 'http:' && target.protocol !== 'https:')) return refused('not an http:// or https:// URL');
  const literal = guard.refusalOfLiteral(target);
  if (literal) return refused(literal);
  try {
    const status = await post(guard, target, body, headers, timeoutMs);
    const ok = status >= 200 && status < 300;
    return { ok, responseCode: status, latencyMs: latency(), error: ok ? null : `HTTP ${status}` };
  } catch (error) {
    if (error instanceof DestinationRefused) return refused(error.reason, latency());
    // The agent's own refusal, a second line behind the guard's lookup (their policies agree).
    if (error instanceof Error && /^DNS lookup .* is not allowed/.test(error.message)) return refused('address not allowed', latency());
    return { ok: false, responseCode: null, latencyMs: latency(), error: clipError(describeError(error, timeoutMs)) };
  }
}

/** A destination the guard refuses: no request was made, and another attempt would not change it. */
export const refused = (reason: string, latencyMs = 0): SendOutcome => ({
  ok: false,
  responseCode: null,
  latencyMs,
  error: clipError(`refused: ${reason}`),
  permanent: true,
});

function post(guard: DestinationGuard, target: URL, body: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'linkedin-outreach-notifications/1',
          ...headers,
          'content-length': String(Buffer.byteLength(body)),
        },
        ...guard.requestOptions(target),
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        resolve(res.statusCode ?? 0);
        // The status is all we keep; the connection is not reused, so close it without reading on.
        res.destroy();
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A short status line: never a remote answer, never more than a code for network errors. */
function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `timed out after ${timeoutMs} ms`;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `connection failed: ${code}` : 'connection failed';
}
