/**
 * Makes every string that comes out of OTLP decoding storable, and applies the span limits
 * (span-limits.ts), counting what it changed so that the span can say so (issue 10: one span's
 * content must never make storage refuse a batch).
 *
 * - A lone UTF-16 surrogate (legal in OTLP/JSON as `"\ud800"`) becomes U+FFFD: JSON writers
 *   escape it and ClickHouse refuses the escape (CANNOT_PARSE_ESCAPE_SEQUENCE).
 * - Invalid UTF-8 has already become U+FFFD in decoding (Node's UTF-8 decoder); the decoder says
 *   which strings it repaired (Utf8Repairs), so that is counted too.
 * - Too long: cut at the limit (never between the two halves of a surrogate pair).
 *
 * One sanitizer serves one request; `take()` hands over the changes recorded since the last call,
 * so the caller attributes them to a resource, a scope or a span.
 */
import { isUtf8 } from 'node:buffer';
import type { SpanLimits } from './span-limits.js';

/** What was changed, as it appears in the span's `tokentrace.sanitized` mark. */
export type SanitizeAction =
  | 'invalid_utf16_replaced'
  | 'invalid_utf8_replaced'
  | 'values_truncated'
  | 'names_truncated'
  | 'attributes_dropped'
  | 'array_items_dropped'
  | 'events_dropped'
  | 'nested_values_dropped';

export type SanitizeChanges = Partial<Record<SanitizeAction, number>>;

const REPLACEMENT = '\uFFFD';

/** The decoded strings in which invalid UTF-8 was replaced by U+FFFD. */
export class Utf8Repairs {
  private readonly strings = new Set<string>();
  /** Set when the whole body was text that is not UTF-8 (OTLP/JSON): any U+FFFD may be a repair. */
  private wholeBody = false;

  /** Notes a string in which the decoder replaced bytes that were not UTF-8. */
  add(decoded: string): void {
    this.strings.add(decoded);
  }

  checkBody(body: Uint8Array): void {
    if (!isUtf8(body)) this.wholeBody = true;
  }

  get any(): boolean {
    return this.wholeBody || this.strings.size > 0;
  }

  has(value: string): boolean {
    return value.includes(REPLACEMENT) && (this.wholeBody || this.strings.has(value));
  }
}

export interface SanitizerOptions {
  /** The strings the decoder repaired (counted as `invalid_utf8_replaced`). */
  repairs?: Utf8Repairs;
  /**
   * The strings come from Node's UTF-8 decoder (protobuf bodies), which never produces a lone
   * surrogate: the check for them is skipped. OTLP/JSON can carry them (`"\ud800"`).
   */
  wellFormed?: boolean;
}

export class SpanSanitizer {
  private changes: SanitizeChanges | undefined;
  private readonly repairs: Utf8Repairs | undefined;
  private readonly checkSurrogates: boolean;

  constructor(
    readonly limits: SpanLimits,
    options: SanitizerOptions = {},
  ) {
    this.repairs = options.repairs?.any ? options.repairs : undefined;
    this.checkSurrogates = !options.wellFormed;
  }

  /** An attribute value or status message. */
  value(text: string): string {
    return this.text(text, this.limits.maxAttributeValueLength, 'values_truncated');
  }

  /** A span or event name, an attribute key, a scope name or version. */
  name(text: string): string {
    return this.text(text, this.limits.maxNameLength, 'names_truncated');
  }

  count(action: SanitizeAction, n = 1): void {
    if (n <= 0) return;
    const changes = (this.changes ??= {});
    changes[action] = (changes[action] ?? 0) + n;
  }

  /** The changes since the last call (undefined when none), and a fresh start. */
  take(): SanitizeChanges | undefined {
    const changes = this.changes;
    this.changes = undefined;
    return changes;
  }

  private text(text: string, max: number, truncated: SanitizeAction): string {
    if (this.repairs?.has(text)) this.count('invalid_utf8_replaced');
    if (text.length > max) {
      // Do not keep the first half of a pair whose second half is cut off.
      const cut = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
      text = text.slice(0, cut);
      this.count(truncated);
      return text.isWellFormed() ? text : this.replaceLoneSurrogates(text);
    }
    return this.checkSurrogates && !text.isWellFormed() ? this.replaceLoneSurrogates(text) : text;
  }

  private replaceLoneSurrogates(text: string): string {
    this.count('invalid_utf16_replaced');
    return text.toWellFormed();
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** `a` and `b` added up; undefined when both are. */
export function mergeChanges(a: SanitizeChanges | undefined, b: SanitizeChanges | undefined): SanitizeChanges | undefined {
  if (!a || !b) return a ?? b;
  const merged: SanitizeChanges = { ...a };
  for (const [action, n] of Object.entries(b) as [SanitizeAction, number][]) merged[action] = (merged[action] ?? 0) + n;
  return merged;
}

/** The value of `tokentrace.sanitized`: `action:count` entries, sorted, e.g. `["attributes_dropped:198976", "invalid_utf16_replaced:1"]`. */
export function sanitizedMark(changes: SanitizeChanges): string[] {
  return Object.entries(changes)
    .map(([action, n]) => `${action}:${n}`)
    .sort();
}
