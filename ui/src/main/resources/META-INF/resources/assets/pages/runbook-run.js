// One runbook run (#/runbook-runs/<id>): its state, RTO and RPO per VM, every step with its start,
// end, outcome and detail, read again every second while it goes on; approve and resume a run
// waiting for an approval, resume a halted one, cancel (undo) one, clean up a test run, and the
// HTML report. The API's words are shown when it refuses.
import { html, render, nothing } from '../vendor.js';
import { api, seg } from '../api.js';
import { page, table, badge, facts, link, act, confirm, ask } from '../ui.js';
import { runState, kindText, going, poll } from '../runs.js';
import * as fmt from '../format.js';

const OUTCOME = { OK: ['SUCCEEDED', 'ok'], FAILED: ['FAILED', 'failed'], RUNNING: ['RUNNING', 'running'], PENDING: ['NONE', 'pending'] };

const took = (s) => (s.seconds !== null && s.seconds !== undefined ? fmt.duration(s.seconds * 1000)
  : s.started && !s.ended ? `${fmt.duration(Date.now() - new Date(s.started))} so far` : '–');

/** The group whose approval the run waits for. */
const waitingFor = (run) => {
  const step = run.steps.find((s) => s.kind === 'approval' && s.outcome !== 'OK');
  return step?.group ?? (step ? step.id.slice(step.id.indexOf(':') + 1) : undefined); // a failback's cutover has no group
};

export default async function runbookRun(main, { id }) {
  const path = `/api/runbook-runs/${seg(id)}`;
  let run = await api.get(path);
  let error = null;
  let stop = () => {};

  // read again while it goes on; after a resume also while it still shows the state it was resumed from
  // (the appliance answers before its background runner has picked the run up), for at most 10 s
  const follow = (resumedFrom = null) => {
    stop();
    const until = Date.now() + 10000;
    const more = (r) => going(r.state) || (r.state === resumedFrom && Date.now() < until);
    stop = more(run) ? poll(path, more, (r) => { run = r; error = null; draw(); },
      (e) => { error = e.message; draw(); }) : () => {};
  };
  // after an action: the run as the appliance answered, then followed
  const adopt = (r, resumed = false) => { if (r) { run = r; draw(); follow(resumed ? r.state : null); } return r; };

  const resume = async (e) => {
    const button = e.currentTarget;
    let body = {};
    if (run.kind === 'failover') {
      const v = await ask({ title: `Resume failover ${run.run}?`, danger: false, confirmLabel: 'Resume',
        message: 'It goes on from the step that failed; steps that passed are not run again.',
        fields: [{ name: 'primaryLost', type: 'checkbox', label: 'The primary site is lost',
          help: 'Go on although the primary does not answer. Only if it really is down: both sites could run the VMs.' }] });
      if (!v) return;
      body = { primaryLost: v.primaryLost };
    }
    adopt(await act(button, () => api.post(`${path}/resume`, body), 'Resumed: the run goes on'), true);
  };
  const approve = async (e) => {
    const button = e.currentTarget;
    const group = waitingFor(run);
    const question = run.steps.find((s) => s.kind === 'approval' && s.outcome !== 'OK')?.detail ?? run.error;
    const ok = await confirm({ title: run.kind === 'failback' ? 'Approve the cutover?' : `Approve group ${group}?`,
      message: question, confirmLabel: 'Approve and resume', danger: run.kind !== 'test' });
    if (!ok) return;
    adopt(await act(button, () => api.post(`${path}/resume`, { approve: [group] }), `Approved ${group}: the run goes on`), true);
  };
  const cancel = async (e) => {
    const button = e.currentTarget;
    const ok = await confirm({ title: `Cancel run ${run.run} and undo it?`, confirmLabel: 'Cancel and undo', typed: run.run,
      message: html`Every VM the run started is destroyed and undefined with its disks and its instant recovery;
        primaries it shut down are started again${run.kind === 'test' ? ', its isolated network goes' : ''}.
        The record and report stay.` });
    if (!ok) return;
    adopt(await act(button, () => api.post(`${path}/cancel`), `Run ${run.run} cancelled: what it started is removed`));
  };
  const cleanup = async (e) => {
    const button = e.currentTarget;
    const ok = await confirm({ title: `Clean up test run ${run.run}?`, confirmLabel: 'Clean up', danger: false,
      message: 'Its VMs, their disks and its isolated network are removed. The record and report stay.' });
    if (!ok) return;
    adopt(await act(button, () => api.post(`${path}/cleanup`), `Test run ${run.run} cleaned up`));
  };

  const actions = () => {
    const s = run.state;
    return html`
      ${s === 'WAITING_APPROVAL' ? html`<button type="button" class="primary" data-action="approve" @click=${approve}>Approve and resume…</button>` : nothing}
      ${s === 'HALTED' ? html`<button type="button" class="primary" data-action="resume" @click=${resume}>Resume</button>` : nothing}
      ${run.kind === 'test' && s !== 'CLEANED' && s !== 'CANCELLED' && s !== 'RUNNING'
        ? html`<button type="button" data-action="cleanup" @click=${cleanup}>Clean up</button>` : nothing}
      ${s !== 'CLEANED' && s !== 'CANCELLED' && s !== 'RUNNING' && !(run.kind === 'failover' && s === 'DONE')
        ? html`<button type="button" class="danger" data-action="cancel" @click=${cancel}>Cancel (undo)…</button>` : nothing}
      <a class="button" href=${`${path}/report`} target="_blank" rel="noopener" data-testid="report">HTML report</a>`;
  };

  const draw = () => render(page(html`${run.runbook}: ${kindText(run.kind)} <code>${run.run}</code>
      <span data-testid="run-state">${runState(run.state)}</span>`, html`
    ${error ? html`<p class="message error-box" role="alert" data-testid="poll-error">Cannot read the run: ${error}</p>` : nothing}
    ${run.error ? html`<p class="message error-box" data-testid="run-error">${run.error}</p>` : nothing}
    ${facts([
      ['Runbook', link(`#/runbooks/${seg(run.runbook)}`, run.runbook)],
      ['Kind', kindText(run.kind)],
      ['State', runState(run.state)],
      ['Started', fmt.time(run.started)],
      ['Ended', fmt.time(run.ended)],
      ['RTO', html`<span data-testid="rto">${run.rtoSeconds === null || run.rtoSeconds === undefined ? 'not reached yet'
        : fmt.seconds(run.rtoSeconds)}</span>`],
      ['Worst RPO', fmt.seconds(run.worstRpoSeconds)],
      ['Restore points from', run.source === 'bucket' ? 'the bucket' : 'the local store'],
      ...(run.kind === 'test' ? [['Isolated network', run.network ?? '–'],
        ['Cleaned up', run.state === 'CLEANED' ? 'yes' : run.expires ? `at ${fmt.time(run.expires)} (${fmt.age(run.expires)})` : 'on demand']] : []),
    ])}
    <h2>VMs</h2>
    ${table([
      ['VM', (v) => html`<span data-vm=${v.vm}>${v.vm}</span>`],
      ['As', (v) => v.name],
      ['Group', (v) => v.group],
      ['Where', (v) => v.target ?? '–'],
      ['Mode', (v) => (v.mode === 'restore' ? 'full restore' : 'instant recovery')],
      ['Restore point', (v) => v.restorePoint ?? 'not chosen yet'],
      ['RPO', (v) => html`<span data-testid="rpo">${fmt.seconds(v.rpoSeconds)}</span>`],
      ['Started', (v) => fmt.time(v.startedAt)],
      ['Checks green', (v) => fmt.time(v.greenAt)],
      ['RTO', (v) => html`<span data-testid="vm-rto">${fmt.seconds(v.recoverySeconds)}</span>`],
    ], run.vms, { empty: 'No VM has started yet.', label: 'VMs' })}
    <h2>Steps</h2>
    ${table([
      ['Step', (s) => html`<code>${s.id}</code>`],
      ['Group', (s) => s.group ?? '–'],
      ['VM', (s) => s.vm ?? '–'],
      ['Started', (s) => fmt.time(s.started)],
      ['Ended', (s) => fmt.time(s.ended)],
      ['Took', took],
      ['Outcome', (s) => { const [tone, word] = OUTCOME[s.outcome] ?? [s.outcome, s.outcome];
        return html`<span data-outcome=${s.outcome}>${badge(tone, word)}</span>${s.attempts > 1 ? html` <span class="help">${s.attempts} attempts</span>` : nothing}`; }],
      ['Detail', (s) => html`<span class="prewrap">${s.detail ?? ''}</span>`],
    ], run.steps, { label: 'Steps', rowClass: (s) => `step-${s.kind}` })}`,
  html`${actions()}<a class="button" href="#/runbook-runs">All runs</a>`), main);

  draw();
  follow();
  return () => stop();
}
