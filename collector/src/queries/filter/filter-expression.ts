/**
 * The filter language's tree, which is also its JSON form for programs: field → operator → value,
 * combined with `and` / `or` / `not`. The text form people type (filter-parser.ts) parses into it:
 *
 *   model = "gpt-4o" and property.Feature = "chat" and cost > 0.01 and user != "test"
 *
 * is
 *
 *   { "and": [
 *       { "model": { "equals": "gpt-4o" } },
 *       { "property.Feature": { "equals": "chat" } },
 *       { "cost": { "gt": 0.01 } },
 *       { "user": { "not-equals": "test" } } ] }
 *
 * A condition object holds exactly one field with exactly one operator. Fields are listed in
 * filter-fields.ts; `property.<Name>` reads a custom property (names compare case-insensitively).
 */

export const FILTER_OPERATORS = ['equals', 'not-equals', 'gt', 'gte', 'lt', 'lte', 'contains', 'not-contains', 'in', 'not-in'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export type FilterValue = string | number | boolean | Array<string | number>;

export type FilterCondition = { [field: string]: { [operator in FilterOperator]?: FilterValue } };

export type FilterExpression = { and: FilterExpression[] } | { or: FilterExpression[] } | { not: FilterExpression } | FilterCondition;

/** Bad filter text or JSON: says where (`position` in the text, or `path` in the JSON) and why. */
export class FilterError extends Error {
  readonly code = 'TOKENTRACE_INVALID_FILTER';
  constructor(
    message: string,
    /** 0-based character offset in the filter text, when parsing text. */
    readonly position?: number,
    /** JSON path of the offending node (`and[2].cost`), when validating JSON. */
    readonly path?: string,
  ) {
    super(message);
    this.name = 'FilterError';
  }
}
