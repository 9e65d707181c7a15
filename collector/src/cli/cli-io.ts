/**
 * Where the query commands write, injected so tests can run a command in-process and read its
 * output, and the one rule for colour (issue 4: "usable with colour off and in pipes"): colour
 * only on a terminal, never with NO_COLOR set (https://no-color.org: present and not empty) or
 * `--no-color`.
 */

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

export function colorWanted(io: CliIo, noColorFlag: boolean | undefined): boolean {
  return io.stdout.isTTY === true && !noColorFlag && !io.env.NO_COLOR;
}

/** Text styles; identity functions when colour is off, so renderers never branch on it. */
export interface Style {
  error(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
  accent(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => (text === '' ? text : `\x1b[${open}m${text}\x1b[${close}m`);
const plain = (text: string) => text;

export function createStyle(color: boolean): Style {
  if (!color) return { error: plain, bold: plain, dim: plain, accent: plain };
  const red = sgr(31, 39);
  const bold = sgr(1, 22);
  return { error: (t) => bold(red(t)), bold, dim: sgr(2, 22), accent: sgr(36, 39) };
}
