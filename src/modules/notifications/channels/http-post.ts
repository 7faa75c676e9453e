import { clipError, type SendOutcome } from './send-outcome';

/**
 * POSTs a JSON body with Node's fetch and a hard timeout. Only 2xx counts; redirects are not
 * followed (a POST silently re-sent elsewhere is not a delivery), and no exception escapes.
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendOutcome> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'linkedin-outreach-notifications/1', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text().catch(() => '');
    const latencyMs = latency();
    if (res.status >= 200 && res.status < 300) return { ok: true, responseCode: res.status, latencyMs, error: null };
    return { ok: false, responseCode: res.status, latencyMs, error: clipError(`HTTP ${res.status}${text ? `: ${text.trim()}` : ''}`) };
  } catch (error) {
    return { ok: false, responseCode: null, latencyMs: latency(), error: clipError(describeFetchError(error, timeoutMs)) };
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `timed out after ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
