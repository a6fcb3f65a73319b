// Every value a person reads goes through here: sizes, durations, ages, times, ratios.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → "1.5 KiB"; null → "–". Binary units, as qemu-img and the CLI print them. */
export function bytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  let v = Math.abs(n);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) { v /= 1024; u++; }
  const digits = u === 0 || v >= 100 ? 0 : 1;
  return `${n < 0 ? '-' : ''}${v.toFixed(digits)} ${UNITS[u]}`;
}

/** Milliseconds → "850 ms", "12.3 s", "4 min 05 s", "2 h 07 min", "3 d 4 h". */
export function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Seconds → the same, for RPOs and lags. */
export const seconds = (s) => (s === null || s === undefined ? '–' : duration(s * 1000));

/** An age in seconds → "just now", "42.0 s old", "3 h 10 min old". */
export const oldness = (s) => (s === null || s === undefined ? '–' : s < 5 ? 'just now' : `${seconds(s)} old`);

/** A VM's state as libvirt's words: SHUT_OFF → "shut off". */
export const state = (s) => (s ? String(s).toLowerCase().replaceAll('_', ' ') : '–');

/** An instant → "5 min ago" / "in 3 h" (relative to now). */
export function age(instant, now = Date.now()) {
  if (!instant) return 'never';
  const diff = now - new Date(instant).getTime();
  const text = duration(Math.abs(diff)).replace(/ \d+ (s|min|h)$/, '');
  if (Math.abs(diff) < 5000) return 'just now';
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

const TIME = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  timeZoneName: 'short',
});

/** An instant → local time with its zone, "07 Dec 2026, 14:03:21 UTC". */
export const time = (instant) => (instant ? TIME.format(new Date(instant)) : '–');

/** 3.21 → "3.2×". */
export const ratio = (r) => (r === null || r === undefined || !Number.isFinite(r) ? '–' : `${r.toFixed(r >= 10 ? 0 : 1)}×`);

/** done of total → "42 %". */
export const percent = (done, total) => (total > 0 ? `${Math.min(100, Math.floor((100 * done) / total))} %` : '–');

/** A job or recovery id as the CLI prints it: the first 8 characters. */
export const shortId = (id) => (id ? String(id).slice(0, 8) : '–');
