/**
 * Strings that would change a statement if they ever reached its text: quote and backslash
 * escapes, comments, statement ends, format clauses, query-parameter syntax (`{p0:String}`), the
 * TSV null marker `\N` of parameter values, control characters, NUL, right-to-left marks,
 * non-Latin text, and lengths up to the filter's limit. The injection tests send each as a value
 * and as a property name: compiled, the SQL text must not contain it; run on the engine, it must
 * match exactly the rows that hold it.
 */
export const HOSTILE_STRINGS: readonly string[] = [
  "x' OR 1=1 --",
  "x' OR '1'='1",
  "'",
  "\\'",
  '\\',
  '\\\\',
  "'); DROP TABLE spans; --",
  "x'; DROP TABLE spans; SELECT '",
  "C:\\path\\'quote",
  '` OR 1 --',
  '" OR ""="',
  '%_*?',
  '日本語 🎉 é',
  'nul\0byte',
  '\0',
  '\u202e\u200b',
  'line\nbreak\r\ttab',
  '/* comment */',
  "x' FORMAT JSON --",
  "a') OR ('1",
  '{p0:String}',
  '{p1:Identifier}',
  '}',
  '\\N',
  `${"\\'".repeat(500)}`,
  'a'.repeat(2000),
];
