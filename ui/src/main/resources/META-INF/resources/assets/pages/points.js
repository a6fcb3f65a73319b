// Restore points. Without a VM: one row per VM that has any (how many, the newest and oldest,
// what they take in the store). With a VM (#/points/<vm>): its timeline, newest first, with each
// point's kind, consistency, sizes, replication and verify state, the protected flag and notes;
// protect, delete, restore; and the diff of any two points' changed bytes per disk.
import { html, render, nothing } from '../vendor.js';
import { api, seg, pointPath } from '../api.js';
import { page, table, badge, link, fail } from '../ui.js';
import { verifyBadge, consistencyText, replicatedBadge, setProtected, deletePoint, diffTable, diff } from '../points.js';
import * as fmt from '../format.js';

export default async function points(main, params) {
  return params.vm ? vmPoints(main, params.vm) : allPoints(main);
}

async function allPoints(main) {
  const list = await api.get('/api/restore-points');
  const byVm = new Map();
  for (const p of list) {
    if (!byVm.has(p.vm)) byVm.set(p.vm, []);
    byVm.get(p.vm).push(p);
  }
  const groups = [...byVm.entries()].map(([vm, pts]) => {
    const sorted = [...pts].sort((a, b) => (a.time < b.time ? 1 : -1));
    return {
      vm, count: pts.length, newest: sorted[0], oldest: sorted[sorted.length - 1],
      stored: pts.reduce((s, p) => s + p.storedBytes, 0),
      protectedCount: pts.filter((p) => p.protected).length,
      failed: pts.filter((p) => p.verified?.state === 'FAILED').length,
    };
  });
  render(page('Restore points', html`
    <p class="help">Every VM with restore points in the store. Pick one to see its timeline, compare points and restore.</p>
    ${table([
      ['VM', (g) => html`<a href="#/points/${seg(g.vm)}" data-points-vm=${g.vm}>${g.vm}</a>`],
      ['Restore points', (g) => html`<span data-testid="point-count">${g.count}</span>`],
      ['Newest', (g) => html`<span title=${fmt.time(g.newest.time)}>${fmt.age(g.newest.time)}</span> ${verifyBadge(g.newest)}`],
      ['Oldest', (g) => fmt.time(g.oldest.time)],
      ['Stored', (g) => fmt.bytes(g.stored)],
      ['Protected', (g) => (g.protectedCount ? `${g.protectedCount}` : '–')],
      ['', (g) => html`<div class="actions">
        ${g.failed ? badge('FAILED', `${g.failed} failed verify`) : nothing}
        <a href="#/restore/${pointPath(g.newest.id)}" data-restore-latest=${g.vm}>Restore the newest</a></div>`],
    ], groups, { empty: 'No restore points yet: back a VM up from its page or through a policy.', label: 'VMs with restore points' })}`),
  main);
}

async function vmPoints(main, vm) {
  const state = { points: [], picked: [], diff: null, diffError: null };
  const load = async () => {
    state.points = (await api.get(`/api/restore-points?vm=${seg(vm)}`)).sort((a, b) => (a.time < b.time ? 1 : -1));
    state.picked = state.picked.filter((id) => state.points.some((p) => p.id === id));
  };
  await load();

  const replace = (p) => { state.points = state.points.map((x) => (x.id === p.id ? p : x)); draw(); };

  const pick = (p, on) => {
    state.picked = on ? [...state.picked.filter((id) => id !== p.id), p.id].slice(-2) : state.picked.filter((id) => id !== p.id);
    state.diff = null;
    draw();
  };

  const compare = async (e) => {
    const button = e.currentTarget;
    const [a, b] = state.picked.map((id) => state.points.find((p) => p.id === id)).sort((x, y) => (x.time < y.time ? -1 : 1));
    button.disabled = true;
    try {
      state.diff = await diff(a, b);
      state.diffError = null;
    } catch (err) {
      state.diffError = err.message;
    } finally {
      button.disabled = false;
    }
    draw();
  };

  const remove = async (e, p) => {
    const gone = await deletePoint(e.currentTarget, p);
    if (gone) {
      await load().catch(fail);
      state.diff = null;
      draw();
    }
  };

  const timeline = () => {
    if (state.points.length < 2) return nothing;
    const times = state.points.map((p) => new Date(p.time).getTime());
    const lo = Math.min(...times);
    const span = Math.max(...times) - lo || 1;
    return html`<div class="timeline" role="img" aria-label="Restore points of ${vm} over time, ${fmt.time(lo)} to ${fmt.time(lo + span)}">
      ${state.points.map((p) => html`<a class="mark ${p.kind === 'FULL' ? 'full' : ''} ${p.protected ? 'protected' : ''}"
        href="#/points/${pointPath(p.id)}" style="left: ${(100 * (new Date(p.time).getTime() - lo)) / span}%"
        title="${fmt.time(p.time)} · ${p.kind.toLowerCase()}" aria-label=${fmt.time(p.time)}></a>`)}
      <span class="from">${fmt.time(lo)}</span><span class="to">${fmt.time(lo + span)}</span>
    </div>`;
  };

  const draw = () => {
    const pts = state.points;
    render(page(`Restore points of ${vm}`, html`
      <p class="help">${pts.length} restore point${pts.length === 1 ? '' : 's'} ·
        ${fmt.bytes(pts.reduce((s, p) => s + p.storedBytes, 0))} stored · ${link(`#/vm/${seg(vm)}`, `the VM ${vm}`)}</p>
      ${timeline()}
      ${table([
        ['Compare', (p) => html`<input type="checkbox" data-pick=${p.id} aria-label="Compare ${fmt.time(p.time)}"
          .checked=${state.picked.includes(p.id)} @change=${(e) => pick(p, e.target.checked)}>`],
        ['Time', (p) => html`<a href="#/points/${pointPath(p.id)}" data-point=${p.id}>${fmt.time(p.time)}</a>
          <div class="help">${fmt.age(p.time)}</div>`],
        ['Kind', (p) => p.kind.toLowerCase()],
        ['Consistency', (p) => consistencyText(p.consistency)],
        ['Size', (p) => fmt.bytes(p.logicalBytes)],
        ['New · stored', (p) => `${fmt.bytes(p.newBytes)} · ${fmt.bytes(p.storedBytes)}`],
        ['Replicated', replicatedBadge],
        ['Verify', (p) => verifyBadge(p)],
        ['Protected', (p) => html`<label class="check"><input type="checkbox" data-protect=${p.id} .checked=${p.protected}
          @change=${async (e) => { const r = await setProtected(e.target, p, e.target.checked); if (r) replace(r); else e.target.checked = p.protected; }}>
          <span>${p.protected ? 'protected' : 'no'}</span></label>`],
        ['Notes', (p) => html`<span class="prewrap" data-notes=${p.id}>${p.notes || '–'}</span>`],
        ['', (p) => html`<div class="actions">
          <a class="button small primary" href="#/restore/${pointPath(p.id)}" data-restore=${p.id}>Restore…</a>
          <button type="button" class="small danger" data-delete=${p.id} @click=${(e) => remove(e, p)}>Delete</button></div>`],
      ], pts, { empty: `No restore points of ${vm}.`, label: 'Restore points' })}
      <section class="card" data-testid="compare">
        <h2>Compare two restore points</h2>
        <p class="help">Tick two rows: the diff reads only the two manifests, per disk the chunks whose content differs.</p>
        <button type="button" data-action="compare" ?disabled=${state.picked.length !== 2} @click=${compare}>Compare the two ticked</button>
        ${state.diffError ? html`<p class="error-text">${state.diffError}</p>` : nothing}
        ${state.diff ? diffTable(state.diff) : nothing}
      </section>`), main);
  };
  draw();
}
