// The audit log: who did what to which target, and whether it was allowed and worked. Newest
// first, a page at a time (the API pages by id, so a page does not shift as entries arrive).
import { html, render, nothing } from '../vendor.js';
import { api } from '../api.js';
import { page, table, badge } from '../ui.js';
import * as fmt from '../format.js';

const FILTERS = ['user', 'action', 'target', 'outcome'];
const OUTCOME_TONE = { SUCCEEDED: 'OK', FAILED: 'FAILED', DENIED: 'WARNING' };

export default async function audit(main, params, query) {
  const filter = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? '']));
  const before = query.get('before');
  const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v));
  q.set('limit', '50');
  if (before) q.set('before', before);
  const { entries, next } = await api.get(`/api/audit?${q}`);

  const apply = (e) => {
    e.preventDefault();
    const f = new URLSearchParams([...new FormData(e.target).entries()].filter(([, v]) => v));
    location.hash = `#/audit${f.toString() ? `?${f}` : ''}`;
  };
  const older = new URLSearchParams(Object.entries(filter).filter(([, v]) => v));
  if (next != null) older.set('before', next);

  render(page('Audit log', html`
    <form class="filters" @submit=${apply} aria-label="Filter the audit log">
      <div class="field"><label for="f-user">User</label><input id="f-user" name="user" .value=${filter.user}></div>
      <div class="field"><label for="f-action">Action</label><input id="f-action" name="action" .value=${filter.action}
        aria-describedby="f-action-help"><small id="f-action-help" class="help">vm.backup, or vm. for all VM actions</small></div>
      <div class="field"><label for="f-target">Target</label><input id="f-target" name="target" .value=${filter.target}></div>
      <div class="field"><label for="f-outcome">Outcome</label>
        <select id="f-outcome" name="outcome">
          <option value="" ?selected=${!filter.outcome}>any</option>
          ${['SUCCEEDED', 'FAILED', 'DENIED'].map((o) => html`<option ?selected=${o === filter.outcome}>${o}</option>`)}
        </select></div>
      <button type="submit" class="primary">Filter</button>
      ${q.size > 1 ? html`<a class="button" href="#/audit">Clear</a>` : nothing}
    </form>
    ${table([
      ['Time', (e) => fmt.time(e.time)],
      ['User', (e) => e.user],
      ['Action', (e) => html`<code>${e.action}</code>`],
      ['Target', (e) => e.target],
      ['Outcome', (e) => badge(OUTCOME_TONE[e.outcome] ?? e.outcome, e.outcome)],
      ['Detail', (e) => e.detail ?? ''],
    ], entries, { empty: 'No entries match.', label: 'Audit log', rowClass: (e) => `audit-${e.action}` })}
    <p class="actions">
      ${before ? html`<a class="button" href="#/audit${filterHash(filter)}">Newest</a>` : nothing}
      ${next != null ? html`<a class="button" href="#/audit?${older}" data-testid="older">Older entries</a>` : nothing}
    </p>`), main);
}

const filterHash = (filter) => {
  const f = new URLSearchParams(Object.entries(filter).filter(([, v]) => v));
  return f.toString() ? `?${f}` : '';
};
