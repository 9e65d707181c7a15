/**
 * The tokens of the filter text, scanned on demand by the parser (filter-parser.ts): words
 * (field names and keywords), strings, numbers and punctuation, each with its 0-based offset.
 * On demand rather than all at once because a property name after `property.` is read with its
 * own rule (it may hold `-`, digits first, or anything when quoted).
 *
 * Strings take double or single quotes; escapes: \\ \" \' \n \r \t \0 \uXXXX (anything else is an
 * error, so that a value is never silently different from what was typed).
 */
import { FilterError } from './filter-expression.js';
import { quoted } from './filter-messages.js';

export type Token =
  | { kind: 'end'; pos: number }
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; raw: string; pos: number }
  | { kind: 'punct'; text: string; pos: number };

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
/** What may not follow a number directly: `2026-11-23` or `10ms` are not numbers. */
const AFTER_NUMBER = /[A-Za-z0-9_.:-]/;
const PUNCT = /!=|>=|<=|[()=<>,.]/y;
/** A bare property name: anything up to whitespace, an operator, a parenthesis, a comma or a quote. */
const PROPERTY_NAME = /[^\s()=!<>,"']+/y;
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n', r: '\r', t: '\t', '0': '\0' };

export function fail(pos: number, what: string, found?: string, hint?: string): FilterError {
  return new FilterError(`${what} at ${pos}${found === undefined ? '' : `, found ${found}`}${hint === undefined ? '' : ` (${hint})`}`, pos);
}

export class FilterLexer {
  private pos = 0;
  private peeked?: Token;

  constructor(readonly text: string) {}

  peek(): Token {
    this.peeked ??= this.scan();
    return this.peeked;
  }

  next(): Token {
    const token = this.peek();
    this.peeked = undefined;
    return token;
  }

  /** Consumes `char` when it follows the last token directly, no whitespace skipped (`property` + `.`). */
  takeChar(char: string): boolean {
    if (this.peeked || this.text.charAt(this.pos) !== char) return false;
    this.pos++;
    return true;
  }

  /** After `property.`: a quoted name or a bare one; undefined when there is none. */
  propertyName(): { name: string; pos: number } | undefined {
    const start = this.pos;
    const quote = this.text.charAt(start);
    if (quote === '"' || quote === "'") return { name: this.string(start), pos: start };
    PROPERTY_NAME.lastIndex = start;
    const m = PROPERTY_NAME.exec(this.text);
    if (!m) return undefined;
    this.pos = start + m[0].length;
    return { name: m[0], pos: start };
  }

  private scan(): Token {
    const text = this.text;
    while (this.pos < text.length && /\s/.test(text.charAt(this.pos))) this.pos++;
    const pos = this.pos;
    if (pos >= text.length) return { kind: 'end', pos };
    const c = text.charAt(pos);
    if (c === '"' || c === "'") return { kind: 'string', value: this.string(pos), pos };
    const word = this.sticky(WORD);
    if (word !== undefined) return { kind: 'word', text: word, pos };
    const number = this.sticky(NUMBER);
    if (number !== undefined) {
      if (AFTER_NUMBER.test(text.charAt(this.pos))) {
        throw fail(pos, 'invalid number', JSON.stringify(text.slice(pos, this.pos + 1)), 'strings and times are quoted: "2026-11-23"');
      }
      return { kind: 'number', value: Number(number), raw: number, pos };
    }
    const punct = this.sticky(PUNCT);
    if (punct !== undefined) return { kind: 'punct', text: punct, pos };
    throw fail(pos, 'unexpected character', JSON.stringify(String.fromCodePoint(text.codePointAt(pos) ?? 0)));
  }

  private sticky(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const m = pattern.exec(this.text);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  /** The string literal opening at `start`; leaves `pos` after its closing quote. */
  private string(start: number): string {
    const text = this.text;
    const quote = text.charAt(start);
    let value = '';
    let i = start + 1;
    for (;;) {
      // Copy the run up to the next quote or backslash at once: values may be long.
      let j = i;
      while (j < text.length && text.charAt(j) !== quote && text.charAt(j) !== '\\') j++;
      value += text.slice(i, j);
      if (j >= text.length) throw fail(start, 'unterminated string', undefined, `close it with ${quote}`);
      if (text.charAt(j) === quote) {
        this.pos = j + 1;
        return value;
      }
      const e = text.charAt(j + 1);
      if (e === 'u') {
        const hex = text.slice(j + 2, j + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw fail(j, 'invalid escape', JSON.stringify(text.slice(j, j + 6)), 'write \\u followed by 4 hex digits');
        value += String.fromCharCode(parseInt(hex, 16));
        i = j + 6;
      } else if (Object.hasOwn(ESCAPES, e)) {
        value += ESCAPES[e];
        i = j + 2;
      } else {
        throw fail(j, 'unknown escape', j + 1 < text.length ? JSON.stringify(`\\${e}`) : 'end of filter', 'write \\\\ for a backslash');
      }
    }
  }
}

export function isWord(token: Token, keyword: string): boolean {
  return token.kind === 'word' && token.text.toLowerCase() === keyword;
}

/** The token as an error message names what was found. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the filter';
    case 'word':
      return quoted(token.text);
    case 'string':
      return `the string ${quoted(token.value)}`;
    case 'number':
      return token.raw;
    case 'punct':
      return `"${token.text}"`;
  }
}
