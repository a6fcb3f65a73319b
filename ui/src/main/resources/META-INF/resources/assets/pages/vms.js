// Every VM of the default host: state, disks, tags and the age of its newest restore point, a
// filter by name, title or tag, and "Back up now" per row with the job's progress as the appliance
// pushes it. Names, titles and tags are inserted by lit-html as text, never as markup.
import { html, render, nothing, live } from '../vendor.js';
import { api, seg } from '../api.js';
import { page, table, badge, fail, toast } from '../ui.js';
import { backUp, backupJob } from '../backup.js';
import { isFinal } from '../jobs.js';
import * as fmt from '../format.js';

/** A VM's state in words: SHUT_OFF → "shut off". */
export const stateLabel = (state) => (state ? state.toLowerCase().replace(/_/g, ' ') : 'unknown');

/** "1 disk · 64.0 MiB", "2 disks · 20.0 GiB": how many disks and their virtual sizes' sum. */
export const disksText = (vm) => `${vm.disks.length} ${vm.disks.length === 1 ? 'disk' : 'disks'} · ${fmt.bytes(diskTotal(vm))}`;

/** The sum of the VM's disks' virtual sizes. */
const diskTotal = (vm) => vm.disks.reduce((sum, d) => sum + (d.virtualSize ?? 0), 0);

/** The newest restore point of each VM, by VM name. */
export function newestPoints(points) {
  const newest = new Map();
  for (const p of Array.isArray(points) ? points : []) {
    const seen = newest.get(p.vm);
    if (!seen || p.time > seen.time) newest.set(p.vm, p);
  }
  return newest;
}

export default async function vms(main, params, query) {
  let [list, newest] = await Promise.all([
    api.get('/api/vms'),
    api.get('/api/restore-points').then(newestPoints).catch(() => new Map()),
  ]);
  const jobs = new Map(); // VM name → its backup job started here, as last pushed
  const watching = new Map(); // VM name → the function that stops following its job
  let filter = query.get('q') ?? '';

  const matches = (vm) => {
    const f = filter.trim().toLowerCase();
    return !f || vm.name.toLowerCase().includes(f) || (vm.title ?? '').toLowerCase().includes(f)
      || (vm.tags ?? []).some((t) => t.toLowerCase().includes(f));
  };

  const refreshPoints = async () => {
    newest = await api.get('/api/restore-points').then(newestPoints);
    draw();
  };

  const start = async (e, vm) => {
    const button = e.currentTarget;
    button.disabled = true;
    try {
      watching.get(vm.name)?.();
      watching.set(vm.name, await backUp(vm.name, (job) => {
        jobs.set(vm.name, job);
        draw();
        if (isFinal(job.state)) {
          watching.delete(vm.name);
          toast(`Backup of ${vm.name}: ${job.state.toLowerCase()}`, job.state === 'SUCCEEDED' ? 'good' : 'bad');
          refreshPoints().catch(fail);
        }
      }));
    } catch (err) {
      fail(err);
      button.disabled = false;
    }
  };

  const running = (vm) => { const j = jobs.get(vm.name); return j && !isFinal(j.state); };

  const draw = () => {
    const shown = list.filter(matches);
    render(page('VMs', html`
      <div class="filters">
        <div class="field">
          <label for="vm-filter">Filter by name, title or tag</label>
          <input id="vm-filter" data-testid="vm-filter" type="search" autocomplete="off" .value=${filter}
            @input=${(e) => { filter = e.target.value; draw(); }}>
        </div>
        <p class="help" data-testid="vm-count" aria-live="polite">${shown.length} of ${list.length} VMs${
          list[0] ? html` on <code>${list[0].host}</code>` : nothing}</p>
      </div>
      ${table([
        ['Name', (vm) => html`<a href="#/vm/${seg(vm.name)}" data-vm=${vm.name}>${vm.name}</a>${
          vm.title ? html`<div class="help" data-testid="vm-title">${vm.title}</div>` : nothing}`],
        ['State', (vm) => badge(vm.state, stateLabel(vm.state))],
        ['Disks', (vm) => html`<span class="nowrap">${disksText(vm)}</span>`],
        ['Tags', (vm) => (vm.tags?.length
          ? vm.tags.map((t) => html`<span class="badge muted tag" data-tag=${t}>${t}</span> `) : '–')],
        ['Last backup', (vm) => {
          const p = newest.get(vm.name);
          return p
            ? html`<a href="#/points/${seg(vm.name)}" title=${fmt.time(p.time)} data-testid="last-backup">${fmt.age(p.time)}</a>`
            : html`<span data-testid="last-backup">never</span>`;
        }],
        ['Backup', (vm) => html`<div class="row-backup">
          <button type="button" class="small" data-backup=${vm.name} .disabled=${live(Boolean(running(vm)))}
            aria-label="Back up ${vm.name} now" @click=${(e) => start(e, vm)}>Back up now</button>
          ${jobs.has(vm.name) ? backupJob(jobs.get(vm.name), { compact: true }) : nothing}</div>`],
      ], shown, {
        empty: list.length ? 'No VM matches the filter.' : 'The appliance manages no VMs yet.',
        label: 'VMs',
        rowClass: (vm) => `vm-row${running(vm) ? ' busy' : ''}`,
      })}`), main);
  };
  draw();
  return () => { for (const stop of watching.values()) stop(); };
}
