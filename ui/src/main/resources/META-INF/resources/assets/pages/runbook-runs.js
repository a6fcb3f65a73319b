// Runbook runs (#/runbook-runs): every test failover and failover of every runbook, newest first, read again every second while one goes on. One run: pages/runbook-run.js.
import { html, render, nothing } from '../vendor.js';
import { api, seg } from '../api.js';
import { page, table, link, fail } from '../ui.js';
import { runState, kindText, going, runLink, poll } from '../runs.js';
import * as fmt from '../format.js';

export default async function runbookRuns(main) {
  let runs = (await api.get('/api/runbook-runs')).reverse();
  let error = null;
  const draw = () => render(page('Runbook runs', html`
    <p class="help">Test failovers and failovers of the runbooks, newest first. Start one from a runbook's page.</p>
    ${error ? html`<p class="message error-box" role="alert">${error}</p>` : nothing}
    ${table([
      ['Run', (r) => runLink(r.run)],
      ['Runbook', (r) => html`<span data-runbook=${r.runbook}>${link(`#/runbooks/${seg(r.runbook)}`, r.runbook)}</span>`],
      ['Kind', (r) => kindText(r.kind)],
      ['State', (r) => html`<span data-testid="run-state">${runState(r.state)}</span>`],
      ['Started', (r) => html`<span title=${fmt.time(r.started)}>${fmt.age(r.started)}</span>`],
      ['RTO', (r) => fmt.seconds(r.rtoSeconds)],
      ['Worst RPO', (r) => fmt.seconds(r.worstRpoSeconds)],
    ], runs, { empty: 'No runs yet. Start a test failover from a runbook\'s page.', label: 'Runbook runs' })}`,
  html`<a class="button" href="#/runbooks">Runbooks</a>`), main);
  draw();
  if (!runs.some((r) => going(r.state))) return undefined;
  return poll('/api/runbook-runs', (list) => list.some((r) => going(r.state)),
    (list) => { runs = list.reverse(); error = null; draw(); },
    (e) => { error = e.message; draw(); fail(e); });
}
