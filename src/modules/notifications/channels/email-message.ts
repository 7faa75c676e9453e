import { describe, type NotificationContent } from '../notification-content';

export type EmailMessage = { subject: string; text: string; html: string };

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The same facts as plain text and as simple, inline-styled HTML (mail clients ignore style sheets). */
export function renderEmail(content: NotificationContent): EmailMessage {
  const { title, facts } = describe(content);
  const replyText = content.reply?.text ?? null;
  const text = [
    title,
    '',
    ...facts.map(([label, value]) => `${label}: ${value}`),
    ...(replyText !== null ? ['', 'Message:', ...replyText.split('\n').map((line) => `> ${line}`)] : []),
    ...(content.link ? ['', content.link] : []),
    '',
    `Event ${content.eventId} at ${content.occurredAt}`,
  ].join('\n');
  const rows = facts
    .map(([label, value]) => `<tr><td style="padding:2px 12px 2px 0;color:#666">${escapeHtml(label)}</td><td>${escapeHtml(value)}</td></tr>`)
    .join('');
  const html = [
    `<div style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">`,
    `<h2 style="font-size:18px;margin:0 0 12px">${escapeHtml(title)}</h2>`,
    rows ? `<table style="border-collapse:collapse;margin-bottom:12px">${rows}</table>` : '',
    replyText !== null
      ? `<blockquote style="margin:0 0 12px;padding:8px 12px;border-left:3px solid #0a66c2;background:#f3f6f8;white-space:pre-wrap">${escapeHtml(replyText)}</blockquote>`
      : '',
    content.link ? `<p><a href="${escapeHtml(content.link)}">${escapeHtml(content.link)}</a></p>` : '',
    `<p style="color:#999;font-size:12px">Event ${escapeHtml(content.eventId)} at ${escapeHtml(content.occurredAt)}</p>`,
    `</div>`,
  ].join('');
  return { subject: title, text, html };
}
