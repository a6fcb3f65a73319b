// Pieces every page uses. Everything is rendered with lit-html templates, which insert text as
// text: a VM called <b>x</b> shows those characters, it does not become markup.
import { html, nothing, render } from './vendor.js';
import * as fmt from './format.js';

/** A page's frame: its heading, actions on the right, then the body. */
export const page = (title, body, actions = nothing) => html`
  <div class="page-head"><h1>${title}</h1><div class="actions">${actions}</div></div>
  ${body}`;

const TONE = {
  OK: 'good', SUCCEEDED: 'good', AVAILABLE: 'good', RUNNING: 'info', running: 'info', SERVING: 'info', COPYING: 'info',
  QUEUED: 'muted', NONE: 'muted', PAUSED: 'muted', shutoff: 'muted', CANCELLED: 'muted', DELETED: 'muted', STOPPED: 'muted',
  WARNING: 'warn', FAILED: 'bad', CRITICAL: 'bad', ERROR: 'bad',
};

/** A state as a word in a coloured chip: the word carries the meaning, the colour only helps. */
export const badge = (state, label = state) =>
  html`<span class="badge ${TONE[state] ?? 'muted'}" data-state=${state ?? ''}>${label ?? '–'}</span>`;

/** A progress bar with its numbers in words beside it. */
export const progress = (done, total, label = 'progress') => html`
  <span class="progress">
    <progress max=${total > 0 ? total : 1} value=${total > 0 ? Math.min(done, total) : 0} aria-label=${label}></progress>
    <span class="progress-text">${fmt.percent(done, total)} · ${fmt.bytes(done)} of ${fmt.bytes(total)}</span>
  </span>`;

/** A definition list from [term, value] pairs. */
export const facts = (pairs) => html`<dl class="facts">${pairs.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;

/** A table: columns are [heading, row => cell]; an empty list says so in words. */
export const table = (columns, rows, { empty = 'Nothing here yet.', rowClass = () => '', label = '' } = {}) =>
  rows.length === 0
    ? html`<p class="empty">${empty}</p>`
    : html`<div class="table-wrap"><table aria-label=${label}>
        <thead><tr>${columns.map(([h]) => html`<th scope="col">${h}</th>`)}</tr></thead>
        <tbody>${rows.map((r) => html`<tr class=${rowClass(r)}>${columns.map(([, cell]) => html`<td>${cell(r)}</td>`)}</tr>`)}</tbody>
      </table></div>`;

/** A labelled form field with its help and its error from the server, tied together for screen readers. */
export function field({ label, name, value = '', type = 'text', error, help, required = false, attrs = {} }) {
  const id = `f-${name}`;
  const described = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field ${error ? 'invalid' : ''}">
    <label for=${id}>${label}${required ? html`<span aria-hidden="true"> *</span>` : nothing}</label>
    <input id=${id} name=${name} type=${type} .value=${value ?? ''} ?required=${required}
      aria-invalid=${error ? 'true' : 'false'} aria-describedby=${described || nothing}
      placeholder=${attrs.placeholder ?? nothing} min=${attrs.min ?? nothing}>
    ${help ? html`<small id="${id}-help" class="help">${help}</small>` : nothing}
    ${error ? html`<small id="${id}-error" class="error" data-field-error=${name}>${error}</small>` : nothing}
  </div>`;
}

/** A short message in the corner that screen readers announce. */
export function toast(message, tone = 'good') {
  const host = document.getElementById('toasts');
  const el = document.createElement('div');
  el.className = `toast ${tone}`;
  el.textContent = message;
  host.append(el);
  setTimeout(() => el.remove(), tone === 'bad' ? 10000 : 5000);
}

/** Shows what went wrong with an action, with the appliance's own words. */
export const fail = (e) => toast(e.message ?? String(e), 'bad');

/**
 * Asks before something that cannot be undone. With {@code typed}, the user must type that word
 * (a VM's name, say) before the button works. Resolves true when confirmed.
 */
export const confirm = async (options) => (await ask(options)) !== null;

/**
 * {@link confirm} with form fields in the dialog: {@code fields} are [{name, label, type: 'text' |
 * 'checkbox', help, placeholder}]. Resolves to the fields' values ({name: string | boolean}) when
 * confirmed, null when not.
 */
export function ask({ title, message, confirmLabel = 'Confirm', typed = null, danger = true, fields = [] }) {
  return new Promise((resolve) => {
    const dialog = document.createElement('dialog');
    dialog.className = 'confirm';
    document.body.append(dialog);
    const values = Object.fromEntries(fields.map((f) => [f.name, f.type === 'checkbox' ? false : '']));
    const done = (ok) => { dialog.close(); dialog.remove(); resolve(ok ? values : null); };
    const set = (name, value) => { values[name] = value; draw(typedText); };
    let typedText = '';
    const draw = (text) => { typedText = text; render(html`
      <form method="dialog" @submit=${(e) => { e.preventDefault(); if (!typed || typedText === typed) done(true); }}>
        <h2>${title}</h2>
        <p>${message}</p>
        ${fields.map((f) => (f.type === 'checkbox'
          ? html`<label class="check"><input type="checkbox" id=${`ask-${f.name}`} .checked=${values[f.name]}
              @change=${(e) => set(f.name, e.target.checked)}> ${f.label}</label>
              ${f.help ? html`<small class="help">${f.help}</small>` : nothing}`
          : html`<div class="field"><label for=${`ask-${f.name}`}>${f.label}</label>
              <input id=${`ask-${f.name}`} autocomplete="off" placeholder=${f.placeholder ?? nothing} .value=${values[f.name]}
                @input=${(e) => set(f.name, e.target.value)}>
              ${f.help ? html`<small class="help">${f.help}</small>` : nothing}</div>`))}
        ${typed ? html`<label for="confirm-typed">Type <strong>${typed}</strong> to confirm</label>
          <input id="confirm-typed" autocomplete="off" .value=${typedText} @input=${(e) => draw(e.target.value)}>` : nothing}
        <div class="actions">
          <button type="button" @click=${() => done(false)}>Cancel</button>
          <button type="submit" class=${danger ? 'danger' : 'primary'} ?disabled=${typed && typedText !== typed}
            data-confirm>${confirmLabel}</button>
        </div>
      </form>`, dialog); };
    draw('');
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    dialog.showModal();
    (dialog.querySelector('input') ?? dialog.querySelector('[data-confirm]')).focus();
  });
}

/** Runs an action from a button: disables it while it runs, reports failure, returns the result. */
export async function act(button, work, success) {
  if (button) button.disabled = true;
  try {
    const result = await work();
    if (success) toast(typeof success === 'function' ? success(result) : success);
    return result;
  } catch (e) {
    fail(e);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/** Reads a form's fields into an object of strings. */
export const formValues = (form) => Object.fromEntries(new FormData(form).entries());

/** A link to a page of the console. */
export const link = (hash, text) => html`<a href=${hash}>${text}</a>`;
