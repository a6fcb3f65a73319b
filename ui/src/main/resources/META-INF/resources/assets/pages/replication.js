// Replication to the S3 bucket: where to (never the secret), does the bucket answer, run now with
// live progress, and per VM how far the bucket lags behind.
import { html, render, nothing } from '../vendor.js';
import { api, pointPath } from '../api.js';
import { page, table, badge, facts, act, link, progress } from '../ui.js';
import { watchJob } from '../jobs.js';
import * as fmt from '../format.js';

/** An ISO-8601 duration the API sends (PT24H, PT1H30M) → milliseconds for format.duration. */
function isoMillis(text) {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(text ?? '');
  return m ? ((+(m[1] ?? 0) * 60 + +(m[2] ?? 0)) * 60 + +(m[3] ?? 0)) * 1000 : null;
}

const pointTime = (id) => id.slice(id.lastIndexOf('/') + 1);

export default async function replication(main) {
  let status = await api.get('/api/replication');
  let points = status.configured ? await api.get('/api/restore-points') : [];
  let check = null;
  let job = status.running;
  let stop = null;

  const reload = async () => {
    status = await api.get('/api/replication');
    points = await api.get('/api/restore-points');
    draw();
  };

  const follow = (id) => {
    stop?.();
    stop = watchJob(id, (j) => {
      job = j;
      draw();
      if (j.state === 'SUCCEEDED' || j.state === 'FAILED' || j.state === 'CANCELLED') reload().catch(() => {});
    });
  };

  async function test(button) {
    const answer = await act(button, () => api.post('/api/replication/test'));
    if (answer) { check = answer; draw(); }
  }

  async function runNow(button) {
    const started = await act(button, () => api.post('/api/replication'), 'Replication started');
    if (started) follow(started.jobId);
  }

  function settings() {
    return html`<section class="card" data-testid="settings">
      <h2>Settings</h2>
      ${facts([
        ['Endpoint', status.endpoint ?? 'AWS S3'],
        ['Bucket', html`<span data-testid="bucket">${status.bucket}</span>`],
        ['Region', status.region ?? '–'],
        ['Access key id', html`<span data-testid="access-key">${status.accessKeyId ?? 'the AWS default credential chain'}</span>`],
        ['Secret key', html`<span class="help">not shown</span>`],
        ['Uploads', html`<code>${status.uploads}</code>`],
        ['After each backup', status.afterBackup ? 'yes' : 'no'],
        ['Schedule', status.every ? `every ${fmt.duration(isoMillis(status.every))}` : 'none'],
        ['Prune from the bucket', status.pruneGrace ? `after ${fmt.duration(isoMillis(status.pruneGrace))}` : 'off'],
      ])}
      <p class="help">Set under <code>lifeboat.replication</code> in the appliance's configuration (see docs/replication.md).</p>
      <div class="actions">
        <button type="button" data-testid="test-connection" @click=${(e) => test(e.currentTarget)}>Test connection</button>
      </div>
      ${check ? html`<p data-testid="test-result" data-ok=${String(check.ok)}>${check.ok ? badge('OK', 'works') : badge('FAILED', 'fails')}
        ${check.message}</p>
        ${check.refused?.length ? html`<ul class="help">${check.refused.map((r) => html`<li>${r}</li>`)}</ul>` : nothing}` : nothing}
    </section>`;
  }

  function runs() {
    const last = status.last;
    const r = last?.report;
    return html`<section class="card" data-testid="runs">
      <h2>Runs</h2>
      ${job ? html`<p data-testid="run-job" data-state=${job.state}>Job ${link(`#/jobs/${job.id}`, fmt.shortId(job.id))} ${badge(job.state)}
        ${job.state === 'RUNNING' || job.state === 'QUEUED' ? html`${progress(job.bytesDone, job.bytesTotal, 'replication progress')}
          <span class="help">${job.phase ?? ''}</span>` : nothing}
        ${job.error ? html`<span class="error-text">${job.error}</span>` : nothing}</p>` : nothing}
      ${last ? facts([
        ['Last run', html`${badge(last.state)} ended ${fmt.time(last.ended)} (${fmt.age(last.ended)})`],
        ...(last.error ? [['Error', html`<span class="error-text">${last.error}</span>`]] : []),
        ...(r ? [
          ['Uploaded', `${r.uploadedPacks} pack(s), ${r.uploadedManifests} restore point(s), ${fmt.bytes(r.uploadedBytes)}`],
          ['Already there', `${r.skippedPacks} pack(s), ${r.skippedManifests} restore point(s)`],
        ] : []),
      ]) : html`<p class="empty">No run has finished yet.</p>`}
      <div class="actions">
        <button type="button" class="primary" data-testid="run-replication" ?disabled=${job && (job.state === 'RUNNING' || job.state === 'QUEUED')}
          @click=${(e) => runNow(e.currentTarget)}>Replicate now</button>
      </div>
    </section>`;
  }

  function lag() {
    const rows = Object.entries(status.vms ?? {}).map(([vm, v]) => ({ vm, ...v }));
    return html`<h2>Lag per VM</h2>
      ${table([
        ['VM', (v) => v.vm],
        ['Newest in the bucket', (v) => (v.newestInBucket
          ? link(`#/points/${pointPath(v.newestInBucket)}`, pointTime(v.newestInBucket)) : html`<span class="help">nothing yet</span>`)],
        ['Lag', (v) => html`<span data-testid="lag" data-vm=${v.vm}>${v.lagSeconds === null ? '–' : fmt.seconds(v.lagSeconds)}</span>`],
        ['Bucket listed', (v) => (v.checkedAt ? html`<span title=${fmt.time(v.checkedAt)}>${fmt.age(v.checkedAt)}</span>` : '–')],
      ], rows, { empty: 'No VM has restore points yet.', label: 'Replication lag per VM' })}`;
  }

  function bucket() {
    const inBucket = points.filter((p) => p.replicated);
    const missing = points.length - inBucket.length;
    return html`<h2>In the bucket</h2>
      <p class="help" data-testid="bucket-summary">${inBucket.length} of ${points.length} restore point(s) in the store
        ${missing ? html`; ${missing} not replicated yet` : nothing}, as of the last listing.</p>
      ${table([
        ['VM', (p) => p.vm],
        ['Taken', (p) => link(`#/points/${pointPath(p.id)}`, fmt.time(p.time))],
        ['Kind', (p) => p.kind],
        ['Stored', (p) => fmt.bytes(p.storedBytes)],
      ], inBucket, { empty: 'The bucket holds no restore point of this store yet.', label: 'Restore points in the bucket' })}`;
  }

  function draw() {
    if (!status.configured) {
      render(page('Replication', html`<p class="empty" data-testid="not-configured">Replication is off: no bucket is configured.
        Set <code>lifeboat.replication.bucket</code> (and endpoint and keys for an S3-compatible server) in the
        appliance's configuration.</p>`), main);
      return;
    }
    render(page('Replication', html`<div class="grid2">${settings()}${runs()}</div>${lag()}${bucket()}`), main);
  }

  draw();
  if (job) follow(job.id);
  return () => stop?.();
}
