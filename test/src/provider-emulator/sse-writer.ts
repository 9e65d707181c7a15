// Formats Server-Sent Events as providers send them (WHATWG HTML §9.2 "Server-sent events"):
// optional `event:` line, one `data:` line per payload line, blank line terminator. Gemini ends
// lines with CRLF, the others with LF; both are legal and parsers must handle both.

export interface SseEventOptions {
  /** The `event:` field; omitted when undefined (OpenAI chat, Gemini). */
  event?: string;
  /** Line terminator; `\n` by default, `\r\n` for Gemini. */
  lineEnding?: '\n' | '\r\n';
}

/** One SSE event; objects are JSON-encoded on a single line, strings are sent as-is. */
export function sseEvent(data: unknown, options: SseEventOptions = {}): string {
  const eol = options.lineEnding ?? '\n';
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  const lines: string[] = [];
  if (options.event !== undefined) lines.push(`event: ${options.event}`);
  for (const line of payload.split(/\r\n|\r|\n/)) lines.push(`data: ${line}`);
  return lines.join(eol) + eol + eol;
}
