// The dashboard: is everything protected, what runs now, what failed.
import { html, render } from '../vendor.js';
import { api } from '../api.js';
import { page, table, badge } from '../ui.js';
import * as fmt from '../format.js';

export default async function dashboard(main) {
  const jobs = await api.get('/api/jobs?limit=20');
  render(page('Dashboard', html`
    <h2>Recent jobs</h2>
    ${table([
      ['Job', (j) => html`<a href="#/jobs/${j.id}">${fmt.shortId(j.id)}</a>`],
      ['Kind', (j) => j.kind],
      ['VM', (j) => j.vm ?? '–'],
      ['State', (j) => badge(j.state)],
      ['Created', (j) => fmt.time(j.created)],
    ], jobs, { empty: 'No jobs yet.', label: 'Recent jobs' })}`), main);
}
