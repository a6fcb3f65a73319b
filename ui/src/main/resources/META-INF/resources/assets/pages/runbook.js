// One DR runbook (#/runbooks/<name>, #/runbooks/new): its run order, versions and YAML, edited in
// place. "Check" asks the appliance to check it (every problem with its line, nothing stored),
// "Save" stores it as the next version. Running a runbook is not there yet: the page says so.
// Schema: docs/runbooks.md.
import { html, render, nothing } from '../vendor.js';
import { api, seg } from '../api.js';
import { page, table, act, toast, confirm } from '../ui.js';
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
    <p class="help">Running a runbook (readiness check, test failover, failover) is still to come; until then it starts
      nothing. The schema is in docs/runbooks.md.</p>
    ${shown ? html`<p class="help">Version ${shown.version}, saved ${fmt.time(shown.created)} by ${shown.createdBy}.
      ${shown.description}</p>${runOrder(shown)}` : nothing}
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
}
