// The dashboard: at a glance, is every VM protected within its policy's RPO, what runs now, how
// the store grows, what failed in the last day. One read of GET /api/dashboard, then the job
// events keep the running jobs live; a job that ends reloads the rest.
import { html, render, nothing, uPlot, UPLOT_CSS } from '../vendor.js';
import { api, seg } from '../api.js';
import { page, table, badge, progress, link } from '../ui.js';
import { watchAllJobs, isFinal } from '../jobs.js';
import * as fmt from '../format.js';

const STATUS_LABEL = { OK: 'OK', WARNING: 'Late', CRITICAL: 'Overdue', NONE: 'Unprotected' };

export default async function dashboard(main) {
  ensureChartStyles();
  let view = await api.get('/api/dashboard');
  const running = new Map(view.jobs.running.map((j) => [j.id, j]));
  let charts = [];
  let charted = null;
  let reload = null;

  const draw = () => {
    render(page('Dashboard', body(view, [...running.values()])), main);
    if (charted === view) return; // job progress redraws the tables only
    charted = view;
    charts.forEach((c) => c.destroy());
    charts = [
      chart(main.querySelector('#chart-stored'), 'Stored', view.history, (d) => d.storedBytes, (v) => fmt.bytes(v)),
      chart(main.querySelector('#chart-points'), 'Restore points', view.history, (d) => d.restorePoints, (v) => String(v), true),
    ].filter(Boolean);
  };
  draw();

  const stop = watchAllJobs((job) => {
    if (isFinal(job.state)) {
      if (!running.delete(job.id)) return;
      clearTimeout(reload); // several jobs ending together reload once
      reload = setTimeout(async () => {
        try {
          view = await api.get('/api/dashboard');
          running.clear();
          view.jobs.running.forEach((j) => running.set(j.id, j));
          draw();
        } catch { /* the next ended job tries again */ }
      }, 300);
    } else {
      running.set(job.id, job);
    }
    draw();
  });
  return () => { stop(); clearTimeout(reload); charts.forEach((c) => c.destroy()); };
}

function body(view, running) {
  const vms = view.vms;
  const protectedVms = vms.filter((v) => v.protected);
  const attention = protectedVms.filter((v) => v.status !== 'OK');
  const s = view.store;
  return html`
    <section class="cards" aria-label="Summary">
      <div class="card stat" data-testid="overall">
        <div class="value">${attention.length === 0
          ? html`${badge('OK', protectedVms.length === 0 ? 'No policy yet' : 'All OK')}`
          : badge(attention.some((v) => v.status === 'CRITICAL') ? 'CRITICAL' : 'WARNING', `${attention.length} need attention`)}</div>
        <div class="label">${protectedVms.length} of ${vms.length} VMs protected by a policy</div>
      </div>
      <div class="card stat" data-testid="stored"><div class="value">${fmt.bytes(s.storedBytes)}</div>
        <div class="label">stored for ${fmt.bytes(s.logicalBytes)} of disks in ${s.restorePoints} restore points</div></div>
      <div class="card stat" data-testid="ratios"><div class="value">${fmt.ratio(s.dedupRatio)} · ${fmt.ratio(s.compressionRatio)}</div>
        <div class="label">dedup · compression</div></div>
      <div class="card stat" data-testid="running-count"><div class="value">${running.length}</div>
        <div class="label">jobs running${view.jobs.queued ? `, ${view.jobs.queued} queued` : ''}</div></div>
    </section>

    <h2>Protection</h2>
    ${table([
      ['VM', (v) => link(`#/vm/${seg(v.vm)}`, v.vm)],
      ['Status', (v) => html`<span data-testid="status" data-vm=${v.vm}>${badge(v.status, STATUS_LABEL[v.status])}</span>`],
      ['State', (v) => fmt.state(v.state)],
      ['Policy', (v) => (v.policy ? link(`#/policies/${seg(v.policy)}`, v.policy) : html`<span class="muted">none</span>`)],
      ['RPO', (v) => fmt.seconds(v.rpoSeconds)],
      ['Newest restore point', (v) => (v.ageSeconds == null ? 'none'
        : link(`#/points/${seg(v.vm)}`, fmt.oldness(v.ageSeconds)))],
      ['Last backup', (v) => (v.lastBackup
        ? html`${badge(v.lastBackup.state)} ${link(`#/jobs/${v.lastBackup.jobId}`, fmt.age(v.lastBackup.time))}
            ${v.lastBackup.error ? html`<div class="error-text">${v.lastBackup.error}</div>` : nothing}`
        : 'never')],
      ['Replication lag', (v) => (v.replicationLagSeconds == null ? 'not replicated' : fmt.seconds(v.replicationLagSeconds))],
    ], vms, { empty: 'The default host has no VMs.', label: 'Protection per VM',
      rowClass: (v) => `status-${(v.status ?? '').toLowerCase()}` })}

    <h2>Running jobs</h2>
    ${table([
      ['Job', (j) => link(`#/jobs/${j.id}`, fmt.shortId(j.id))],
      ['Kind', (j) => j.kind],
      ['VM', (j) => j.vm ?? '–'],
      ['Phase', (j) => j.phase ?? badge(j.state)],
      ['Progress', (j) => html`<span data-job=${j.id}>${progress(j.bytesDone, j.bytesTotal)}</span>`],
      ['Started', (j) => fmt.age(j.started ?? j.created)],
    ], running, { empty: 'Nothing runs now.', label: 'Running jobs' })}

    <h2>Over the last ${view.history.length} days</h2>
    <div class="grid2">
      <figure class="chart" aria-label="Stored bytes per day"><figcaption>Stored bytes</figcaption><div id="chart-stored"></div></figure>
      <figure class="chart" aria-label="Restore points per day"><figcaption>Restore points</figcaption><div id="chart-points"></div></figure>
    </div>

    <h2>Failures in the last 24 hours</h2>
    ${table([
      ['Ended', (f) => fmt.time(f.ended)],
      ['Kind', (f) => f.kind],
      ['VM', (f) => f.vm ?? '–'],
      ['Error', (f) => html`<span class="error-text">${f.error ?? 'failed'}</span>`],
      ['Job', (f) => link(`#/jobs/${f.jobId}`, fmt.shortId(f.jobId))],
    ], view.failures, { empty: 'No failures.', label: 'Failures' })}`;
}

/** A bar chart of one series of the history, as wide as its box; the values are in the tooltip-free legend. */
function chart(el, label, history, value, formatValue, counts = false) {
  if (!el) return null;
  const xs = history.map((d) => Date.parse(`${d.day}T12:00:00Z`) / 1000);
  const ys = history.map(value);
  const width = Math.max(280, el.clientWidth || el.parentElement.clientWidth - 16);
  return new uPlot({
    width, height: 200,
    legend: { show: true },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [{}, { values: (u, ticks) => ticks.map(formatValue), size: 70,
      ...(counts ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000] } : {}) }],
    series: [
      { value: (u, v) => (v == null ? '–' : new Date(v * 1000).toISOString().slice(0, 10)) },
      { label, stroke: '#0b5cad', fill: '#0b5cad33', width: 2, value: (u, v) => (v == null ? '–' : formatValue(v)),
        points: { show: false }, paths: uPlot.paths.bars({ size: [0.7, 40] }) },
    ],
  }, [xs, ys], el);
}

function ensureChartStyles() {
  if (document.querySelector('link[data-uplot]')) return;
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = UPLOT_CSS;
  css.dataset.uplot = '';
  document.head.append(css);
}
