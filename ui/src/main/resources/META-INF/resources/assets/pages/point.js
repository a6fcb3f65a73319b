// One restore point (#/points/<vm>/<time>): what it holds and how it was taken, its verify and
// replication state, the protected flag and the notes (editable), how it differs from the point
// before it, and the ways back: the restore wizard, delete.
import { html, render, nothing } from '../vendor.js';
import { api, seg, pointPath, Problem } from '../api.js';
import { page, table, badge, facts, act, fail } from '../ui.js';
import { verifyBadge, consistencyText, replicatedBadge, setProtected, deletePoint, diffTable, diff } from '../points.js';
import * as fmt from '../format.js';

const MAX_NOTES = 1024;

export default async function point(main, params) {
  const path = `${seg(params.vm)}/${seg(params.time)}`;
  const state = { p: await api.get(`/api/restore-points/${path}`), previous: null, diff: null, notesError: null };

  const loadDiff = async () => {
    const all = await api.get(`/api/restore-points?vm=${seg(params.vm)}`).catch(() => []);
    const older = all.filter((x) => x.time < state.p.time).sort((a, b) => (a.time < b.time ? 1 : -1));
    state.previous = older[0] ?? null;
    state.diff = state.previous && state.p.status === 'AVAILABLE' ? await diff(state.previous, state.p).catch((e) => ({ error: e.message })) : null;
  };
  await loadDiff();

  const saveNotes = async (e) => {
    e.preventDefault();
    const notes = e.target.elements.notes.value;
    const r = await act(e.submitter, async () => {
      try {
        return await api.patch(`/api/restore-points/${path}`, { notes });
      } catch (err) {
        state.notesError = err instanceof Problem ? err.message : String(err);
        draw();
        throw err;
      }
    }, notes.trim() ? 'Notes saved' : 'Notes cleared');
    if (r) { state.p = r; state.notesError = null; draw(); }
  };

  const draw = () => {
    const p = state.p;
    const available = p.status === 'AVAILABLE';
    render(page(`${p.vm} · ${fmt.time(p.time)}`, html`
      ${available ? nothing : html`<p class="message error-box" data-testid="deleted">${badge('DELETED', 'deleted')}
        This restore point was deleted${p.reason ? html`: ${p.reason}` : nothing}. It cannot be restored.</p>`}
      ${facts([
        ['VM', html`<a href="#/vm/${seg(p.vm)}">${p.vm}</a> · <a href="#/points/${seg(p.vm)}">all its restore points</a>`],
        ['Taken', html`${fmt.time(p.time)} (${fmt.age(p.time)}), in ${fmt.duration(p.durationMillis)}`],
        ['Kind', html`<span data-testid="kind">${p.kind.toLowerCase()}</span>${p.checkpoint ? html` · checkpoint <code>${p.checkpoint}</code>` : nothing}`],
        ['Consistency', html`${consistencyText(p.consistency)}${p.frozenMillis != null
          ? html` · <span data-testid="frozen">file systems frozen for ${fmt.duration(p.frozenMillis)}</span>` : nothing}${
          available && p.reason ? html` · <span class="help" data-testid="consistency-reason">${p.reason}</span>` : nothing}`],
        ['Size', `${fmt.bytes(p.logicalBytes)} of disks · ${fmt.bytes(p.newBytes)} new to the store · ${fmt.bytes(p.storedBytes)} stored`],
        ['Replicated', replicatedBadge(p)],
        ['Verify', html`${verifyBadge(p)} ${p.verified?.time ? html`<span class="help">${fmt.time(p.verified.time)}</span>` : nothing}`],
        ['Protected', html`<label class="check"><input type="checkbox" data-protect=${p.id} .checked=${p.protected} ?disabled=${!available}
          @change=${async (e) => { const r = await setProtected(e.target, p, e.target.checked); if (r) { state.p = r; draw(); } else e.target.checked = p.protected; }}>
          <span>${p.protected ? 'protected: neither deleted nor pruned' : 'not protected'}</span></label>`],
      ])}
      <h2>Disks</h2>
      ${table([
        ['Disk', (d) => d.name],
        ['Size', (d) => fmt.bytes(d.sizeBytes)],
      ], p.disks, { empty: 'No disks.', label: 'Disks' })}
      <h2>Notes</h2>
      <form class="stack" data-testid="notes-form" @submit=${saveNotes}>
        <div class="field ${state.notesError ? 'invalid' : ''}">
          <label for="f-notes">Notes on this restore point</label>
          <textarea id="f-notes" name="notes" rows="3" maxlength=${MAX_NOTES} ?disabled=${!available}
            aria-invalid=${state.notesError ? 'true' : 'false'} aria-describedby="f-notes-help" .value=${p.notes ?? ''}></textarea>
          <small id="f-notes-help" class="help">Why this point matters, what it was taken before. Up to ${MAX_NOTES} characters.</small>
          ${state.notesError ? html`<small class="error" data-field-error="notes">${state.notesError}</small>` : nothing}
        </div>
        <div class="actions"><button type="submit" ?disabled=${!available}>Save notes</button></div>
      </form>
      <h2>Changes since the point before</h2>
      ${state.previous == null ? html`<p class="empty">This is the VM's oldest restore point.</p>`
        : state.diff?.error ? html`<p class="error-text">${state.diff.error}</p>`
          : state.diff ? diffTable(state.diff) : nothing}
    `, html`
      ${available ? html`<a class="button" href="#/files/${pointPath(p.id)}" data-action="files">Browse files</a>
        <a class="button primary" href="#/restore/${pointPath(p.id)}" data-action="restore">Restore…</a>` : nothing}
      <button type="button" class="danger" data-action="delete" ?disabled=${!available} @click=${async (e) => {
        const r = await deletePoint(e.currentTarget, p);
        if (r) { state.p = r; await loadDiff().catch(fail); draw(); }
      }}>Delete</button>`), main);
  };
  draw();
}
