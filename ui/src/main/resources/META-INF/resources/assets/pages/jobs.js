// Jobs: every job, newest first, filtered by state, kind and VM; running ones move live with the
// job events the appliance pushes (nothing here polls).
import { html, render, nothing } from '../vendor.js';
import { api, pointPath } from '../api.js';
import { page, table, badge, progress, link, act, confirm } from '../ui.js';
import { watchAllJobs, isFinal } from '../jobs.js';
import * as fmt from '../format.js';

const STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
const KINDS = ['BACKUP', 'RESTORE', 'INSTANT_RECOVERY', 'VERIFY', 'REPLICATION', 'GC', 'RETENTION'];

export default async function jobs(main, params, query) {
  const filter = { state: query.get('state') ?? '', kind: query.get('kind') ?? '', vm: query.get('vm') ?? '' };
  const search = new URLSearchParams(Object.entries(filter).filter(([, v]) => v));
  search.set('limit', '200');
  let list = await api.get(`/api/jobs?${search}`);
  const matches = (j) => (!filter.state || j.state === filter.state) && (!filter.kind || j.kind === filter.kind)
    && (!filter.vm || j.vm === filter.vm);

  const apply = (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const q = new URLSearchParams([...f.entries()].filter(([, v]) => v));
    location.hash = `#/jobs${q.toString() ? `?${q}` : ''}`;
  };

  const draw = () => render(page('Jobs', html`
    <form class="filters" @submit=${apply} aria-label="Filter jobs">
      ${select('state', 'State', STATES, filter.state)}
      ${select('kind', 'Kind', KINDS, filter.kind)}
      <div class="field"><label for="f-vm">VM</label><input id="f-vm" name="vm" .value=${filter.vm}></div>
      <button type="submit" class="primary">Filter</button>
      ${search.size > 1 ? html`<a class="button" href="#/jobs">Clear</a>` : nothing}
    </form>
    ${table([
      ['Job', (j) => link(`#/jobs/${j.id}`, fmt.shortId(j.id))],
      ['Kind', (j) => j.kind],
      ['VM', (j) => j.vm ?? '–'],
      ['State', (j) => badge(j.state)],
      ['Progress', (j) => (j.state === 'RUNNING' ? html`<span data-job=${j.id}>${progress(j.bytesDone, j.bytesTotal)}</span>
        <div class="help">${j.phase ?? ''}</div>` : result(j))],
      ['Created', (j) => fmt.time(j.created)],
      ['Took', (j) => (j.started ? fmt.duration(new Date(j.ended ?? Date.now()) - new Date(j.started)) : '–')],
      ['', (j) => (isFinal(j.state) || j.kind === 'INSTANT_RECOVERY' ? nothing
        : html`<button class="small" data-cancel=${j.id} @click=${(e) => cancel(e.target, j)}>Cancel</button>`)],
    ], list, { empty: 'No jobs match.', label: 'Jobs', rowClass: (j) => `job-${j.state.toLowerCase()}` })}`), main);

  draw();
  const stop = watchAllJobs((job) => {
    const i = list.findIndex((j) => j.id === job.id);
    if (i >= 0) list[i] = job;
    else if (matches(job)) list = [job, ...list];
    else return;
    draw();
  });
  return stop;
}

const select = (name, label, options, value) => html`<div class="field">
  <label for="f-${name}">${label}</label>
  <select id="f-${name}" name=${name}>
    <option value="" ?selected=${!value}>any</option>
    ${options.map((o) => html`<option value=${o} ?selected=${o === value}>${o}</option>`)}
  </select></div>`;

/** A finished job in a few words: what a backup did, why a job failed. */
export function result(j) {
  if (j.state === 'SUCCEEDED' && j.summary) {
    return html`${fmt.bytes(j.summary.readBytes)} read, ${fmt.bytes(j.summary.storedBytes)} stored
      ${j.restorePoint ? html`· ${link(`#/points/${pointPath(j.restorePoint)}`, 'restore point')}` : nothing}`;
  }
  if (j.state === 'SUCCEEDED') return j.restorePoint ? link(`#/points/${pointPath(j.restorePoint)}`, j.restorePoint) : 'done';
  if (j.error) return html`<span class="error-text">${j.error}</span>`;
  return j.state === 'QUEUED' ? 'waiting' : '–';
}

export async function cancel(button, job) {
  const ok = await confirm({
    title: `Cancel ${job.kind.toLowerCase().replace('_', ' ')} job ${fmt.shortId(job.id)}?`,
    message: `The job${job.vm ? ` of ${job.vm}` : ''} stops at its next step and ends CANCELLED; nothing it did not finish becomes visible.`,
    confirmLabel: 'Cancel the job',
  });
  if (!ok) return;
  await act(button, () => api.post(`/api/jobs/${job.id}/cancel`), 'Cancelling');
}
