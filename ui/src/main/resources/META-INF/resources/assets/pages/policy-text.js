// How a policy's parts read in words, shared by the list and the policy's own page.

/** {names, globs, tags} → "db01, web-* · tags: prod". */
export function selectionText(selection) {
  if (!selection) return '–';
  const parts = [];
  const named = [...(selection.names ?? []), ...(selection.globs ?? [])];
  if (named.length) parts.push(named.join(', '));
  if (selection.tags?.length) parts.push(`tags: ${selection.tags.join(', ')}`);
  return parts.length ? parts.join(' · ') : '–';
}

/** {"keep-last": 3, "keep-daily": 7, "keep-weekly": 0} → "last 3, daily 7"; all zero → "keep everything". */
export function retentionText(retention) {
  const rules = Object.entries(retention ?? {}).filter(([, n]) => n > 0);
  return rules.length ? rules.map(([rule, n]) => `${rule.replace(/^keep-/, '')} ${n}`).join(', ') : 'keep everything';
}

/** The cron with its zone and window: "0 30 1 * * ? (Europe/Berlin), window 01:00–05:00". */
export function scheduleText(definition) {
  const window = definition.window ? `, window ${definition.window.start}–${definition.window.end}` : '';
  return `${definition.cron} (${definition.timeZone})${window}`;
}

/** Fire times come as ISO offset date-times, maybe with a [zone] after them: an instant for format.time. */
export const instant = (zoned) => (zoned ? String(zoned).replace(/\[.*\]$/, '') : null);

export const firstFire = (times) => instant(times?.[0]);
