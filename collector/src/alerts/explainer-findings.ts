/**
 * The spend-change explainer as the alerts' `Explain` (issue 13: "a cost or budget notification
 * carries the explainer's top findings for its window"): the alert's window against the window
 * just before it, its top findings by dollars, each with an absolute dashboard link.
 */
import { baselineFor, type Explainer } from '../insights/explain/index.js';
import type { Explain, Finding } from './notification.js';

/** Findings a notification carries: enough to say why, short enough to read on a phone. */
export const NOTIFICATION_FINDINGS = 3;

export function explainerFindings(explainer: Explainer, dashboardBase: () => string): Explain {
  return async (projectId, window) => {
    const period = { fromMs: window.from.getTime(), toMs: window.to.getTime() };
    const result = await explainer.explain({ projectId, period, baseline: baselineFor(period, 'previous') });
    const base = dashboardBase().replace(/\/?$/, '/');
    const findings: Finding[] = result.findings.slice(0, NOTIFICATION_FINDINGS).map((f) => ({ summary: f.sentence, impactUsd: f.impactUsd, link: `${base}${f.link}` }));
    // New spenders explain a jump as well as a moved series does (a new user with 30 % of spend).
    for (const thing of result.newThings.slice(0, NOTIFICATION_FINDINGS - findings.length)) findings.push({ summary: thing.sentence, impactUsd: thing.costUsd });
    return findings;
  };
}
