/**
 * Slack's incoming-webhook format (api.slack.com/messaging/webhooks): `text` (the fallback shown
 * in notifications) and Block Kit `blocks`: a header, the message, the explainer's findings, and
 * the links to the dashboard.
 */
import type { SlackChannel } from '../alert-rule.js';
import type { AlertNotification } from '../notification.js';
import { postJson } from './channel-error.js';

/** Slack's limit on a section's text. */
const MAX_SECTION = 3000;

export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

export function slackMessage(n: AlertNotification): SlackMessage {
  const icon = n.event === 'resolved' ? ':white_check_mark:' : n.severity === 'critical' ? ':rotating_light:' : n.severity === 'warning' ? ':warning:' : ':information_source:';
  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: `${n.title}`.slice(0, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: `${icon} ${escape(n.message)}`.slice(0, MAX_SECTION) } },
  ];
  if (n.findings.length > 0) {
    const lines = n.findings.slice(0, 5).map((f) => `• ${escape(f.summary)}${f.link ? ` <${f.link}|view>` : ''}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Why*\n${lines.join('\n')}`.slice(0, MAX_SECTION) } });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${n.dashboardUrl}|Alert in the dashboard> · <${n.requestsUrl}|Requests> · project ${escape(n.projectId)} · ${n.event}` }] });
  return { text: `${n.title}: ${n.message}`, blocks };
}

/** Slack's mrkdwn control characters (api.slack.com/reference/surfaces/formatting#escaping). */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export async function sendSlack(notification: AlertNotification, channel: SlackChannel, timeoutMs: number): Promise<void> {
  await postJson(channel.url, JSON.stringify(slackMessage(notification)), {}, timeoutMs);
}
