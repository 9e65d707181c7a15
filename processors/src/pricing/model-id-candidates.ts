/**
 * The ids under which a model may be listed in a price catalog, most specific first. Spans carry
 * model ids in many dresses: Bedrock ids and inference profiles (`us.anthropic.claude-3-5-sonnet-
 * 20240620-v1:0`, ARNs), OpenRouter's `openai/gpt-4o`, Gemini's `models/gemini-1.5-pro`, Vertex
 * resource names and `claude-...@20241022` versions, and dated snapshots the catalog may not list
 * (`gpt-4o-2099-01-01` → `gpt-4o`). The raw id always comes first, so a listed snapshot with its
 * own price (`gpt-4o-2024-05-13`) is never priced as its alias. Runs once per distinct model id
 * (the resolver caches), with the patterns compiled once here.
 */

export interface ModelIdCandidate {
  /** Lower-case model id to look up. */
  id: string;
  /** Catalog vendor named in the id (`anthropic` in `anthropic.claude-...`, `openai` in `openai/gpt-4o`). */
  vendor?: string;
}

/** Bedrock cross-region inference profile prefixes (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html). */
const BEDROCK_PROFILE = /^(?:us|us-gov|eu|apac|jp|au|ca|global)\.(?=[a-z0-9-]+\.)/;
/** `vendor.model` of Bedrock model ids. */
const BEDROCK_VENDOR = /^(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer)\.(.+)$/;
/** Bedrock's revision (`:0`) and version (`-v1`) suffixes; `claude-v2:1` shows a `-vN` may be the model's own name. */
const BEDROCK_REVISION = /:\d+$/;
const BEDROCK_VERSION = /-v\d+$/;
/** `vendor/model`, with OpenRouter's variant suffix (`:free`, `:beta`, `:online`). */
const VENDOR_SLASH = /^([a-z0-9-]+)\/([^/:]+)(?::[a-z0-9-]+)?$/;
/** A trailing snapshot date, `-2024-08-06` or `-20240806`, or the `-latest` alias. */
const SNAPSHOT_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|20\d{6}|latest)$/;
const SLASH_VENDORS: ReadonlySet<string> = new Set(['openai', 'anthropic', 'google', 'mistralai', 'cohere', 'deepseek', 'x-ai', 'amazon', 'meta-llama', 'qwen']);
const MODELS_SEGMENT = 'models/';

export function modelIdCandidates(modelId: string): ModelIdCandidate[] {
  const out: ModelIdCandidate[] = [];
  const seen = new Set<string>();
  const add = (id: string, vendor?: string): void => {
    if (id === '' || seen.has(id)) return;
    seen.add(id);
    out.push(vendor === undefined ? { id } : { id, vendor });
  };

  let id = modelId.trim().toLowerCase();
  add(id);
  // ARNs (`arn:aws:bedrock:...:inference-profile/us.anthropic...`) and resource names end in the model id.
  if (id.startsWith('arn:')) id = id.slice(id.lastIndexOf('/') + 1);
  const models = id.lastIndexOf(MODELS_SEGMENT);
  if (models >= 0) id = id.slice(models + MODELS_SEGMENT.length);
  add(id);

  id = id.replace(BEDROCK_PROFILE, '');
  add(id);
  const bedrock = BEDROCK_VENDOR.exec(id);
  if (bedrock) {
    const [, vendor, model] = bedrock as unknown as [string, string, string];
    const unrevised = model.replace(BEDROCK_REVISION, '');
    addWithSnapshots(add, unrevised, vendor);
    addWithSnapshots(add, unrevised.replace(BEDROCK_VERSION, ''), vendor);
    return out;
  }

  const slash = VENDOR_SLASH.exec(id);
  if (slash && SLASH_VENDORS.has(slash[1] as string)) {
    const [, vendor, model] = slash as unknown as [string, string, string];
    add(`${vendor}/${model}`);
    addWithSnapshots(add, model, vendor);
    return out;
  }

  addWithSnapshots(add, id);
  return out;
}

/** `claude-3-5-sonnet-v2@20241022` (Vertex) → `claude-3-5-sonnet-v2`; `gpt-4o-2099-01-01` → `gpt-4o`. */
function addWithSnapshots(add: (id: string, vendor?: string) => void, id: string, vendor?: string): void {
  add(id, vendor);
  const at = id.indexOf('@');
  if (at > 0) {
    id = id.slice(0, at);
    add(id, vendor);
  }
  const undated = id.replace(SNAPSHOT_SUFFIX, '');
  if (undated !== id) add(undated, vendor);
}
