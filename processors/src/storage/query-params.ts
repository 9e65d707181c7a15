/**
 * Every value a statement compares with goes to ClickHouse as a query parameter
 * (`{p0:String}` in the text, the value beside it in `query_params`), never inlined: the text of
 * a statement is made only of identifiers and SQL written in this repository.
 */
export class QueryParams {
  readonly values: Record<string, unknown> = {};
  private next = 0;

  /** The placeholder for `value` as ClickHouse type `type` (e.g. `String`, `Int64`, `Array(String)`). */
  bind(type: string, value: unknown): string {
    const name = `p${this.next++}`;
    this.values[name] = value;
    return `{${name}:${type}}`;
  }
}
