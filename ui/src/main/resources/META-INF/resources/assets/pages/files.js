// File-level restore (#/files/<vm>/<time>?fs=<device>&path=<dir>): the restore point's file
// systems, read by the appliance's file restore session (libguestfs' small VM over the restore
// point's NBD export: nothing is mounted on the host), browsed a directory at a time; a file is
// downloaded as it was, a directory as a tar or a zip, and a file can be put back into a running VM
// through its guest agent. The session is kept for the browser tab (its id in sessionStorage) and
// reused while browsing; the appliance closes it when idle, or "Close" does.
import { html, render, nothing } from '../vendor.js';
import { api, seg, pointPath } from '../api.js';
import { page, table, act, toast, formValues } from '../ui.js';
import * as fmt from '../format.js';

const KEY = (point) => `lifeboat.files.${point}`;

/** The session for this restore point: the tab's own if the appliance still has it, else a new one. */
async function session(point) {
  const known = sessionStorage.getItem(KEY(point));
  if (known) {
    try {
      return await api.get(`/api/file-sessions/${seg(known)}`);
    } catch (e) {
      if (e.status !== 404) throw e;
      sessionStorage.removeItem(KEY(point)); // closed for being idle: open another
    }
  }
  const s = await api.post(`/api/restore-points/${pointPath(point)}/files`);
  sessionStorage.setItem(KEY(point), s.id);
  return s;
}

const parentOf = (path) => (path === '/' ? '/' : path.replace(/\/[^/]+\/?$/, '') || '/');
const join = (dir, name) => (dir === '/' ? `/${name}` : `${dir}/${name}`);

export default async function files(main, params, query) {
  const point = `${params.vm}/${params.time}`;
  const shown = await api.get(`/api/restore-points/${pointPath(point)}`);
  render(page(`Files of ${params.vm}`, html`<p class="loading" data-testid="files-opening">Opening the restore point's file
    systems: a small VM starts that reads them (seconds; longer without KVM)…</p>`), main);
  const s = await session(point);
  const fs = query.get('fs') ?? s.filesystems[0]?.device ?? '';
  const path = query.get('path') ?? '/';
  const here = (f, p) => `#/files/${pointPath(point)}?fs=${encodeURIComponent(f)}&path=${encodeURIComponent(p)}`;
  const at = (what, p) => `/api/file-sessions/${seg(s.id)}/${what}?fs=${encodeURIComponent(fs)}&path=${encodeURIComponent(p)}`;
  let entries = [];
  let error = null;
  if (fs) {
    try {
      entries = await api.get(at('ls', path));
    } catch (e) {
      error = e.message;
    }
  }

  const close = async (e) => {
    const done = await act(e.currentTarget, async () => { await api.del(`/api/file-sessions/${seg(s.id)}`); return true; },
      'File restore session closed');
    if (done) {
      sessionStorage.removeItem(KEY(point));
      location.hash = `#/points/${pointPath(point)}`;
    }
  };

  const crumbs = () => {
    const parts = path.split('/').filter(Boolean);
    return html`<nav aria-label="Directory" class="crumbs" data-testid="crumbs">
      <a href=${here(fs, '/')}>${fs}</a>${parts.map((p, i) => html` / <a href=${here(fs, `/${parts.slice(0, i + 1).join('/')}`)}>${p}</a>`)}
    </nav>`;
  };

  // "Put back": which file is being put back (null: none), and the VMs it can go to
  let putting = null;
  let vms = [];
  const putBack = async (name) => {
    putting = join(path, name);
    vms = (await api.get('/api/vms')).filter((v) => v.state === 'RUNNING' || v.name === params.vm);
    draw();
    main.querySelector('[data-testid=put-back-form] select').focus();
  };
  const submitPutBack = async (e) => {
    e.preventDefault();
    const v = formValues(e.currentTarget);
    const done = await act(e.submitter, () => api.post(`/api/file-sessions/${seg(s.id)}/put-back`,
      { fs, path: putting, vm: v.vm, target: v.target, overwrite: v.overwrite === 'on' }),
    (r) => `${putting} put back into ${r.vm} at ${r.path}${r.replaced ? ' (replaced)' : ''}`);
    if (done) { putting = null; draw(); }
  };
  const putBackForm = () => html`<form class="stack" data-testid="put-back-form" @submit=${submitPutBack}
      aria-label="Put a file back into a VM">
    <h3>Put ${putting} back into a running VM</h3>
    <p class="help">Through the VM's guest agent: written beside the target, given the file's mode, then renamed over it.</p>
    <div class="field"><label for="pb-vm">VM</label>
      <select id="pb-vm" name="vm" required>
        ${vms.map((v) => html`<option value=${v.name} ?selected=${v.name === params.vm}>${v.name} · ${v.state.toLowerCase().replace('_', ' ')}</option>`)}
      </select></div>
    <div class="field"><label for="pb-target">Path in the VM</label>
      <input id="pb-target" name="target" .value=${putting} required></div>
    <label><input type="checkbox" name="overwrite"> Replace the file if it exists</label>
    <p class="actions"><button type="submit" data-action="put-back">Put back</button>
      <button type="button" @click=${() => { putting = null; draw(); }}>Cancel</button></p>
  </form>`;

  const draw = () => render(page(`Files of ${params.vm}`, html`
    <p class="help">The restore point of ${fmt.time(shown.time)} (${fmt.age(shown.time)}), read-only, as it was then ·
      <a href="#/points/${pointPath(point)}">the restore point</a></p>
    <div class="filters">
      <div class="field"><label for="f-fs">File system</label>
        <select id="f-fs" @change=${(e) => { location.hash = here(e.target.value, '/'); }}>
          ${s.filesystems.map((f) => html`<option value=${f.device} ?selected=${f.device === fs}>${f.device} · ${f.type}${f.label ? ` “${f.label}”` : ''} · ${fmt.bytes(f.sizeBytes)}</option>`)}
        </select></div>
    </div>
    ${s.filesystems.length === 0 ? html`<p class="empty">No file system the appliance can read.</p>` : html`
      ${crumbs()}
      <p class="actions">
        ${path !== '/' ? html`<a href=${here(fs, parentOf(path))} data-testid="up">Up</a>` : nothing}
        <a class="button small" href=${at('tar', path)} download data-testid="tar"
          @click=${() => toast(`Downloading ${path} as a tar`)}>Download ${path} as tar</a>
        <a class="button small" href=${at('zip', path)} download data-testid="zip"
          @click=${() => toast(`Downloading ${path} as a zip`)}>as zip</a>
      </p>
      ${error ? html`<p class="error-text" data-testid="files-error">${error}</p>` : table([
        ['Name', (x) => (x.type === 'dir'
          ? html`<a href=${here(fs, join(path, x.name))} data-dir=${x.name}>${x.name}/</a>`
          : html`<a href=${at('file', join(path, x.name))} download=${x.name} data-file=${x.name}>${x.name}</a>`)],
        ['Type', (x) => x.type],
        ['Size', (x) => (x.type === 'dir' ? '–' : fmt.bytes(x.sizeBytes))],
        ['Mode', (x) => html`<code>${x.mode}</code>`],
        ['Modified', (x) => fmt.time(x.mtime)],
        ['', (x) => (x.type === 'file'
          ? html`<button type="button" class="small" data-put-back=${x.name} @click=${() => putBack(x.name)}>Put back…</button>`
          : nothing)],
      ], entries, { empty: 'This directory is empty.', label: 'Directory' })}
      ${putting ? putBackForm() : nothing}`}
  `, html`<button type="button" data-action="close" @click=${close}>Close</button>`), main);
  draw();
}
