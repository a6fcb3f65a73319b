// Runbook runs as the console shows them: a run's kind and state in words, its RTO, and reading
// a run again every second while it goes on (runs are not jobs: no server-sent events for them).
import { html } from './vendor.js';
import { api, seg } from './api.js';
import { badge } from './ui.js';

const TONE = { RUNNING: 'RUNNING', WAITING_APPROVAL: 'WARNING', HALTED: 'FAILED', DONE: 'SUCCEEDED', CANCELLED: 'CANCELLED', CLEANED: 'NONE' };

/** A run's state as a badge: "waiting for approval", "halted", ... */
export const runState = (state) => badge(TONE[state] ?? state, String(state ?? '–').toLowerCase().replaceAll('_', ' '));

/** test (or TEST, as a readiness report writes it) → "test failover", failover → "failover". */
export const kindText = (kind) => {
  const k = String(kind ?? '').toLowerCase();
  return k === 'test' ? 'test failover' : k;
};

/** Still going on: worth reading again. */
export const going = (state) => state === 'RUNNING';

/** The run page of a run. */
export const runHref = (id) => `#/runbook-runs/${seg(id)}`;

export const runLink = (id) => html`<a href=${runHref(id)} data-run=${id}><code>${id}</code></a>`;

/**
 * Reads {@code path} every {@code ms} while {@code more(answer)} says so, calling {@code then}
 * with each answer (and {@code failed} with an error); returns a function that stops.
 */
export function poll(path, more, then, failed, ms = 1000) {
  let timer = null;
  let stopped = false;
  const next = () => {
    timer = setTimeout(async () => {
      try {
        const answer = await api.get(path);
        if (stopped) return;
        then(answer);
        if (more(answer)) next();
      } catch (e) {
        if (!stopped) { failed(e); next(); }
      }
    }, ms);
  };
  next();
  return () => { stopped = true; clearTimeout(timer); };
}
