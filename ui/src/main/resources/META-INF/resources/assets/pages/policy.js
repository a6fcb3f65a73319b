// One policy: create or edit it (errors shown at their fields, in the appliance's words), when it
// fires next, what its retention would keep and why, pause/resume, run now with live progress,
// delete. #/policies/new creates; #/policies/<name> shows and edits.
import { html, render, nothing } from '../vendor.js';
import { api, seg, pointPath, Problem } from '../api.js';
import { page, table, badge, facts, field, toast, fail, confirm, act, formValues, link, progress } from '../ui.js';
import { watchAllJobs, isFinal } from '../jobs.js';
import * as fmt from '../format.js';
import { instant, retentionText, selectionText } from './policy-text.js';

const RULES = ['keep-last', 'keep-hourly', 'keep-daily', 'keep-weekly', 'keep-monthly', 'keep-yearly'];
const MISFIRE = [
  ['RUN_ONCE_IF_IN_WINDOW', 'Run once if still in the window'],
  ['SKIP', 'Skip: wait for the next fire time'],
];
// every field the form has; a violation for any other field is shown above the form
const FIELDS = ['name', 'selection.names', 'selection.globs', 'selection.tags', 'cron', 'timeZone', 'window.start',
  'window.end', 'maxConcurrentPerHost', 'maxConcurrentTotal', 'retries.count', 'retries.backoff', 'verifyCron', 'gcCron',
  'misfire', ...RULES.map((r) => `retention.${r}`)];

const list = (text) => (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const count = (text) => (text === undefined || text.trim() === '' ? null : Number(text));

/** The form's strings as the policy document POST and PUT take. */
function documentOf(v, name) {
  const window = v['window.start'] || v['window.end'] ? { start: v['window.start'] || null, end: v['window.end'] || null } : null;
  const retention = {};
  for (const r of RULES) retention[r] = count(v[`retention.${r}`]) ?? 0;
  return {
    name,
    selection: { names: list(v['selection.names']), globs: list(v['selection.globs']), tags: list(v['selection.tags']) },
    cron: v.cron, timeZone: v.timeZone, window,
    maxConcurrentPerHost: count(v.maxConcurrentPerHost), maxConcurrentTotal: count(v.maxConcurrentTotal),
    retries: { count: count(v['retries.count']), backoff: v['retries.backoff'] || null },
    replicateAfterBackup: v.replicateAfterBackup === 'on',
    retention, verifyCron: v.verifyCron || null, gcCron: v.gcCron || null, misfire: v.misfire,
  };
}

/** Where a violation belongs: its own field, or "selection" (no VM selected at all) on the names. */
function errorFor(problem, name) {
  if (!problem) return undefined;
  const own = problem.violations.filter((v) => v.field === name
    || (name === 'window.start' && v.field === 'window')
    || (name === 'selection.names' && (v.field === 'selection' || v.field === '' || v.field === 'names'))
    || (name === 'selection.globs' && v.field === 'globs') || (name === 'selection.tags' && v.field === 'tags'));
  return own.length ? own.map((v) => v.message).join('; ') : undefined;
}

function unplaced(problem) {
  const placed = new Set([...FIELDS, 'window', 'selection', '', 'names', 'globs', 'tags']);
  return problem ? problem.violations.filter((v) => !placed.has(v.field)) : [];
}

function form(def, { creating, problem, onSubmit }) {
  const f = (label, name, value, extra = {}) => field({ label, name, value, error: errorFor(problem, name), ...extra });
  const sel = def.selection ?? {};
  const others = unplaced(problem);
  return html`<form class="stack policy-form" novalidate data-testid="policy-form" @submit=${onSubmit}>
    ${problem ? html`<div class="message error-box" role="alert" data-testid="form-problem">
      <strong>Not saved.</strong> ${problem.violations.length ? 'Fix the fields marked below.' : problem.message}
      ${others.length ? html`<ul>${others.map((v) => html`<li>${v.field}: ${v.message}</li>`)}</ul>` : nothing}</div>` : nothing}
    ${creating ? f('Name', 'name', def.name, { required: true, help: '1 to 64 of A-Z a-z 0-9 . _ -; it cannot be changed later' }) : nothing}
    <fieldset><legend>Which VMs</legend>
      ${f('VM names', 'selection.names', (sel.names ?? []).join(', '), { help: 'exact names, separated by commas' })}
      ${f('Name globs', 'selection.globs', (sel.globs ?? []).join(', '), { help: 'e.g. web-*, db-{a,b}' })}
      ${f('Tags', 'selection.tags', (sel.tags ?? []).join(', '), { help: 'a VM with any of these tags' })}
    </fieldset>
    <fieldset><legend>When</legend>
      ${f('Backup schedule (Quartz cron)', 'cron', def.cron, { required: true, help: 'seconds first: 0 30 1 * * ? is 01:30 every day' })}
      ${f('Time zone', 'timeZone', def.timeZone, { required: true, help: 'e.g. Europe/Berlin or UTC' })}
      <div class="grid2 tight">
        ${f('Window start', 'window.start', def.window?.start, { help: 'HH:mm; both empty: no window', attrs: { placeholder: 'HH:mm' } })}
        ${f('Window end', 'window.end', def.window?.end, { help: 'HH:mm, on the day it starts', attrs: { placeholder: 'HH:mm' } })}
      </div>
      <div class="field">
        <label for="f-misfire">Missed fire times</label>
        <select id="f-misfire" name="misfire">${MISFIRE.map(([v, l]) => html`<option value=${v} ?selected=${def.misfire === v}>${l}</option>`)}</select>
        ${errorFor(problem, 'misfire') ? html`<small class="error" data-field-error="misfire">${errorFor(problem, 'misfire')}</small>` : nothing}
      </div>
      ${f('Verify schedule (cron)', 'verifyCron', def.verifyCron, { help: 'optional: re-read the store on this schedule' })}
      ${f('GC schedule (cron)', 'gcCron', def.gcCron, { help: 'optional: apply retention and reclaim space on this schedule' })}
    </fieldset>
    <fieldset><legend>How many at once, retries</legend>
      <div class="grid2 tight">
        ${f('Per host', 'maxConcurrentPerHost', def.maxConcurrentPerHost, { type: 'number', attrs: { min: 1 } })}
        ${f('In total', 'maxConcurrentTotal', def.maxConcurrentTotal, { type: 'number', attrs: { min: 1 } })}
        ${f('Retries', 'retries.count', def.retries?.count, { type: 'number', attrs: { min: 0 } })}
        ${f('Wait between retries', 'retries.backoff', def.retries?.backoff, { help: 'ISO-8601, e.g. PT10M' })}
      </div>
      <label class="check"><input type="checkbox" name="replicateAfterBackup" id="f-replicateAfterBackup"
        ?checked=${def.replicateAfterBackup !== false}> Replicate after each backup</label>
    </fieldset>
    <fieldset><legend>Retention (0 switches a rule off; all 0 keeps everything)</legend>
      <div class="grid3">${RULES.map((r) => f(r, `retention.${r}`, def.retention?.[r] ?? 0, { type: 'number', attrs: { min: 0 } }))}</div>
    </fieldset>
    <div class="actions">
      <button type="submit" class="primary" data-testid="save">${creating ? 'Create policy' : 'Save changes'}</button>
      <a class="button" href="#/policies">Cancel</a>
    </div>
  </form>`;
}

const DEFAULTS = {
  name: '', selection: { names: [], globs: [], tags: [] }, cron: '0 30 1 * * ?',
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', window: null, maxConcurrentPerHost: 1,
  maxConcurrentTotal: 4, retries: { count: 2, backoff: 'PT10M' }, replicateAfterBackup: true,
  retention: { 'keep-last': 3, 'keep-daily': 7, 'keep-weekly': 4 }, verifyCron: null, gcCron: null,
  misfire: 'RUN_ONCE_IF_IN_WINDOW',
};

export default async function policy(main, params) {
  return params.name === undefined ? create(main) : show(main, params.name);
}

function create(main) {
  let def = DEFAULTS;
  let problem = null;
  const draw = () => render(page('New policy', form(def, { creating: true, problem, onSubmit })), main);
  async function onSubmit(e) {
    e.preventDefault();
    const values = formValues(e.target);
    def = documentOf(values, values.name);
    const button = e.target.querySelector('[data-testid=save]');
    button.disabled = true;
    try {
      const saved = await api.post('/api/policies', def);
      toast(`Policy ${saved.name} created`);
      (saved.warnings ?? []).forEach((w) => toast(w, 'bad'));
      location.hash = `#/policies/${seg(saved.name)}`;
    } catch (err) {
      if (!(err instanceof Problem) || err.status === 401) throw err;
      problem = err;
      draw();
      main.querySelector('[aria-invalid=true]')?.focus();
    } finally {
      button.disabled = false;
    }
  }
  draw();
}

const OUTCOME_TONE = { PARTIAL: 'WARNING', NO_VMS: 'WARNING', BUSY: 'WARNING', SKIPPED_OUTSIDE_WINDOW: 'NONE', SKIPPED_MISFIRE: 'NONE', MISFIRE_PENDING: 'QUEUED' };
const outcomeBadge = (outcome) => badge(OUTCOME_TONE[outcome] ?? outcome, outcome.toLowerCase().replaceAll('_', ' '));

const firesList = (times) => (times?.length
  ? html`<ol class="fires">${times.map((t) => html`<li>${fmt.time(instant(t))} <span class="help">(${fmt.age(instant(t))})</span></li>`)}</ol>`
  : html`<span class="help">none</span>`);

async function show(main, name) {
  const base = `/api/policies/${seg(name)}`;
  let view = await api.get(base);
  let preview = null;
  let previewProblem = null;
  let problem = null;
  let editing = false;
  // run now: the request's time, then the runs and jobs that answered it, as the job events bring them
  let runRequest = null;
  const jobs = new Map();
  let stopJobs = null;

  const loadPreview = async () => {
    try { preview = await api.get(`${base}/prune-preview`); previewProblem = null; } catch (e) { previewProblem = e; }
  };
  await loadPreview();

  const refresh = async () => { view = await api.get(base); draw(); };

  function runNowRuns() {
    if (!runRequest) return [];
    return (view.recentRuns ?? []).filter((r) => r.cause === 'RUN_NOW' && new Date(r.fired) >= runRequest.at);
  }

  async function followRun() {
    // the appliance picks the run up through Quartz: its jobs appear as job events; each new one
    // of this policy's kind makes us read the policy's runs again, to learn which jobs are ours
    let reading = null;
    stopJobs?.();
    stopJobs = watchAllJobs((job) => {
      const ours = runNowRuns().some((r) => (r.jobIds ?? []).includes(job.id));
      if (ours || jobs.has(job.id)) {
        jobs.set(job.id, job);
        draw();
        if (isFinal(job.state) && [...jobs.values()].every((j) => isFinal(j.state))) settle(0);
      } else if (new Date(job.created) >= runRequest.at && !reading) {
        reading = refresh().then(() => {
          for (const r of runNowRuns()) for (const id of r.jobIds ?? []) if (id === job.id) jobs.set(id, job);
          draw();
        }).catch(fail).finally(() => { reading = null; });
      }
    });
  }

  // The run's own row ends just after its last job (retention, replication after it), and no job
  // event says so: read it again a few times, backing off, until its outcome is final.
  let settling = null;
  function settle(attempt) {
    clearTimeout(settling);
    refresh().then(loadPreview).then(draw).then(() => {
      const open = runNowRuns().some((r) => r.outcome === 'RUNNING');
      if (open && attempt < 6) settling = setTimeout(() => settle(attempt + 1), 500 * 2 ** attempt);
    }).catch(fail);
  }

  async function runNow(button, kind) {
    const at = new Date(Date.now() - 1000); // the appliance's clock may be a little behind ours
    const done = await act(button, () => api.post(`${base}/run?kind=${kind}`),
      `${kind === 'backup' ? 'Backup' : kind === 'verify' ? 'Verify' : 'GC'} run of ${name} requested`);
    if (done) {
      runRequest = { at, kind };
      jobs.clear();
      draw();
      followRun();
    }
  }

  async function pauseResume(button) {
    const action = view.paused ? 'resume' : 'pause';
    const after = await act(button, () => api.post(`${base}/${action}`), `${name} ${view.paused ? 'resumed' : 'paused'}`);
    if (after) { view = { ...view, ...after, recentRuns: view.recentRuns }; draw(); }
  }

  async function remove(button) {
    const ok = await confirm({
      title: `Delete policy ${name}?`,
      message: 'Its schedules stop. Its restore points stay in the store until you delete them.',
      confirmLabel: 'Delete policy', typed: name,
    });
    if (!ok) return;
    if (await act(button, () => api.del(base).then(() => true), `Policy ${name} deleted`)) location.hash = '#/policies';
  }

  async function onSubmit(e) {
    e.preventDefault();
    const doc = documentOf(formValues(e.target), name);
    const button = e.target.querySelector('[data-testid=save]');
    button.disabled = true;
    try {
      const saved = await api.put(base, doc);
      (saved.warnings ?? []).forEach((w) => toast(w, 'bad'));
      toast(`Policy ${name} saved`);
      problem = null;
      editing = false;
      view = { ...view, ...saved, recentRuns: view.recentRuns };
      await loadPreview();
    } catch (err) {
      if (!(err instanceof Problem) || err.status === 401) throw err;
      problem = err;
      view = { ...view, definition: doc };
    } finally {
      button.disabled = false;
    }
    draw();
    main.querySelector('[aria-invalid=true]')?.focus();
  }

  function runPanel() {
    if (!runRequest) return nothing;
    const runs = runNowRuns();
    return html`<section class="card run-now" data-testid="run-now" aria-live="polite">
      <h2>Run now: ${runRequest.kind}</h2>
      ${runs.length === 0 && jobs.size === 0 ? html`<p class="help">Requested; waiting for the appliance to start it…</p>` : nothing}
      ${runs.map((r) => html`<p data-testid="run-outcome" data-outcome=${r.outcome}>Run ${outcomeBadge(r.outcome)}
        ${r.vms?.length ? html`for ${r.vms.join(', ')}` : nothing} ${r.detail ? html`<span class="help">${r.detail}</span>` : nothing}</p>`)}
      ${table([
        ['Job', (j) => link(`#/jobs/${seg(j.id)}`, fmt.shortId(j.id))],
        ['Kind', (j) => j.kind],
        ['VM', (j) => j.vm ?? '–'],
        ['State', (j) => badge(j.state)],
        ['Progress', (j) => html`${progress(j.bytesDone, j.bytesTotal, `progress of job ${fmt.shortId(j.id)}`)}
          ${isFinal(j.state) ? nothing : html`<span class="help">${j.phase ?? ''}</span>`}`],
        ['', (j) => (j.error ? html`<span class="error-text">${j.error}</span>` : nothing)],
      ], [...jobs.values()], { empty: '', label: 'Jobs of this run' })}
    </section>`;
  }

  function draw() {
    const d = view.definition;
    const next = view.nextFireTimes ?? {};
    const body = html`
      ${facts([
        ['State', view.paused ? badge('PAUSED', 'paused') : badge('OK', 'active')],
        ['Selection', html`<span data-testid="selection">${selectionText(d.selection)}</span>`],
        ['Schedule', html`<code>${d.cron}</code> in ${d.timeZone}${d.window ? html`, window ${d.window.start}–${d.window.end}` : nothing}`],
        ['Retention', retentionText(d.retention)],
        ['Created', fmt.time(view.created)],
        ['Changed', fmt.time(view.updated)],
      ])}
      ${runPanel()}
      <h2>Next fire times</h2>
      ${view.paused ? html`<p class="help" data-testid="paused-note">Paused: nothing fires until it is resumed.</p>` : nothing}
      <div class="grid3" data-testid="next-fire-times">
        ${Object.entries(next).map(([kind, times]) => html`<div class="card" data-schedule=${kind}><h3>${kind}</h3>${firesList(times)}</div>`)}
      </div>
      <h2>Edit</h2>
      ${editing ? form(d, { creating: false, problem, onSubmit })
        : html`<button type="button" data-testid="edit" @click=${() => { editing = true; draw(); main.querySelector('#f-cron')?.focus(); }}>Edit the definition</button>`}
      <h2>Retention preview</h2>
      <p class="help">What the policy's next GC would keep and remove now, and the rule that keeps each restore point.</p>
      ${previewProblem ? html`<p class="error-text">${previewProblem.message}</p>` : table([
        ['VM', (p) => p.vm],
        ['Restore point', (p) => link(`#/points/${pointPath(p.restorePoint)}`, fmt.time(p.time))],
        ['Decision', (p) => (p.keep ? badge('OK', 'keep') : badge('WARNING', 'remove'))],
        ['Rule', (p) => html`<span data-testid="keep-rule" data-mark=${p.mark}>${p.reason}</span>`],
      ], preview ?? [], { empty: 'No restore points of the selected VMs yet.', label: 'Retention preview' })}
      <h2>Recent runs</h2>
      ${table([
        ['Kind', (r) => r.kind],
        ['Fired', (r) => fmt.time(r.fired)],
        ['Cause', (r) => r.cause.toLowerCase().replaceAll('_', ' ')],
        ['Outcome', (r) => outcomeBadge(r.outcome)],
        ['Took', (r) => (r.ended ? fmt.duration(new Date(r.ended) - new Date(r.fired)) : '–')],
        ['VMs', (r) => (r.vms ?? []).join(', ') || '–'],
        ['Detail', (r) => r.detail ?? ''],
      ], view.recentRuns ?? [], { empty: 'It has not run yet.', label: 'Recent runs' })}`;
    render(page(html`Policy <span data-testid="policy-name">${name}</span>`, body, html`
      <button type="button" data-testid="pause-resume" @click=${(e) => pauseResume(e.currentTarget)}>${view.paused ? 'Resume' : 'Pause'}</button>
      <button type="button" class="primary" data-testid="run-backup" @click=${(e) => runNow(e.currentTarget, 'backup')}>Back up now</button>
      ${d.verifyCron ? html`<button type="button" data-testid="run-verify" @click=${(e) => runNow(e.currentTarget, 'verify')}>Verify now</button>` : nothing}
      ${d.gcCron ? html`<button type="button" data-testid="run-gc" @click=${(e) => runNow(e.currentTarget, 'gc')}>GC now</button>` : nothing}
      <button type="button" class="danger" data-testid="delete" @click=${(e) => remove(e.currentTarget)}>Delete</button>`), main);
  }

  draw();
  return () => { stopJobs?.(); clearTimeout(settling); };
}
