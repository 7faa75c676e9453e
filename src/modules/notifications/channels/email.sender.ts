import { createTransport, type Transporter } from 'nodemailer';
import type { NotificationContent } from '../notification-content';
import { renderEmail } from './email-message';
import { clipError, type SendOutcome } from './send-outcome';

export type EmailSettings = { smtpUrl: string; from: string; timeoutMs: number };

/** SMTP through nodemailer; one transport per process (it keeps no pool, so nothing to close). */
export class EmailSender {
  private readonly transport: Transporter;

  constructor(private readonly settings: EmailSettings) {
    this.transport = createTransport({
      url: settings.smtpUrl,
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
    });
  }

  async send(recipients: string[], content: NotificationContent): Promise<SendOutcome> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    if (recipients.length === 0) return { ok: false, responseCode: null, latencyMs: 0, error: 'the channel has no recipients' };
    const message = renderEmail(content);
    try {
      const info: { response?: string } = await this.transport.sendMail({
        from: this.settings.from,
        to: recipients,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: { 'X-Outreach-Event': content.eventId },
      });
      return { ok: true, responseCode: smtpCode(info.response), latencyMs: latency(), error: null };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode ?? null;
      return { ok: false, responseCode: code, latencyMs: latency(), error: clipError(error instanceof Error ? error.message : String(error)) };
    }
  }
}

/** "250 2.0.0 OK …" → 250. */
const smtpCode = (response: string | undefined): number | null => {
  const match = /^(\d{3})/.exec(response ?? '');
  return match ? Number(match[1]) : null;
};
