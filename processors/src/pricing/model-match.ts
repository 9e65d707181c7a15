/**
 * Compiles genai-prices match logic (`{ starts_with: "acme-" }`, `{ or: [...] }`) into a predicate,
 * once, when the price file loads: the same semantics as the catalog's matcher (case-insensitive
 * string tests; regexes as written, tested against the lower-cased id), without building a RegExp
 * on every lookup.
 */
import type { MatchLogic } from '@pydantic/genai-prices';

export type ModelMatcher = (lowerCaseModelId: string) => boolean;

export function compileMatch(match: MatchLogic): ModelMatcher {
  if ('and' in match) {
    const all = match.and.map(compileMatch);
    return (id) => all.every((m) => m(id));
  }
  if ('or' in match) {
    const any = match.or.map(compileMatch);
    return (id) => any.some((m) => m(id));
  }
  if ('equals' in match) {
    const s = match.equals.toLowerCase();
    return (id) => id === s;
  }
  if ('starts_with' in match) {
    const s = match.starts_with.toLowerCase();
    return (id) => id.startsWith(s);
  }
  if ('ends_with' in match) {
    const s = match.ends_with.toLowerCase();
    return (id) => id.endsWith(s);
  }
  if ('contains' in match) {
    const s = match.contains.toLowerCase();
    return (id) => id.includes(s);
  }
  const pattern = new RegExp(match.regex);
  return (id) => pattern.test(id);
}
