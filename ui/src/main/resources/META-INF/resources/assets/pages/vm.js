// One VM: its state, title and description, disks and tags; start / shut down / force off;
// "Back up now" with the job's live progress (pushed by the server) and its summary; its
// snapshots; its newest restore points; a clone form. Everything the VM's owner named (name,
// title, description, tags, snapshots) is inserted by lit-html as text, never as markup.
import { html, render, nothing, live } from '../vendor.js';
import { api, seg, pointPath, Problem } from '../api.js';
import { page, table, badge, facts, field, confirm, act, toast, fail, link } from '../ui.js';
import { isFinal } from '../jobs.js';
import { backUp, backupJob } from '../backup.js';
import { stateLabel, disksText } from './vms.js';
import * as fmt from '../format.js';

const problemFor = (err, name) => (err instanceof Problem ? (err.field(name) ?? err.message) : String(err));

export default async function vmPage(main, params, query) {
  const name = params.vm;
  const host = query.get('host');
  const at = (path = '') => `/api/vms/${seg(name)}${path}${host ? `?host=${seg(host)}` : ''}`;
  const load = (fallbackPoints = []) => Promise.all([
    api.get(at()),
    api.get(at('/snapshots')).catch((e) => ({ error: e.message })),
    api.get(`/api/restore-points?vm=${seg(name)}`).catch(() => fallbackPoints),
  ]);
  const [vm, snapshots, points] = await load();
  const state = {
    vm, snapshots, points,
    backup: null, // the backup job started from this page, as last pushed
    errors: {}, // server field errors per form: {snapshot, tag, clone}
    cloning: false, clone: null,
  };
  let stopWatch = null;

  const reload = async () => {
    const [v, s, p] = await load(state.points);
    Object.assign(state, { vm: v, snapshots: s, points: p });
    draw();
  };

  const lifecycle = async (button, action, label) => {
    const done = await act(button, () => api.post(at(`/${action}`)), (r) => `${name}: ${label} (now ${stateLabel(r.state)})`);
    if (done) await reload();
  };

  const forceOff = async (e) => {
    const button = e.currentTarget;
    const ok = await confirm({
      title: `Force ${name} off?`,
      message: 'This pulls the plug: the guest loses whatever it had not written to disk.',
      confirmLabel: 'Force off', typed: name,
    });
    if (ok) await lifecycle(button, 'force-off', 'forced off');
  };

  const startBackup = async (e) => {
    const button = e.currentTarget;
    button.disabled = true;
    try {
      if (stopWatch) stopWatch();
      stopWatch = await backUp(name, (job) => {
        state.backup = job;
        draw();
        if (isFinal(job.state)) {
          toast(`Backup of ${name}: ${job.state.toLowerCase()}`, job.state === 'SUCCEEDED' ? 'good' : 'bad');
          reload().catch(fail);
        }
      });
    } catch (err) {
      fail(err);
      button.disabled = false;
    }
  };

  const saveTags = async (tags, button, message) => {
    try {
      const stored = await api.put(at('/tags'), tags);
      state.vm = { ...state.vm, tags: stored };
      state.errors.tag = undefined;
      toast(message);
      return true;
    } catch (err) {
      state.errors.tag = problemFor(err, 'tags');
      return false;
    } finally {
      if (button) button.disabled = false;
      draw();
    }
  };

  const addTag = async (e) => {
    e.preventDefault();
    const form = e.target;
    const tag = form.elements.tag.value.trim();
    if (!tag) return;
    if (e.submitter) e.submitter.disabled = true;
    if (await saveTags([...(state.vm.tags ?? []), tag], e.submitter, `Tag ${tag} added`)) form.reset();
  };

  const removeTag = (tag) => saveTags((state.vm.tags ?? []).filter((t) => t !== tag), null, `Tag ${tag} removed`);

  const takeSnapshot = async (e) => {
    e.preventDefault();
    const form = e.target;
    const snapshot = form.elements.name.value.trim();
    const description = form.elements.description.value.trim();
    const ok = await confirm({
      title: `Take snapshot ${snapshot} of ${name}?`,
      message: state.vm.state === 'RUNNING'
        ? 'The snapshot goes into the qcow2 images with the memory of the running guest, which pauses while it is saved.'
        : 'The snapshot goes into the qcow2 images; revert to it later to undo what happens to the disks from now on.',
      confirmLabel: 'Take snapshot', danger: false,
    });
    if (!ok) return;
    try {
      await api.post(at('/snapshots'), { name: snapshot, description: description || null });
      toast(`Snapshot ${snapshot} taken`);
      state.errors.snapshot = undefined;
      form.reset();
      await reload();
    } catch (err) {
      state.errors.snapshot = problemFor(err, 'name');
      draw();
    }
  };

  const revert = async (e, s) => {
    const button = e.currentTarget;
    const ok = await confirm({
      title: `Revert ${name} to ${s.name}?`,
      message: 'The disks and, if the snapshot has it, the memory go back to the snapshot: changes made since are lost.',
      confirmLabel: 'Revert',
    });
    if (!ok) return;
    const r = await act(button, () => api.post(at(`/snapshots/${seg(s.name)}/revert`)),
      (x) => `Reverted ${name} to ${s.name} (now ${stateLabel(x.state)})`);
    if (r) await reload();
  };

  const removeSnapshot = async (e, s) => {
    const button = e.currentTarget;
    const ok = await confirm({
      title: `Delete snapshot ${s.name}?`,
      message: 'The snapshot is removed from the disk images; the VM itself stays as it is.',
      confirmLabel: 'Delete snapshot',
    });
    if (!ok) return;
    const r = await act(button, async () => { await api.del(at(`/snapshots/${seg(s.name)}`)); return true; },
      `Snapshot ${s.name} deleted`);
    if (r) await reload();
  };

  const cloneVm = async (e) => {
    e.preventDefault();
    const clone = e.target.elements.clone.value.trim();
    state.cloning = clone;
    state.clone = null;
    draw();
    try {
      state.clone = await api.post(at('/clone'), { name: clone });
      state.errors.clone = undefined;
      e.target.reset();
      toast(`Cloned ${name} as ${state.clone.name}`);
    } catch (err) {
      state.errors.clone = problemFor(err, 'name');
    } finally {
      state.cloning = false;
    }
    draw();
  };

  const backupSection = () => (state.backup
    ? html`<section class="card" data-testid="backup"><h2>Backup</h2>${backupJob(state.backup)}</section>`
    : nothing);

  const tagSection = (v) => html`<section data-testid="tags">
    <h2>Tags</h2>
    <ul class="tags" data-testid="vm-tags">
      ${(v.tags ?? []).map((t) => html`<li><span class="badge muted tag" data-tag=${t}>${t}</span>
        <button type="button" class="small" data-remove-tag=${t} aria-label="Remove tag ${t}"
          @click=${() => removeTag(t)}>Remove</button></li>`)}
      ${v.tags?.length ? nothing : html`<li class="empty">No tags.</li>`}
    </ul>
    <form class="filters" data-testid="tag-form" @submit=${addTag}>
      ${field({ label: 'New tag', name: 'tag', required: true, error: state.errors.tag,
        help: 'Up to 64 letters, digits, dots, underscores, colons or dashes. Policies select VMs by tag.' })}
      <button type="submit" class="primary">Add tag</button>
    </form>
  </section>`;

  const snapshotSection = () => {
    const s = state.snapshots;
    return html`<section data-testid="snapshots">
      <h2>Snapshots</h2>
      ${s?.error ? html`<p class="error-text">${s.error}</p>` : table([
        ['Name', (x) => html`<span data-snapshot=${x.name}>${x.name}</span>${x.current ? html` ${badge('OK', 'current')}` : nothing}`],
        ['Description', (x) => x.description || '–'],
        ['Taken', (x) => fmt.time(x.createdAt)],
        ['VM was', (x) => badge(x.vmState, stateLabel(x.vmState))],
        ['', (x) => html`<div class="actions">
          <button type="button" class="small" data-revert=${x.name} @click=${(e) => revert(e, x)}>Revert</button>
          <button type="button" class="small danger" data-delete-snapshot=${x.name} @click=${(e) => removeSnapshot(e, x)}>Delete</button></div>`],
      ], s, { empty: 'No snapshots.', label: 'Snapshots' })}
      <form class="filters" data-testid="snapshot-form" @submit=${takeSnapshot}>
        ${field({ label: 'Snapshot name', name: 'name', required: true, error: state.errors.snapshot })}
        ${field({ label: 'Description', name: 'description' })}
        <button type="submit" class="primary">Take snapshot</button>
      </form>
    </section>`;
  };

  const cloneSection = (running) => html`<section data-testid="clone">
    <h2>Clone</h2>
    <form class="filters" data-testid="clone-form" @submit=${cloneVm}>
      ${field({ label: 'New VM name', name: 'clone', required: true, error: state.errors.clone,
        help: running ? 'Shut the VM down first: only a shut-off VM can be cloned.'
          : 'A new UUID and MACs; its disks are copied beside the originals. The clone is left shut off.' })}
      <button type="submit" ?disabled=${running || state.cloning}>Clone</button>
    </form>
    ${state.cloning ? html`<p class="progress" data-testid="clone-progress" role="status">
      <progress aria-label="Cloning"></progress><span class="progress-text">Copying the disks to ${state.cloning}…</span></p>` : nothing}
    ${state.clone ? html`<p data-testid="clone-result" role="status">${badge('SUCCEEDED', 'cloned')}
      ${link(`#/vm/${seg(state.clone.name)}`, state.clone.name)}: ${badge(state.clone.state, stateLabel(state.clone.state))}
      ${disksText(state.clone)}</p>` : nothing}
  </section>`;

  const draw = () => {
    const v = state.vm;
    const pts = [...(Array.isArray(state.points) ? state.points : [])].sort((a, b) => (a.time < b.time ? 1 : -1));
    const latest = pts[0];
    const running = v.state === 'RUNNING';
    const busy = state.backup && !isFinal(state.backup.state);
    render(page(v.name, html`
      ${facts([
        ['State', html`<span data-testid="vm-state">${badge(v.state, stateLabel(v.state))}</span>`],
        ['Title', html`<span data-testid="vm-title">${v.title || '–'}</span>`],
        ['Description', html`<span data-testid="vm-description" class="prewrap">${v.description || '–'}</span>`],
        ['Host', html`<code>${v.host}</code>`],
        ['CPUs · memory', `${v.vcpus} · ${fmt.bytes(v.memoryBytes)}`],
        ['UUID', html`<code>${v.uuid}</code>`],
        ['Last backup', latest ? html`${fmt.time(latest.time)} (${fmt.age(latest.time)})` : 'never'],
      ])}
      ${backupSection()}
      <h2>Disks</h2>
      ${table([
        ['Disk', (d) => d.target],
        ['Device', (d) => d.device],
        ['Format', (d) => d.format ?? '–'],
        ['Size', (d) => fmt.bytes(d.virtualSize)],
        ['Allocated', (d) => fmt.bytes(d.allocatedSize)],
        ['Path', (d) => (d.path ? html`<code>${d.path}</code>` : '–')],
      ], v.disks, { empty: 'This VM has no disks.', label: 'Disks' })}
      <p class="help">${disksText(v)} in all</p>
      ${tagSection(v)}
      ${snapshotSection()}
      <h2>Restore points</h2>
      ${table([
        ['Time', (p) => html`<a href="#/points/${pointPath(p.id)}">${fmt.time(p.time)}</a>`],
        ['Kind', (p) => p.kind],
        ['Status', (p) => badge(p.status)],
        ['Size', (p) => fmt.bytes(p.logicalBytes)],
        ['New', (p) => fmt.bytes(p.newBytes)],
      ], pts.slice(0, 5), { empty: 'No restore points yet.', label: 'Restore points' })}
      <p class="actions"><a href="#/points/${seg(v.name)}" data-testid="points-link">All ${pts.length} restore points of ${v.name}</a>
        ${latest ? html`<a href="#/restore/${pointPath(latest.id)}" data-testid="restore-latest">Restore the newest</a>` : nothing}</p>
      ${cloneSection(running)}
    `, html`
      <button type="button" data-action="start" ?disabled=${running} @click=${(e) => lifecycle(e.currentTarget, 'start', 'started')}>Start</button>
      <button type="button" data-action="shutdown" ?disabled=${!running} @click=${(e) => lifecycle(e.currentTarget, 'shutdown', 'shut down')}>Shut down</button>
      <button type="button" class="danger" data-action="force-off" ?disabled=${!running} @click=${forceOff}>Force off</button>
      <button type="button" class="primary" data-action="backup" .disabled=${live(Boolean(busy))} @click=${startBackup}>Back up now</button>
    `), main);
  };
  draw();
  return () => { if (stopWatch) stopWatch(); };
}
