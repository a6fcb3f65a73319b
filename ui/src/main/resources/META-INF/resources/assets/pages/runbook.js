// One DR runbook (#/runbooks/<name>, #/runbooks/new): its run order, versions and YAML, edited in
// place. "Check" asks the appliance to check it (every problem with its line, nothing stored),
// "Save" stores it as the next version. Its runs: the readiness check (shown here), a test
// failover (with an optional time to live) and a failover (after typing the runbook's name), each
// then followed on its run page; its scheduled drill with the next time and the last outcome; its
// runs so far. Schema: docs/runbooks.md.
import { html, render, nothing } from '../vendor.js';
import { api, seg } from '../api.js';
import { page, table, act, toast, confirm, ask, badge, fail } from '../ui.js';
import { runState, kindText, runLink, runHref, poll } from '../runs.js';
import * as fmt from '../format.js';

const TEMPLATE = `runbook: my-runbook
description: what comes back, and in which order
groups:
  - name: database
    vms:
      - vm: pg01
        checks:
          - agent: {timeout: 2m}
          - tcp: {port: 5432}
  - name: web
    vms:
      - vm: web01
        checks:
          - http: {port: 80, path: /, status: 200}
`;

const DRILL_TONE = { STARTED: 'RUNNING', DONE: 'SUCCEEDED', HALTED: 'FAILED', WAITING_APPROVAL: 'WARNING',
  SKIPPED: 'NONE', NOT_STARTED: 'FAILED' };

const postYaml = (path, yaml) => api.postText(path, yaml, 'application/yaml');

const pointText = (p) => (p === 'newest-replicated' ? 'newest in the bucket' : p);
const checkText = (c) => ({
  running: 'running',
  agent: 'agent answers',
  tcp: `TCP ${c.port}`,
  http: `HTTP ${c.port}${c.path} → ${c.status}`,
  command: `runs ${(c.run ?? []).join(' ')}`,
}[c.kind] ?? c.kind) + ` (${fmt.seconds(c.timeoutSeconds)})`;

export default async function runbook(main, params) {
  const isNew = !params.name;
  const shown = isNew ? null : await api.get(`/api/runbooks/${seg(params.name)}`);
  const versions = isNew ? [] : await api.get(`/api/runbooks/${seg(params.name)}/versions`);
  const runs = isNew ? [] : (await api.get('/api/runbook-runs')).filter((r) => r.runbook === shown.name).reverse();
  let readiness = null; // the last readiness report, or {error}
  let yaml = shown?.yaml ?? TEMPLATE;
  let checked = null; // {valid, problems, runbook} of the last "Check"

  const editor = () => main.querySelector('#rb-yaml');
  const goToLine = (line) => {
    const ta = editor();
    const lines = ta.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    ta.focus();
    ta.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  };
  const check = async (e) => {
    yaml = editor().value;
    const r = await act(e.currentTarget, () => postYaml('/api/runbooks/validate', yaml));
    if (r) { checked = r; draw(); }
  };
  const save = async (e) => {
    yaml = editor().value;
    const button = e.currentTarget;
    button.disabled = true;
    try {
      const saved = await postYaml('/api/runbooks', yaml);
      const same = shown && saved.version === shown.version;
      toast(same ? 'No change: the YAML is the newest version already' : `Saved ${saved.name} as version ${saved.version}`);
      if (isNew || saved.name !== params.name || !same) {
        // the same page: draw it again from the appliance (a reload would drop the toast)
        if (location.hash === `#/runbooks/${seg(saved.name)}`) await runbook(main, params); else location.hash = `#/runbooks/${seg(saved.name)}`;
      }
    } catch (err) {
      checked = { valid: false, problems: err.body?.problems ?? [{ line: 1, column: 1, message: err.message }] };
      draw();
      toast(err.message.split('\n')[0], 'bad');
    } finally {
      button.disabled = false;
    }
  };
  const remove = async (e) => {
    const ok = await confirm({ title: `Delete runbook ${shown.name}?`, confirmLabel: 'Delete',
      message: 'Every version is deleted here. The copies already replicated stay in the bucket.', typed: shown.name });
    if (!ok) return;
    const done = await act(e.currentTarget, async () => { await api.del(`/api/runbooks/${seg(shown.name)}`); return true; },
      `Runbook ${shown.name} deleted`);
    if (done) location.hash = '#/runbooks';
  };

  const checkReadiness = async (e) => {
    const kind = main.querySelector('#rb-ready-kind').value;
    const button = e.currentTarget;
    button.disabled = true;
    try {
      readiness = await api.post(`/api/runbooks/${seg(shown.name)}/readiness?kind=${kind}`);
    } catch (err) {
      readiness = { error: err.message };
      fail(err);
    } finally {
      button.disabled = false;
    }
    draw();
  };
  const start = async (button, body, what) => {
    const run = await act(button, () => api.post(`/api/runbooks/${seg(shown.name)}/runs`, body),
      (r) => `${what} ${r.run} of ${shown.name} started`);
    if (run) location.hash = runHref(run.run);
  };
  const testFailover = async (e) => {
    const button = e.currentTarget;
    const v = await ask({ title: `Test failover of ${shown.name}`, confirmLabel: 'Start the test failover', danger: false,
      message: html`Every VM comes back as <code>&lt;name&gt;-test-&lt;run&gt;</code> with a new identity, on an isolated
        network of the run's own with no route out. Production is not touched.`,
      fields: [{ name: 'ttl', label: 'Clean up after (optional)', placeholder: '2h',
        help: 'A duration (90s, 30m, 2h); empty: only when you clean it up.' }] });
    if (!v) return;
    await start(button, { kind: 'test', ...(v.ttl.trim() ? { ttl: v.ttl.trim() } : {}) }, 'Test failover');
  };
  const failover = async (e) => {
    const button = e.currentTarget;
    const v = await ask({ title: `Fail over ${shown.name}?`, confirmLabel: 'Fail over', typed: shown.name,
      message: html`<strong>This is not a drill.</strong> The VMs come back under their runbook names, on their mapped
        networks, each fenced first against the primary site.`,
      fields: [{ name: 'primaryLost', type: 'checkbox', label: 'The primary site is lost',
        help: 'Go on although the primary does not answer. Only if it really is down: both sites could run the VMs.' }] });
    if (!v) return;
    await start(button, { kind: 'failover', primaryLost: v.primaryLost }, 'Failover');
  };
  const failback = async (e) => {
    const button = e.currentTarget;
    const v = await ask({ title: `Fail ${shown.name} back to the primary?`, confirmLabel: 'Start the failback',
      typed: shown.name,
      message: html`The VMs the failover recovered are backed up while they run and written into the originals at the
        primary (which must be shut off). The cutover then shuts the recovered VMs down, copies their last changes and
        starts the originals.`,
      fields: [{ name: 'cutover', type: 'checkbox', label: 'Cut over as soon as they are synced',
        help: 'Otherwise the run waits for the cutover to be approved on its page.' }] });
    if (!v) return;
    await start(button, { kind: 'failback', approve: v.cutover ? ['cutover'] : [] }, 'Failback');
  };
  // the drill read again every second while its last firing is not in yet or its run goes on
  let stopDrill = () => {};
  const followDrill = (firedAfter = null) => {
    stopDrill();
    const pending = (d) => d && (!d.last || (firedAfter && new Date(d.last.fired) < firedAfter)
      || d.last.outcome === 'STARTED');
    if (!pending(shown.drill) && !firedAfter) return;
    stopDrill = poll(`/api/runbooks/${seg(shown.name)}`, (r) => pending(r.drill),
      (r) => { shown.drill = r.drill; draw(); }, fail);
  };
  const drillNow = async (e) => {
    const firedAfter = new Date(Date.now() - 5000); // the appliance's clock may differ a little
    const done = await act(e.currentTarget, async () => { await api.post(`/api/runbooks/${seg(shown.name)}/drill`); return true; },
      'Drill fired: its outcome shows here once its run stops');
    if (done) followDrill(firedAfter);
  };

  const item = (vm, check) => vm.items.find((i) => i.check === check);
  const itemCell = (vm, ...checks) => {
    const items = checks.map((c) => item(vm, c)).filter(Boolean);
    if (!items.length) return '–';
    return html`${items.map((i) => html`<div data-check=${i.check} data-ok=${String(i.ok)}
      class=${i.ok ? '' : 'error-text'}>${i.ok ? '' : '✗ '}${i.detail}</div>`)}`;
  };
  const readinessReport = () => {
    if (!readiness) return nothing;
    if (readiness.error) {
      return html`<p class="message error-box" role="alert" data-testid="readiness-error">Readiness check failed:
        ${readiness.error}</p>`;
    }
    const problems = (v) => v.items.filter((i) => !i.ok);
    return html`<div data-testid="readiness">
      <p>${badge(readiness.ready ? 'OK' : 'FAILED', readiness.ready ? 'ready' : 'not ready')}
        ${kindText(readiness.kind)} readiness, checked ${fmt.time(readiness.checked)}.</p>
      ${table([
        ['VM', (v) => html`<span data-vm=${v.vm}>${v.vm}</span> <span class="help">(${v.group})</span>`],
        ['Comes back as', (v) => v.name],
        ['Restore point', (v) => v.restorePoint ?? html`<span class="error-text">none</span>`],
        ['Age', (v) => fmt.seconds(v.rpoSeconds)],
        ['Whole', (v) => itemCell(v, 'whole')],
        ['Target', (v) => html`${v.target}${itemCell(v, 'target', 'name')}`],
        ['Room', (v) => itemCell(v, 'storage', 'memory')],
        ['Networks', (v) => itemCell(v, 'networks')],
        ['Problems', (v) => (problems(v).length ? html`<ul class="error-text" data-testid="vm-problems">
          ${problems(v).map((i) => html`<li>${i.check}: ${i.detail}</li>`)}</ul>` : 'none')],
      ], readiness.vms, { label: 'Readiness' })}</div>`;
  };
  const drill = (d) => (d ? html`<h3>Scheduled drill</h3>
    <div data-testid="drill">
      <p>A test failover at <code>${d.schedule}</code> (${d.zone}), cleaned up ${fmt.seconds(d.ttlSeconds)} after it
        starts. Next: <strong data-testid="drill-next">${d.nextFireTime ? `${fmt.time(d.nextFireTime)} (${fmt.age(d.nextFireTime)})`
          : 'not scheduled'}</strong>.</p>
      <p data-testid="drill-last">Last drill: ${d.last ? html`${badge(DRILL_TONE[d.last.outcome] ?? d.last.outcome,
          d.last.outcome.toLowerCase().replaceAll('_', ' '))} ${fmt.time(d.last.fired)}
        ${d.last.run ? html` · run ${runLink(d.last.run)} ${d.lastRunState ? runState(d.lastRunState) : nothing}` : nothing}
        ${d.last.detail ? html`<span class=${d.last.outcome === 'SKIPPED' ? 'help' : 'error-text'}>${d.last.detail}</span>` : nothing}`
        : 'never yet'}</p>
      <p><button type="button" class="small" data-action="drill-now" @click=${drillNow}>Run the drill now</button></p>
    </div>` : nothing);
  const runsPanel = () => html`<h2>Runs</h2>
    <div class="actions">
      <label for="rb-ready-kind" class="help">Readiness for</label>
      <select id="rb-ready-kind" class="inline"><option value="test">a test failover</option>
        <option value="failover">a failover</option></select>
      <button type="button" data-action="readiness" @click=${checkReadiness}>Check readiness</button>
      <button type="button" class="primary" data-action="test" @click=${testFailover}>Test failover…</button>
      <button type="button" class="danger" data-action="failover" @click=${failover}>Failover…</button>
      <button type="button" data-action="failback" @click=${failback}>Failback…</button>
    </div>
    ${readinessReport()}
    ${drill(shown.drill)}
    <h3>Runs of this runbook</h3>
    ${table([
      ['Run', (r) => runLink(r.run)],
      ['Kind', (r) => kindText(r.kind)],
      ['State', (r) => runState(r.state)],
      ['Started', (r) => fmt.time(r.started)],
      ['RTO', (r) => fmt.seconds(r.rtoSeconds)],
    ], runs, { empty: 'Not run yet.', label: 'Runs of this runbook' })}`;

  const runOrder = (r) => html`<h3>Run order</h3>
    <ol class="run-order" data-testid="run-order">${r.groups.map((g) => html`<li data-group=${g.name}>
      <strong>${g.name}</strong>${g.after.length ? html` <span class="help">after ${g.after.join(', ')}</span>` : nothing}
      ${table([
        ['VM', (v) => html`<span data-vm=${v.vm}>${v.vm}</span>`],
        ['Restore point', (v) => pointText(v.point)],
        ['Mode', (v) => (v.mode === 'instant' ? 'instant recovery' : 'full restore')],
        ['Where', (v) => [v.target, v.pool ? `pool ${v.pool}` : v.directory].filter(Boolean).join(' · ') || 'the default host'],
        ['Checks', (v) => v.checks.map(checkText).join(', ') || '–'],
      ], g.vms, { label: `Group ${g.name}` })}
      ${g.pauseSeconds ? html`<p class="help">then wait ${fmt.seconds(g.pauseSeconds)}</p>` : nothing}
      ${g.approval ? html`<p class="help">then ask: “${g.approval}”</p>` : nothing}
    </li>`)}</ol>`;

  const problems = () => (checked && !checked.valid ? html`<ul class="problems error-text" data-testid="problems">
      ${checked.problems.map((p) => html`<li><a href="javascript:void 0" @click=${() => goToLine(p.line)}
        data-line=${p.line}>line ${p.line}, column ${p.column}</a>: ${p.message}</li>`)}</ul>`
    : checked?.valid ? html`<p class="ok-text" data-testid="valid">Valid: ${checked.runbook.groups.length} group(s),
      ${checked.runbook.groups.reduce((n, g) => n + g.vms.length, 0)} VM(s), in the order
      ${checked.runbook.groups.map((g) => g.name).join(' → ')}.</p>` : nothing);

  const draw = () => render(page(isNew ? 'New runbook' : `Runbook ${shown.name}`, html`
    <p class="help">The schema is in docs/runbooks.md. Runs use the newest version.</p>
    ${shown ? html`<p class="help">Version ${shown.version}, saved ${fmt.time(shown.created)} by ${shown.createdBy}.
      ${shown.description}</p>${runsPanel()}${runOrder(shown)}` : nothing}
    <h3>YAML</h3>
    <textarea id="rb-yaml" class="code" rows="24" spellcheck="false" aria-label="Runbook YAML"
      .value=${yaml}></textarea>
    ${problems()}
    <p class="actions">
      <button type="button" data-action="check" @click=${check}>Check</button>
      <button type="button" class="primary" data-action="save" @click=${save}>Save${shown ? ' as a new version' : ''}</button>
    </p>
    ${versions.length ? html`<h3>Versions</h3>${table([
      ['Version', (v) => v.version],
      ['Saved', (v) => fmt.time(v.created)],
      ['By', (v) => v.createdBy],
      ['SHA-256', (v) => html`<code title=${v.sha256}>${v.sha256.slice(0, 12)}</code>`],
    ], versions, { label: 'Versions' })}` : nothing}
  `, shown ? html`<button type="button" class="danger" data-action="delete" @click=${remove}>Delete</button>`
    : html`<a href="#/runbooks">All runbooks</a>`), main);
  draw();
  if (shown?.drill?.last?.outcome === 'STARTED') followDrill();
  return () => stopDrill();
}
