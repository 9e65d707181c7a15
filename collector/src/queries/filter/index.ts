/**
 * The filter language of the query layer (issue 4): text people type and the same as JSON for
 * programs, validated into a FilterExpression and compiled into SQL whose values are query parameters
 * and whose shape no input can change. README.md describes the language.
 */
export { FILTER_OPERATORS, FilterError, type FilterCondition, type FilterExpression, type FilterOperator, type FilterValue } from './filter-expression.js';
export { FILTER_FIELDS, PROPERTY_PREFIX, STATUS_VALUES, propertySql, resolveField, type FilterField, type FilterFieldName, type FilterFieldType } from './filter-fields.js';
export { FILTER_LIMITS } from './filter-limits.js';
export { parseFilter } from './filter-parser.js';
export { validateFilter } from './filter-validate.js';
export { compileFilter } from './filter-sql.js';
export { formatFilter } from './filter-format.js';
export { parseFilterInput, isEmptyFilter } from './filter-input.js';
export { parseFilterTime } from './filter-time.js';
