// DR runbooks (#/runbooks): each runbook's newest version, its run order and who changed it last;
// one runbook is pages/runbook.js. Schema: docs/runbooks.md.
import { html, render } from '../vendor.js';
import { api, seg } from '../api.js';
import { page, table, link } from '../ui.js';
import * as fmt from '../format.js';

export default async function runbooks(main) {
  const runbooks = await api.get('/api/runbooks');
  render(page('Runbooks', html`
    <p class="help">Which VMs come back after a site is lost, in which order, where, and how we know they are healthy
      (the schema is in docs/runbooks.md). Stored with versions and replicated to the bucket beside the restore points.
      Open one to check its readiness, run a test failover or a failover; <a href="#/runbook-runs">every run</a>.</p>
    ${table([
      ['Name', (r) => html`<span data-runbook=${r.name}>${link(`#/runbooks/${seg(r.name)}`, r.name)}</span>`],
      ['Version', (r) => r.version],
      ['Run order', (r) => r.groups.join(' → ')],
      ['VMs', (r) => r.vms],
      ['Changed', (r) => html`<span title=${fmt.time(r.created)}>${fmt.age(r.created)}</span> by ${r.createdBy}`],
      ['Description', (r) => r.description],
    ], runbooks, { empty: 'No runbooks yet.', label: 'Runbooks' })}`,
  html`<a class="button primary" href="#/runbooks/new" data-testid="new-runbook">New runbook</a>`), main);
}
