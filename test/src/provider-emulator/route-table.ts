// Matches request paths against the real host's path templates (`/model/{modelId}/converse`,
// `/{apiVersion}/models/{model}:generateContent`) and extracts the percent-decoded parameters.
import type { EmulatorRoute } from './provider-dialect.js';

export class RouteTable {
  readonly #routes: CompiledRoute[];

  constructor(routes: readonly EmulatorRoute[]) {
    this.#routes = routes.map(compileRoute);
  }

  /** The first route whose template matches `path`, with its parameters. */
  match(path: string): { route: EmulatorRoute; params: Record<string, string> } | undefined {
    for (const compiled of this.#routes) {
      const match = compiled.pattern.exec(path);
      if (!match) continue;
      const params: Record<string, string> = {};
      compiled.paramNames.forEach((name, i) => { params[name] = safeDecode(match[i + 1]); });
      return { route: compiled.route, params };
    }
    return undefined;
  }
}

interface CompiledRoute {
  route: EmulatorRoute;
  pattern: RegExp;
  paramNames: string[];
}

function compileRoute(route: EmulatorRoute): CompiledRoute {
  const paramNames: string[] = [];
  const source = route.path.split(/(\{[^}]+\})/).map((part) => {
    const param = /^\{([^}]+)\}$/.exec(part);
    if (!param) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    paramNames.push(param[1]);
    // Lazy, so `{model}:generateContent` stops at the colon; Bedrock's ids arrive percent-encoded.
    return '([^/]+?)';
  }).join('');
  return { route, pattern: new RegExp(`^${source}$`), paramNames };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
