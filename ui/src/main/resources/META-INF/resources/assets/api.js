// The console's one way to the appliance: the REST API that scripts use, nothing else.
// Requests carry the session cookie, the CSRF token (copied from the XSRF-TOKEN cookie) on
// anything that changes something, and X-Requested-With, so that a 401 does not make the browser
// ask for Basic credentials: an ended session goes back to the login page instead.

/** An answer other than 2xx: the appliance's problem+json, with per-field violations if any. */
export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail ?? body?.title ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.violations = Array.isArray(body?.violations) ? body.violations : [];
  }

  /** The message for one form field, or undefined. */
  field(name) {
    return this.violations.find((v) => v.field === name)?.message;
  }
}

export function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

let csrfHeader = 'X-XSRF-TOKEN';
let csrfToken = null;

async function request(method, path, body, contentType = 'application/json') {
  const headers = { 'X-Requested-With': 'lifeboat-console', Accept: 'application/json, application/problem+json' };
  if (method !== 'GET') headers[csrfHeader] = cookie('XSRF-TOKEN') ?? csrfToken ?? '';
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = contentType;
    payload = contentType === 'application/json' ? JSON.stringify(body) : body;
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (res.status === 401) {
    location.assign('/login?expired');
    throw new Problem(401, { detail: 'Your session has ended' });
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { detail: text }; }
  }
  if (!res.ok) throw new Problem(res.status, data);
  return data;
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body) => request('POST', path, body),
  postXml: (path, xml) => request('POST', path, xml, 'application/xml'),
  postText: (path, text, contentType) => request('POST', path, text, contentType),
  put: (path, body) => request('PUT', path, body),
  patch: (path, body) => request('PATCH', path, body),
  del: (path) => request('DELETE', path),
};

/** Who is logged in; also picks up the session's CSRF token. */
export async function session() {
  const s = await api.get('/api/session');
  if (s?.csrf) {
    csrfHeader = s.csrf.header;
    csrfToken = s.csrf.token;
  }
  return s;
}

/** A path segment: VM names, restore point times and policy names go into URLs escaped. */
export const seg = (s) => encodeURIComponent(s);

/** A restore point id (vm/time) as its two URL segments. */
export function pointPath(id) {
  const slash = id.lastIndexOf('/');
  return `${seg(id.slice(0, slash))}/${seg(id.slice(slash + 1))}`;
}

/**
 * Server-sent events: calls handlers[eventName](parsed data) for each event; returns a function
 * that closes the stream. The browser reconnects on its own after a dropped connection.
 */
export function events(path, handlers, onState = () => {}) {
  const source = new EventSource(path, { withCredentials: true });
  for (const [name, handle] of Object.entries(handlers)) {
    source.addEventListener(name, (e) => handle(JSON.parse(e.data)));
  }
  source.onopen = () => onState('open');
  source.onerror = () => onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  return () => source.close();
}
