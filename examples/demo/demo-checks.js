// What `npm run demo -- --once` (or `CI=true npm run demo`, and its test) requires of the stored data, read back through the
// collector's query API: each example's spans arrived, model calls are priced, the research run
// is one deep tree across three providers (its steps' paths under the workflow span), the own-SDK
// app's LLM call sits under its server span.

/** @returns {Promise<string[]>} the problems found; empty when the demo worked */
export async function checkDemo(api, researchSessionId) {
  const problems = [];
  const count = async (filter) => (await api(`/api/v1/analytics?since=1h&filter=${encodeURIComponent(filter)}`)).totals;

  const triage = await count('service = "healthcare-triage-example"');
  if (triage.requests !== 6) problems.push(`healthcare-triage: expected 6 model calls, found ${triage.requests}`);
  const tagged = await count('service = "healthcare-triage-example" and prompt_id != "" and user != "" and property.department != ""');
  if (tagged.requests !== triage.requests) problems.push(`healthcare-triage: ${triage.requests - tagged.requests} calls lack user, department or prompt id`);

  if (!researchSessionId) problems.push('research-agents: no session found');
  else {
    const tree = await api(`/api/v1/sessions/${encodeURIComponent(researchSessionId)}`);
    const providers = new Set();
    let depth = 0;
    const walk = (node, d) => {
      depth = Math.max(depth, d);
      if (node.isModelCall) providers.add(node.provider);
      node.children.forEach((c) => walk(c, d + 1));
    };
    tree.roots.forEach((r) => walk(r, 1));
    if (tree.totals.modelCalls < 8) problems.push(`research-agents: expected at least 8 model calls in the session, found ${tree.totals.modelCalls}`);
    if (providers.size < 3) problems.push(`research-agents: expected calls to 3 providers, found ${[...providers].join(', ')}`);
    if (depth < 4) problems.push(`research-agents: expected a tree at least 4 levels deep, found ${depth}`);
    if (!(tree.totals.costUsd > 0)) problems.push('research-agents: the session has no cost');
    // One tree, not two (issue 11, item 6): the trace holds the workflow, which holds every step.
    const workflow = tree.roots.length === 1 ? tree.roots[0].children.find((c) => c.operation === 'invoke_workflow') : undefined;
    const steps = workflow ? workflow.children.filter((c) => c.kind === 'path').map((c) => c.id).sort() : [];
    if (steps.join() !== '/plan,/research,/summarise,/synthesise') {
      problems.push(`research-agents: expected one tree with /plan, /research, /summarise, /synthesise under the workflow span, found ${tree.roots.length} roots and ${steps.join(', ') || 'no steps'} under the workflow`);
    }
    if (workflow && workflow.totals.spans !== tree.totals.spans) problems.push(`research-agents: the workflow holds ${workflow.totals.spans} of the session's ${tree.totals.spans} spans`);
  }

  const tiers = await count('service = "cost-by-tier-example"');
  if (tiers.requests < 100) problems.push(`cost-by-tier: expected at least 100 model calls, found ${tiers.requests}`);
  const envs = await api('/api/v1/analytics?since=1h&groupBy=environment&filter=' + encodeURIComponent('service = "cost-by-tier-example"'));
  const envNames = envs.rows.map((r) => r.group).sort();
  if (envNames.join() !== 'production,staging') problems.push(`cost-by-tier: expected production and staging, found ${envNames.join(', ')}`);

  const own = await api('/api/v1/requests?since=1h&limit=1&filter=' + encodeURIComponent('service = "helpdesk-api"'));
  if (!own.items[0]) problems.push('own-otel-sdk: no model call from the app with its own OpenTelemetry SDK');
  else {
    const tree = await api(`/api/v1/traces/${own.items[0].traceId}`);
    if (tree.roots.length !== 1 || tree.roots[0].isModelCall) problems.push('own-otel-sdk: the model call is not under the app\'s own server span');
  }

  const all = await count('model_call = true');
  const unpriced = await count('model_call = true and cost < 0');
  const priced = await count('model_call = true and cost >= 0');
  if (priced.requests !== all.requests) problems.push(`${all.requests - priced.requests} model calls have no cost`);
  if (unpriced.requests !== 0) problems.push(`${unpriced.requests} model calls have a negative cost`);
  return problems;
}

/**
 * What the demo's second part must show (issue 13): the explainer's first finding is the planted
 * event (its group named), the forecast printed with the budget's run-out line, and the webhook
 * receiver got exactly one firing notification, its signature verified.
 * @returns {string[]} the problems found
 */
export function checkInsights({ event, explainOut, forecastOut, received }) {
  const problems = [];
  const first = /^ +1\. (.*)$/m.exec(explainOut)?.[1];
  if (!first?.includes(event.group)) problems.push(`explain: expected the first finding to name ${event.group} (${event.description}), found ${first ?? 'no finding'}`);
  if (!/^Month-end forecast \$[\d,.]+ \(80 %: /m.test(forecastOut)) problems.push('forecast: no "Month-end forecast" line printed');
  if (!/^budget \$[\d,.]+: \d+ % chance of exceeding it, runs out on \d{4}-\d\d-\d\d$/m.test(forecastOut)) problems.push('forecast: no budget run-out line printed');
  if (!received) problems.push('alert: the demo did not create its alert rule (no spend in the last hour)');
  else {
    const firing = received.filter((r) => r.notification.event === 'firing');
    if (received.length !== 1 || firing.length !== 1) problems.push(`alert: expected exactly one firing notification, the receiver got ${received.map((r) => r.notification.event).join(', ') || 'none'}`);
    if (received.some((r) => !r.verified)) problems.push('alert: a notification\'s HMAC signature did not verify');
    if (firing[0] && firing[0].notification.rule?.id !== 'demo-hourly-spend') problems.push(`alert: the notification is for rule ${firing[0].notification.rule?.id}`);
  }
  return problems;
}
