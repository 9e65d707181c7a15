/**
 * `tokentrace alerts list|create|test|history|delete` on its output, in-process against the real
 * alerts API over the embedded engine, with a real HTTP receiver for the test notification.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertApiServer, type AlertApiServer } from '../alerts/testing/alert-api-server.js';
import { startHttpReceiver, type HttpReceiver } from '../alerts/testing/alert-receivers.js';
import { modelCalls } from '../alerts/testing/alert-spans.js';
import { startQueryStore, type QueryStore } from '../queries/testing/query-store.js';
import { runAlertsCommand } from './alerts-command.js';

let store: QueryStore;
let api: AlertApiServer;
let receiver: HttpReceiver;

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  api = await startAlertApiServer(store, { 'key-cli': 'proj-cli', 'key-other': 'proj-other' });
  receiver = await startHttpReceiver();
}, 120_000);
afterAll(async () => {
  await api?.close();
  await receiver?.close();
  await store?.stop();
}, 60_000);

async function run(args: string[], key = 'key-cli') {
  let stdout = '';
  let stderr = '';
  const code = await runAlertsCommand(args, {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t) },
    env: { TOKENTRACE_URL: api.url, TOKENTRACE_API_KEY: key },
  });
  return { code, stdout, stderr };
}

describe('tokentrace alerts', () => {
  it('creates rules from flags and from a file, lists them, tests one and shows the history', async () => {
    expect(await run(['list'])).toEqual({ code: 0, stdout: 'no alert rules (create one: tokentrace alerts create --metric cost --window 1h --above 10 --webhook <url> --secret <s>)\n', stderr: '' });
    const created = await run(['create', '--id', 'spend', '--name', 'Spend by user', '--metric', 'cost', '--window', '1h', '--above', '0.5', '--by', 'user', '--webhook', `${receiver.url}/cli`, '--secret', 'whsec-cli-0123456789']);
    expect(created).toEqual({ code: 0, stdout: 'created rule spend: cost over 1h, above $0.50 by user\n', stderr: '' });
    const dir = mkdtempSync(join(tmpdir(), 'tokentrace-alerts-cli-'));
    writeFileSync(join(dir, 'budget.json'), JSON.stringify({ id: 'month', metric: 'cost', window: 'calendar_month', condition: { type: 'budget', amount: 1000 } }));
    expect((await run(['create', '--file', join(dir, 'budget.json')])).stdout).toBe('created rule month: cost over calendar_month, budget $1,000.00 at 50%/80%/95%/100%\n');
    const projected = await run(['create', '--id', 'projected', '--metric', 'cost', '--window', 'calendar_month', '--budget', '3500', '--levels', '80,100', '--forecast', '--forecast-bound', 'high80']);
    expect(projected).toEqual({ code: 0, stdout: 'created rule projected: cost over calendar_month, budget $3,500.00 on the forecast\'s 80% high end at 80%/100%\n', stderr: '' });
    expect(await api.alerts.getRule('proj-cli', 'projected')).toMatchObject({ condition: { type: 'budget', amount: 3500, basis: 'forecast', forecastBound: 'high80', levels: [{ percent: 80, severity: 'info' }, { percent: 100, severity: 'critical' }] } });
    expect((await run(['create', '--metric', 'cost', '--window', 'calendar_month', '--above', '5', '--forecast'])).stderr).toMatch(/--forecast and --forecast-bound go with --budget <n>/);
    expect((await run(['create', '--metric', 'cost', '--window', '1h', '--budget', '5', '--forecast'])).stderr).toMatch(/window: expected calendar_month for a budget on the forecast/);
    expect(await run(['delete', 'projected'])).toMatchObject({ code: 0 });

    const list = await run(['list']);
    expect(list.stdout.split('\n').slice(0, 4)).toEqual([
      'ID     NAME           METRIC  WINDOW          CONDITION                             BY    CHANNELS  ON',
      'month  month          cost    calendar_month  budget $1,000.00 at 50%/80%/95%/100%  —     none      yes',
      'spend  Spend by user  cost    1h              above $0.50                           user  webhook   yes',
      '',
    ]);
    expect((await run(['list'], 'key-other')).stdout).toMatch(/^no alert rules/);

    const now = Date.now();
    await store.insert(modelCalls(4, now - 20 * 60_000, now - 60_000, { project: 'proj-cli', user: 'u-big', costUsd: 0.25 }));
    const tested = await run(['test', 'spend']);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toBe(
      '[warning] Spend by user: Cost over the last 1h for user u-big is $1.00, above $0.50 (4 requests).\n' +
        '  u-big: $1.00 over 4 requests — would fire\n' +
        `  sent to webhook 127.0.0.1:${new URL(receiver.url).port}/cli: delivered (1 attempt)\n`,
    );
    expect(receiver.at('/cli')).toHaveLength(1);

    const history = await run(['history', '--rule', 'spend']);
    expect(history.stdout).toMatch(/^TIME +RULE +EVENT +SEVERITY +GROUP +DELIVERED +MESSAGE\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +spend +test +warning +u-big +1\/1 +Cost over the last 1h for user u-big is \$1\.00/);
    const json = JSON.parse((await run(['history', '--json'])).stdout) as { items: Array<{ event: string }> };
    expect(json.items.map((i) => i.event)).toEqual(['test']);

    expect(await run(['delete', 'month'])).toEqual({ code: 0, stdout: 'deleted rule month\n', stderr: '' });
  });

  it('says which field is wrong, and how to call it', async () => {
    const bad = await run(['create', '--metric', 'cost', '--window', '1y', '--above', '1']);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toMatch(/^tokentrace alerts: window: expected <n>m, <n>h or <n>d from 5m to 30d, or calendar_day or calendar_month, got "1y"\n$/);
    expect((await run(['create', '--metric', 'cost', '--window', '1h'])).stderr).toMatch(/give one condition: --above <n>, --below <n>, --budget <n> or --anomaly\nusage: tokentrace alerts list/);
    expect((await run(['test'])).stderr).toMatch(/alerts test <id>: give the rule id/);
    expect((await run(['frobnicate'])).stderr).toMatch(/unknown alerts command: frobnicate/);
    expect((await run(['test', 'nope'])).stderr).toBe('tokentrace alerts: no alert rule "nope" in this project\n');
  });
});
