// OpenAI answers with the dated snapshot behind an alias (request `gpt-4o-mini`, response
// `gpt-4o-mini-2024-07-18`), which is why semconv keeps gen_ai.request.model and
// gen_ai.response.model apart. The emulator reproduces that so tests can tell the two apart.

/** Matches names that already end with a date: -2024-07-18, -20241022 or OpenAI's -0613 style. */
const ENDS_WITH_DATE = /-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/;

/** The snapshot OpenAI would report for a requested model: `-2024-07-18` appended unless already dated. */
export function openAiSnapshotModel(requested: string): string {
  return ENDS_WITH_DATE.test(requested) ? requested : `${requested}-2024-07-18`;
}
