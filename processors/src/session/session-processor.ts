/**
 * Derives each span's place in its session (`span.session`): the session id and name, and the
 * step's normalized path, parent path and depth. Together with parent span ids this lets a
 * session be rebuilt as a tree even when it spans many traces and processes (issue 3, "Session
 * hierarchy"). A span without a session id gets no session fields.
 */
import type { SpanProcessor } from '../pipeline/processor.js';
import type { SessionFields, SpanRecord } from '../pipeline/span-record.js';
import { normalizeSpan } from '../normalization/normalize-span.js';
import { sessionStep } from './session-path.js';

export class SessionProcessor implements SpanProcessor {
  readonly name = 'session';

  process(spans: SpanRecord[]): SpanRecord[] {
    for (const span of spans) {
      const session = sessionFields(span);
      if (session) span.session = session;
      else delete span.session;
    }
    return spans;
  }
}

export function createSessionProcessor(): SessionProcessor {
  return new SessionProcessor();
}

/** Reads the normalized fields; normalizes the span first when no NormalizeProcessor ran. */
export function sessionFields(span: SpanRecord): SessionFields | undefined {
  const genAi = (span.genAi ??= normalizeSpan(span));
  if (genAi.sessionId === undefined) return undefined;
  const fields: SessionFields = { id: genAi.sessionId, ...sessionStep(genAi.sessionPath) };
  if (genAi.sessionName !== undefined) fields.name = genAi.sessionName;
  return fields;
}
