// Every backup policy at a glance: what it selects, when it fires next, what it keeps.
import { html, render } from '../vendor.js';
import { api, seg } from '../api.js';
import { page, table, badge, link } from '../ui.js';
import * as fmt from '../format.js';
import { selectionText, retentionText, firstFire, scheduleText } from './policy-text.js';

export default async function policies(main) {
  const list = await api.get('/api/policies');
  render(page('Policies', table([
    ['Name', (p) => html`<span data-policy=${p.name}>${link(`#/policies/${seg(p.name)}`, p.name)}</span>`],
    ['State', (p) => (p.paused ? badge('PAUSED', 'paused') : badge('OK', 'active'))],
    ['Selection', (p) => html`<span data-testid="selection">${selectionText(p.definition.selection)}</span>`],
    ['Schedule', (p) => scheduleText(p.definition)],
    ['Next backup', (p) => {
      const next = firstFire(p.nextFireTimes?.backup);
      return next ? html`<span title=${fmt.age(next)}>${fmt.time(next)}</span>` : (p.paused ? 'none while paused' : '–');
    }],
    ['Retention', (p) => retentionText(p.definition.retention)],
  ], list, { empty: 'No policies yet. Create one to back VMs up on a schedule.', label: 'Policies' }),
  html`<a class="button primary" href="#/policies/new" data-testid="create-policy">Create policy</a>`), main);
}
