// What the restore point pages share: the verify state as Proxmox Backup Server words it (a
// verify older than 30 days is "OK (old)": true then, not known now), the marks a user sets
// (protected, notes) and deleting with a confirmation.
import { html, nothing } from './vendor.js';
import { api, pointPath } from './api.js';
import { badge, confirm, act, table } from './ui.js';
import * as fmt from './format.js';

const OLD_AFTER_MS = 30 * 24 * 3600 * 1000;

/** The verify state of a restore point: OK, OK (old), FAILED or "not verified". */
export function verifyBadge(p, now = Date.now()) {
  const v = p.verified ?? { state: 'NONE' };
  if (v.state === 'OK') {
    const old = v.time && now - new Date(v.time).getTime() > OLD_AFTER_MS;
    return html`<span data-testid="verify" data-verify=${old ? 'OK_OLD' : 'OK'} title=${v.time ? `verified ${fmt.time(v.time)}` : ''}>${
      badge(old ? 'WARNING' : 'OK', old ? 'OK (old)' : 'OK')}</span>`;
  }
  if (v.state === 'FAILED') {
    return html`<span data-testid="verify" data-verify="FAILED" title=${v.time ? `verify of ${fmt.time(v.time)}` : ''}>${badge('FAILED', 'failed')}</span>`;
  }
  return html`<span data-testid="verify" data-verify="NONE">${badge('NONE', 'not verified')}</span>`;
}

export const consistencyText = (c) => ({ OFFLINE: 'offline (VM stopped)', CRASH: 'crash-consistent', APPLICATION: 'application-consistent' }[c] ?? c ?? '–');

export const replicatedBadge = (p) => (p.replicated ? badge('OK', 'in the bucket') : badge('NONE', 'local only'));

/** "20261127T070102.123Z", the id's time part, for URLs. */
export const timeOf = (id) => id.slice(id.lastIndexOf('/') + 1);

/** Sets or clears the protected flag; resolves to the restore point as stored, or undefined. */
export const setProtected = (button, p, value) => act(button,
  () => api.patch(`/api/restore-points/${pointPath(p.id)}`, { protected: value }),
  value ? `${fmt.time(p.time)} is protected: neither deleted nor pruned` : `${fmt.time(p.time)} is no longer protected`);

/** Asks, then deletes; resolves to the restore point as it is now (DELETED), or undefined. */
export async function deletePoint(button, p) {
  const ok = await confirm({
    title: `Delete the restore point of ${p.vm} from ${fmt.time(p.time)}?`,
    message: html`Its manifest leaves the store now and its chunks go at the next garbage collection; it cannot be
      restored after that.${p.protected ? html` <strong>It is protected:</strong> the appliance will refuse until you unprotect it.` : nothing}`,
    confirmLabel: 'Delete restore point',
  });
  if (!ok) return undefined;
  return act(button, () => api.del(`/api/restore-points/${pointPath(p.id)}`), `Deleted the restore point from ${fmt.time(p.time)}`);
}

/** The per-disk table of a diff, and its total. */
export const diffTable = (d) => html`<div data-testid="diff">
  <p>From ${fmt.time(d.fromTime)} to ${fmt.time(d.toTime)}: <strong data-testid="diff-total">${fmt.bytes(d.changedBytes)}</strong> changed.</p>
  ${table([
    ['Disk', (x) => x.name],
    ['Size', (x) => fmt.bytes(x.sizeBytes)],
    ['Changed', (x) => html`<span data-diff-disk=${x.name} data-bytes=${x.changedBytes}>${fmt.bytes(x.changedBytes)}</span>`],
    ['Chunks changed', (x) => `${x.changedChunks} of ${x.chunks}`],
    ['Share', (x) => fmt.percent(x.changedBytes, x.sizeBytes)],
  ], d.disks, { empty: 'Neither restore point has disks.', label: 'Changed bytes per disk' })}
</div>`;

/** Fetches the diff between two restore points of a VM (either order) with their times for display. */
export async function diff(from, to) {
  const d = await api.get(`/api/restore-points/${pointPath(from.id)}/diff/${encodeURIComponent(timeOf(to.id))}`);
  return { ...d, fromTime: from.time, toTime: to.time };
}
