/** What one attempt on any channel came to; the delivery log stores it as is. */
export type SendOutcome = {
  ok: boolean;
  /** HTTP status, or the SMTP reply code. */
  responseCode: number | null;
  latencyMs: number;
  /** A short status line (`HTTP 500`, `timed out after 10000 ms`, `refused: …`), never a remote body. */
  error: string | null;
  /** Another attempt cannot succeed (a refused destination): the delivery fails at once. */
  permanent?: boolean;
};

const ERROR_MAX = 500;

export const clipError = (message: string): string => (message.length > ERROR_MAX ? `${message.slice(0, ERROR_MAX - 1)}…` : message);
