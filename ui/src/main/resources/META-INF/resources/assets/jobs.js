// Following jobs live: the appliance pushes each change over server-sent events
// (GET /api/jobs/events); nothing here polls.
import { api, events } from './api.js';

/**
 * Calls onUpdate(job) with the job as it is now, then with each change the appliance pushes,
 * until the job has ended. Returns a function that stops following it.
 */
export function watchJob(id, onUpdate) {
  let last = null;
  const deliver = (job) => {
    if (!job || job.id !== id) return;
    last = job;
    onUpdate(job);
    if (isFinal(job.state)) stop();
  };
  const stop = events(`/api/jobs/events?job=${encodeURIComponent(id)}`, {
    snapshot: (s) => (Array.isArray(s?.jobs) ? s.jobs : Array.isArray(s) ? s : [s?.job ?? s]).forEach(deliver),
    job: deliver,
  });
  // the state before the first pushed change (the stream sends changes, and a job may already be done)
  api.get(`/api/jobs/${encodeURIComponent(id)}`).then((job) => { if (!last) deliver(job); }).catch(() => {});
  return stop;
}

/** Every job change, for the jobs list and the dashboard: onJob(job). Returns a function that stops. */
export function watchAllJobs(onJob, onState) {
  return events('/api/jobs/events', {
    snapshot: (s) => (Array.isArray(s?.jobs) ? s.jobs : Array.isArray(s) ? s : []).forEach(onJob),
    job: onJob,
  }, onState);
}

export const isFinal = (state) => state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED';
