/**
 * E-mail over SMTP with nodemailer, one transport per collector (`alerts.smtp`): a plain-text
 * and an HTML body, the notification's JSON attached for programs. A 5xx answer of the server
 * (an address refused) is permanent; anything else (connection, 4xx) is retried.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { EmailChannel } from '../alert-rule.js';
import type { AlertNotification } from '../notification.js';
import { ChannelError } from './channel-error.js';

export interface SmtpConfig {
  /** Empty: e-mail channels fail (permanently) with a message saying smtp is not configured. */
  host: string;
  port: number;
  /** TLS from the start (port 465); false: STARTTLS when the server offers it. */
  secure: boolean;
  username: string;
  password: string;
  from: string;
}

export class EmailSender {
  private transport: Transporter | undefined;

  constructor(private readonly config: SmtpConfig) {}

  async send(n: AlertNotification, channel: EmailChannel): Promise<void> {
    if (!this.config.host) throw new ChannelError('e-mail channel: alerts.smtp.host is not configured', true);
    this.transport ??= nodemailer.createTransport({
      host: this.config.host,
      port: this.config.port,
      secure: this.config.secure,
      auth: this.config.username ? { user: this.config.username, pass: this.config.password } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    try {
      await this.transport.sendMail({
        from: this.config.from,
        to: channel.to,
        subject: `${n.title}: ${n.message}`.slice(0, 200),
        text: emailText(n),
        html: emailHtml(n),
        headers: { 'X-Tokentrace-Alert': n.rule.id, 'X-Tokentrace-Event': n.event },
        attachments: [{ filename: 'alert.json', content: JSON.stringify(n, null, 2), contentType: 'application/json' }],
      });
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      throw new ChannelError(`e-mail to ${channel.to.join(', ')} failed: ${(err as Error).message}`, code !== undefined && code >= 500, { cause: err });
    }
  }

  close(): void {
    this.transport?.close();
  }
}

export function emailText(n: AlertNotification): string {
  const findings = n.findings.length > 0 ? `\nWhy:\n${n.findings.map((f) => `- ${f.summary}`).join('\n')}\n` : '';
  return `${n.message}\n${findings}\nAlert: ${n.dashboardUrl}\nRequests: ${n.requestsUrl}\n\nRule ${n.rule.name} (${n.rule.id}), project ${n.projectId}, ${n.event} at ${n.time}.\n`;
}

function emailHtml(n: AlertNotification): string {
  const e = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const findings = n.findings.length > 0 ? `<p><b>Why</b></p><ul>${n.findings.map((f) => `<li>${e(f.summary)}</li>`).join('')}</ul>` : '';
  return `<p>${e(n.message)}</p>${findings}<p><a href="${e(n.dashboardUrl)}">Alert in the dashboard</a> · <a href="${e(n.requestsUrl)}">Requests</a></p><p style="color:#666">Rule ${e(n.rule.name)} (${e(n.rule.id)}), project ${e(n.projectId)}, ${n.event} at ${n.time}.</p>`;
}
