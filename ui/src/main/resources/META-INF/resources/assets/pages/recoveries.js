// Instant recoveries (#/recoveries): every session, what it serves, its copy's progress as the
// appliance pushes it, and what can be done with it: start the copy, stop (VM and all, after the
// user types the VM's name), discard a finished one. A session's list is read again when one of
// its jobs changes; "Refresh" reads the bytes served now.
import { html, render, nothing } from '../vendor.js';
import { api, seg, pointPath } from '../api.js';
import { page, table, badge, progress, confirm, act, link, fail } from '../ui.js';
import { watchAllJobs, isFinal } from '../jobs.js';
import * as fmt from '../format.js';

const TONES = { SERVING: 'SERVING', COPYING: 'COPYING', PIVOTED: 'SUCCEEDED', FAILED: 'FAILED' };

const served = (r) => {
  const known = r.disks.filter((d) => d.bytesServed !== null && d.bytesServed !== undefined);
  return known.length ? known.reduce((s, d) => s + d.bytesServed, 0) : null;
};

export default async function recoveries(main) {
  const s = { list: await api.get('/api/instant-recoveries'), jobs: new Map(), readAt: Date.now() };
  let reloading = null;

  const reload = () => {
    reloading ??= api.get('/api/instant-recoveries')
      .then((list) => { s.list = list; s.readAt = Date.now(); draw(); })
      .catch(fail)
      .finally(() => { reloading = null; });
    return reloading;
  };

  const stopJobs = watchAllJobs((job) => {
    if (job.kind !== 'INSTANT_RECOVERY') return;
    const before = s.jobs.get(job.id);
    s.jobs.set(job.id, job);
    if (s.list.some((r) => r.jobId === job.id)) {
      // a phase or state change may have changed the session (copying, pivoted): read it again
      if (!before || before.state !== job.state || before.phase !== job.phase) reload();
      else draw();
    } else if (!isFinal(job.state)) {
      reload(); // a session started elsewhere
    }
  });

  const copy = async (e, r) => {
    const done = await act(e.currentTarget, () => api.post(`/api/instant-recoveries/${seg(r.id)}/copy`), `Copying ${r.vm} to its own images`);
    if (done) await reload();
  };

  const stop = async (e, r) => {
    const button = e.currentTarget;
    const ok = await confirm({
      title: `Stop the instant recovery of ${r.vm}?`,
      message: html`The VM <strong>${r.vm}</strong> is destroyed and undefined and whatever its guest wrote is thrown away;
        the export stops. The restore point stays in the store.`,
      confirmLabel: 'Stop and remove the VM', typed: r.vm,
    });
    if (!ok) return;
    const done = await act(button, async () => { await api.post(`/api/instant-recoveries/${seg(r.id)}/stop`); return true; },
      `Stopped the instant recovery of ${r.vm}`);
    if (done) await reload();
  };

  const discard = async (e, r) => {
    const button = e.currentTarget;
    const ok = await confirm({
      title: `Discard the session of ${r.vm}?`,
      message: r.state === 'PIVOTED'
        ? 'The VM runs on its own images and stays. The session goes, and its restore point is no longer held.'
        : 'The session goes, and its restore point is no longer held.',
      confirmLabel: 'Discard', danger: false,
    });
    if (!ok) return;
    const done = await act(button, async () => { await api.del(`/api/instant-recoveries/${seg(r.id)}`); return true; },
      `Discarded the session of ${r.vm}`);
    if (done) await reload();
  };

  const copyCell = (r) => {
    const job = s.jobs.get(r.jobId);
    if (r.state === 'PIVOTED') return 'done';
    if (job && !isFinal(job.state) && job.phase?.startsWith('copy')) {
      return html`${progress(job.bytesDone ?? 0, job.bytesTotal ?? 0, `Copy of ${r.vm}`)} <span class="help">${job.phase}</span>`;
    }
    return r.copying ? 'copying' : 'not started';
  };

  const draw = () => render(page('Instant recoveries', html`
    <p class="help">VMs running on a restore point served from the store. Bytes served as of ${fmt.time(s.readAt)}.</p>
    ${table([
      ['VM', (r) => html`<span data-recovery=${r.id} data-vm=${r.vm}>${link(`#/vm/${seg(r.vm)}`, r.vm)}</span>`],
      ['State', (r) => html`<span data-testid="recovery-state">${badge(TONES[r.state] ?? r.state, r.state.toLowerCase())}</span>
        ${r.error ? html`<div class="error-text">${r.error}</div>` : nothing}`],
      ['Restore point', (r) => link(`#/points/${pointPath(r.restorePoint)}`, r.restorePoint)],
      ['Started', (r) => html`<span title=${fmt.time(r.started)}>${fmt.age(r.started)}</span>`],
      ['Served', (r) => html`<span data-testid="served" data-bytes=${served(r) ?? ''}>${r.serving ? fmt.bytes(served(r)) : 'not served'}</span>
        <div class="help">${r.disks.map((d) => `${d.target}: ${fmt.bytes(d.bytesServed)}`).join(' · ')}</div>`],
      ['Copy', copyCell],
      ['', (r) => html`<div class="actions">
        ${(r.state === 'SERVING' || r.state === 'FAILED') && r.serving && !r.copying
          ? html`<button type="button" class="small" data-copy=${r.id} @click=${(e) => copy(e, r)}>Copy</button>` : nothing}
        ${r.state !== 'PIVOTED' && !r.copying
          ? html`<button type="button" class="small danger" data-stop=${r.id} @click=${(e) => stop(e, r)}>Stop…</button>` : nothing}
        ${r.state === 'PIVOTED' || (r.state === 'FAILED' && !r.serving)
          ? html`<button type="button" class="small" data-discard=${r.id} @click=${(e) => discard(e, r)}>Discard</button>` : nothing}
      </div>`],
    ], s.list, { empty: 'No instant recoveries. Start one from a restore point: Restore…, then Instant recovery.', label: 'Instant recoveries' })}`,
  html`<button type="button" data-action="refresh" @click=${(e) => act(e.currentTarget, reload)}>Refresh</button>
    <a class="button" href="#/points">Restore points</a>`), main);

  draw();
  return () => stopJobs();
}
