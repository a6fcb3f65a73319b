// "Back up now", from the VM list and from a VM's page: starts the backup, then shows its job as
// the appliance pushes it (watchJob: server-sent events, never polling), ending with what the
// backup read, added to the store and stored.
import { html, nothing } from './vendor.js';
import { api, seg, pointPath } from './api.js';
import { badge, progress, link } from './ui.js';
import { watchJob, isFinal } from './jobs.js';
import * as fmt from './format.js';

/**
 * Starts a backup of the VM and follows its job: onUpdate(job) at once with the job queued, then
 * with each change the appliance pushes. Resolves to a function that stops following it; rejects
 * with the Problem when the appliance refuses the backup (a 409 while one runs, say).
 */
export async function backUp(vm, onUpdate) {
  const started = await api.post(`/api/vms/${seg(vm)}/backups`);
  onUpdate({ id: started.jobId, kind: 'BACKUP', vm, state: 'QUEUED', bytesDone: 0, bytesTotal: 0 });
  return watchJob(started.jobId, onUpdate);
}

// A finished backup's bar is full: its last pushed progress may be a later phase's (commit).
function amounts(job) {
  if (job.state === 'SUCCEEDED') {
    const read = job.summary?.readBytes || job.bytesTotal;
    return read > 0 ? [read, read] : [1, 1];
  }
  return [job.bytesDone ?? 0, job.bytesTotal ?? 0];
}

const percentOf = (done, total) => (total > 0 ? Math.min(100, Math.floor((100 * done) / total)) : 0);

/** What a succeeded backup did, in words: "read 24 MiB · 24 MiB new · 1.2 MiB stored · 6.1 s". */
export const summaryText = (s) => (s
  ? `read ${fmt.bytes(s.readBytes)} · ${fmt.bytes(s.newBytes)} new · ${fmt.bytes(s.storedBytes)} stored · took ${fmt.duration(s.durationMillis)}`
  : 'done');

/**
 * A backup job as it is now: its state, the progress bar with its numbers, the phase while it
 * runs, and at the end the summary (or why it failed). {@code compact} leaves out the links.
 */
export function backupJob(job, { compact = false } = {}) {
  const [done, total] = amounts(job);
  const final = isFinal(job.state);
  return html`<div class="backup-job" data-testid="backup-job" data-job=${job.id} data-state=${job.state}
      data-percent=${percentOf(done, total)}>
    <div class="actions">
      ${badge(job.state)}
      ${job.state === 'FAILED' || job.state === 'CANCELLED' ? nothing : progress(done, total, `Backup of ${job.vm ?? 'the VM'}`)}
      ${!final && job.phase ? html`<span class="help" data-testid="backup-phase">${job.phase}</span>` : nothing}
      ${compact ? nothing : link(`#/jobs/${seg(job.id)}`, `Job ${fmt.shortId(job.id)}`)}
    </div>
    ${job.state === 'SUCCEEDED' ? html`<p class="backup-result" data-testid="backup-result">${summaryText(job.summary)}${
      !compact && job.restorePoint ? html` · new restore point <a href="#/points/${pointPath(job.restorePoint)}"
        data-testid="backup-point">${fmt.time(job.restorePoint.slice(job.restorePoint.lastIndexOf('/') + 1)
          .replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)/, '$1-$2-$3T$4:$5:$6'))}</a>` : nothing}</p>` : nothing}
    ${job.state === 'FAILED' || job.state === 'CANCELLED'
      ? html`<p class="error-text" data-testid="backup-result">${job.state === 'FAILED' ? 'Failed' : 'Cancelled'}: ${job.error ?? 'no reason given'}</p>`
      : nothing}
  </div>`;
}
