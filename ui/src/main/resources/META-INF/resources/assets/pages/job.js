// One job: what it is, its progress as the appliance pushes it, its result and its log.
import { html, render, nothing } from '../vendor.js';
import { api, seg, pointPath } from '../api.js';
import { page, table, badge, progress, facts, link } from '../ui.js';
import { watchJob, isFinal } from '../jobs.js';
import { cancel } from './jobs.js';
import * as fmt from '../format.js';

const EVENT = { QUEUED: 'Queued', RUNNING: 'Started', PHASE: 'Phase', SUCCEEDED: 'Succeeded', FAILED: 'Failed', CANCELLED: 'Cancelled' };

export default async function job(main, { id }) {
  let current = await api.get(`/api/jobs/${seg(id)}`);
  let log = await api.get(`/api/jobs/${seg(current.id)}/log`);
  let loggedPhase = current.phase;

  const draw = () => {
    const j = current;
    render(page(html`${kindName(j.kind)} job <code>${fmt.shortId(j.id)}</code> ${badge(j.state)}`, html`
      ${facts([
        ['Job id', html`<code>${j.id}</code>`],
        ['VM', j.vm ? link(`#/vm/${seg(j.vm)}`, j.vm) : 'all of the store'],
        ['Created', fmt.time(j.created)],
        ['Started', fmt.time(j.started)],
        ['Ended', fmt.time(j.ended)],
        ['Took', j.started ? fmt.duration(new Date(j.ended ?? Date.now()) - new Date(j.started)) : '–'],
        ['Phase', j.phase ?? '–'],
        ['Progress', html`<span data-testid="job-progress">${progress(j.bytesDone, j.bytesTotal)}</span>`],
      ])}
      <h2>Result</h2>
      <div data-testid="job-result">${outcome(j)}</div>
      <h2>Log</h2>
      ${table([
        ['Time', (l) => fmt.time(l.time)],
        ['Event', (l) => badge(l.event === 'PHASE' ? 'RUNNING' : l.event, EVENT[l.event] ?? l.event)],
        ['Detail', (l) => (l.event === 'SUCCEEDED' && l.detail ? link(`#/points/${pointPath(l.detail)}`, l.detail) : l.detail ?? '')],
      ], log, { empty: 'Nothing logged yet.', label: 'Job log' })}`,
    isFinal(j.state) || j.kind === 'INSTANT_RECOVERY' ? nothing
      : html`<button class="danger" data-cancel @click=${(e) => cancel(e.target, j)}>Cancel job</button>`), main);
  };
  draw();

  if (isFinal(current.state)) return undefined;
  return watchJob(current.id, async (j) => {
    current = j;
    if (j.phase !== loggedPhase || isFinal(j.state)) { // a new line in the log
      loggedPhase = j.phase;
      try { log = await api.get(`/api/jobs/${seg(j.id)}/log`); } catch { /* shown at the next change */ }
    }
    draw();
  });
}

const kindName = (kind) => kind.charAt(0) + kind.slice(1).toLowerCase().replace('_', ' ');

function outcome(j) {
  if (j.state === 'SUCCEEDED') {
    const s = j.summary;
    return html`${badge('SUCCEEDED', 'Succeeded')}
      ${s ? facts([
        ['Read from the disks', fmt.bytes(s.readBytes)],
        ['New data (before compression)', fmt.bytes(s.newBytes)],
        ['Stored (compressed)', fmt.bytes(s.storedBytes)],
        ['Backup took', fmt.duration(s.durationMillis)],
        ['Throughput', s.durationMillis > 0 ? `${fmt.bytes((s.readBytes * 1000) / s.durationMillis)}/s` : '–'],
      ]) : nothing}
      ${j.restorePoint ? html`<p>Restore point ${link(`#/points/${pointPath(j.restorePoint)}`, j.restorePoint)}</p>` : nothing}`;
  }
  if (j.state === 'FAILED' || j.state === 'CANCELLED') {
    return html`<p class="error-text" data-testid="job-error">${j.error ?? j.state.toLowerCase()}</p>`;
  }
  return html`<p class="empty">Not finished yet.</p>`;
}
