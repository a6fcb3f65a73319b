// The console's shell: who is logged in, the navigation, and which page a #/... address shows.
// Each page is a module under pages/ whose default export renders into <main> and may return a
// function that stops what it started (event streams, timers) when the user leaves the page.
import { html, render } from './vendor.js';
import { session, cookie } from './api.js';
import { fail } from './ui.js';

const NAV = [
  ['#/', 'Dashboard'],
  ['#/vms', 'VMs'],
  ['#/points', 'Restore points'],
  ['#/recoveries', 'Instant recoveries'],
  ['#/policies', 'Policies'],
  ['#/jobs', 'Jobs'],
  ['#/replication', 'Replication'],
  ['#/runbooks', 'Runbooks'],
  ['#/runbook-runs', 'Runbook runs'],
  ['#/audit', 'Audit log'],
];

// [address pattern, page module, names of the captured parts]
const ROUTES = [
  [/^#?\/?$/, 'dashboard', []],
  [/^#\/vms$/, 'vms', []],
  [/^#\/vm\/([^/]+)$/, 'vm', ['vm']],
  [/^#\/vms\/([^/]+)$/, 'vm', ['vm']],
  [/^#\/points$/, 'points', []],
  [/^#\/points\/([^/]+)$/, 'points', ['vm']],
  [/^#\/points\/([^/]+)\/([^/]+)$/, 'point', ['vm', 'time']],
  [/^#\/restore\/([^/]+)\/([^/]+)$/, 'restore', ['vm', 'time']],
  [/^#\/files\/([^/]+)\/([^/]+)$/, 'files', ['vm', 'time']],
  [/^#\/recoveries$/, 'recoveries', []],
  [/^#\/policies$/, 'policies', []],
  [/^#\/policies\/new$/, 'policy', []],
  [/^#\/policies\/([^/]+)$/, 'policy', ['name']],
  [/^#\/policy\/new$/, 'policy', []],
  [/^#\/policy\/([^/]+)$/, 'policy', ['name']],
  [/^#\/jobs$/, 'jobs', []],
  [/^#\/jobs\/([^/]+)$/, 'job', ['id']],
  [/^#\/replication$/, 'replication', []],
  [/^#\/audit$/, 'audit', []],
  [/^#\/runbooks$/, 'runbooks', []],
  [/^#\/runbooks\/new$/, 'runbook', []],
  [/^#\/runbooks\/([^/]+)$/, 'runbook', ['name']],
  [/^#\/runbook-runs$/, 'runbook-runs', []],
  [/^#\/runbook-runs\/([^/]+)$/, 'runbook-run', ['id']],
];

const main = document.getElementById('main');
main.replaceChildren(); // lit-html renders into an empty element; the static "Loading…" goes
let leave = null;

function route(hash) {
  const [path, query = ''] = hash.split('?');
  for (const [pattern, module, names] of ROUTES) {
    const m = pattern.exec(path);
    if (m) {
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
      return { module, params, query: new URLSearchParams(query) };
    }
  }
  return null;
}

function drawNav(current) {
  const section = (current.split('?')[0].match(/^#\/[^/]*/) ?? ['#/'])[0];
  const aliases = { '#/restore': '#/points', '#/files': '#/points', '#/points': '#/points', '#/vm': '#/vms' };
  const active = aliases[section] ?? section;
  render(html`<ul>${NAV.map(([href, label]) => html`<li><a href=${href}
    aria-current=${(active === href || (href === '#/' && active === '#/')) ? 'page' : 'false'}>${label}</a></li>`)}</ul>`,
    document.getElementById('nav'));
}

async function show() {
  const hash = location.hash || '#/';
  if (leave) { try { leave(); } catch { /* the old page is gone either way */ } leave = null; }
  drawNav(hash);
  document.getElementById('nav').classList.remove('open');
  const r = route(hash);
  if (!r) {
    render(html`<h1>Not found</h1><p>No page at ${hash}. <a href="#/">Back to the dashboard</a>.</p>`, main);
    return;
  }
  render(html`<p class="loading">Loading…</p>`, main);
  try {
    const page = await import(`./pages/${r.module}.js`);
    const cleanup = await page.default(main, r.params, r.query);
    leave = typeof cleanup === 'function' ? cleanup : null;
  } catch (e) {
    render(html`<h1>Something went wrong</h1><p class="error-text">${e.message ?? String(e)}</p>`, main);
    if (e.status !== 401) fail(e);
  }
  main.focus({ preventScroll: true });
  document.title = `${main.querySelector('h1')?.textContent ?? 'Lifeboat'} · Lifeboat`;
}

async function start() {
  const me = await session();
  render(html`<span class="user">${me.user}</span>
    <form method="post" action="/logout" @submit=${(e) => { e.target.elements._csrf.value = cookie('XSRF-TOKEN') ?? ''; }}>
      <input type="hidden" name="_csrf"><button type="submit" class="link">Log out</button>
    </form>`, document.getElementById('who'));
  const menu = document.querySelector('.menu');
  menu.addEventListener('click', () => {
    const open = document.getElementById('nav').classList.toggle('open');
    menu.setAttribute('aria-expanded', String(open));
  });
  window.addEventListener('hashchange', show);
  await show();
}

start().catch((e) => { if (e.status !== 401) render(html`<p class="error-text">${e.message}</p>`, main); });
