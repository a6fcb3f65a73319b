// The restore wizard (#/restore/<vm>/<time>), in four steps:
//   1. what: the whole VM as a new VM, a clone beside the original, over the original, single
//      disks as image files, or an instant recovery (the VM runs at once from the store);
//   2. where: host, directory or storage pool, format, network mapping, name, start after;
//   3. check: the appliance's own dry run (POST …/restore?dryRun=true) shows what would be written
//      and defined, or why it refuses; nothing has happened yet. Then a confirmation;
//   4. run: the job's progress as the appliance pushes it, then the result.
import { html, render, nothing } from '../vendor.js';
import { api, seg, pointPath } from '../api.js';
import { page, table, badge, facts, progress, confirm, toast, fail, link } from '../ui.js';
import { watchJob, isFinal } from '../jobs.js';
import { consistencyText } from '../points.js';
import * as fmt from '../format.js';

const MODES = [
  ['new', 'Full VM', 'A VM with a new UUID and MAC addresses, by default under the original name.'],
  ['clone', 'Clone', 'Beside the original, under another name, with a new UUID and MACs.'],
  ['over-original', 'Over the original', 'Replaces the original VM\'s disks and definition. The original must be shut off.'],
  ['disks', 'Single disks', 'Only the disks you pick, as image files; no VM is defined.'],
  ['instant', 'Instant recovery', 'The VM runs at once on the restore point served from the store, then moves to its own images in the background.'],
];
const STEPS = ['What', 'Where', 'Check', 'Run'];
const MIB = 1024 * 1024;

/** The networks the restore point's VM is on, from the domain XML of a dry run. */
function networksOf(domainXml) {
  if (!domainXml) return [];
  const doc = new DOMParser().parseFromString(domainXml, 'application/xml');
  const names = [...doc.querySelectorAll('devices > interface[type=network] > source[network]')].map((s) => s.getAttribute('network'));
  return [...new Set(names)];
}

export default async function restoreWizard(main, params) {
  const path = `${seg(params.vm)}/${seg(params.time)}`;
  const [point, hosts] = await Promise.all([
    api.get(`/api/restore-points/${path}`),
    api.get('/api/hosts').catch(() => []),
  ]);
  const defaultHost = hosts.find((h) => h.default)?.uri ?? '';
  // the VM's networks, from the domain XML of a dry run of a clone (nothing is done; a name of
  // its own and overwrite, so that no VM or file in the way makes it refuse)
  const probe = await api.post(`/api/restore-points/${path}/restore?dryRun=true`,
    { mode: 'clone', name: `${point.vm}-check`, overwrite: true }).catch((e) => ({ error: e.message }));
  const vmNetworks = networksOf(probe?.domainXml);

  const s = {
    step: 1, mode: 'clone',
    name: '', uri: defaultHost, storage: 'directory', directory: '', pool: '', format: 'qcow2',
    networks: Object.fromEntries(vmNetworks.map((n) => [n, n])), start: true, overwrite: false,
    disks: point.disks.map((d) => d.name),
    newIdentity: true, bandwidthMib: '', copy: true,
    plan: null, refusal: null, checking: false,
    job: null, result: null, session: null, starting: false,
  };
  let stopWatch = null;

  const instant = () => s.mode === 'instant';
  const defaultName = () => ({ new: point.vm, clone: `${point.vm}-clone`, 'over-original': point.vm, disks: point.vm, instant: `${point.vm}-instant` }[s.mode]);
  const host = () => hosts.find((h) => h.uri === s.uri);

  /** The restore request as the API takes it. */
  const body = () => {
    const b = { uri: s.uri || null, format: s.format };
    if (s.mode === 'disks') Object.assign(b, { mode: 'new', disks: s.disks });
    else Object.assign(b, { mode: s.mode, start: s.start });
    if (s.name.trim()) b.name = s.name.trim();
    if (s.storage === 'pool' && s.pool) b.pool = s.pool;
    else if (s.directory.trim()) b.directory = s.directory.trim();
    const moved = Object.entries(s.networks).filter(([from, to]) => to && to !== from).map(([from, to]) => `${from}=${to}`);
    if (moved.length && s.mode !== 'disks') b.networks = moved;
    if (s.overwrite || s.mode === 'over-original') b.overwrite = true;
    return b;
  };

  const instantBody = () => ({
    name: s.name.trim() || defaultName(), newIdentity: s.newIdentity, uri: s.uri || null,
    imageDir: s.directory.trim() || null, copy: s.copy,
    bandwidth: s.bandwidthMib ? Math.round(Number(s.bandwidthMib) * MIB) : 0,
  });

  const go = (step) => { s.step = step; draw(); main.querySelector('h2')?.focus?.(); };

  const check = async () => {
    s.plan = null;
    s.refusal = null;
    s.checking = true;
    go(3);
    try {
      if (instant()) {
        const b = instantBody();
        if (b.bandwidth < 0 || Number.isNaN(b.bandwidth)) throw new Error('the copy bandwidth must be a number of MiB/s, 0 or more');
        const onHost = await api.get(`/api/vms${b.uri ? `?host=${seg(b.uri)}` : ''}`);
        if (onHost.some((v) => v.name === b.name)) throw new Error(`a VM named ${b.name} exists on ${b.uri || 'the default host'}: pick another name`);
        s.plan = { instant: b };
      } else {
        s.plan = await api.post(`/api/restore-points/${path}/restore?dryRun=true`, body());
      }
    } catch (e) {
      s.refusal = e.message ?? String(e);
    } finally {
      s.checking = false;
    }
    draw();
  };

  const follow = (jobId) => {
    if (stopWatch) stopWatch();
    stopWatch = watchJob(jobId, async (job) => {
      s.job = job;
      draw();
      if (isFinal(job.state)) {
        toast(`${instant() ? 'Instant recovery' : 'Restore'} of ${point.vm}: ${job.state.toLowerCase()}`, job.state === 'SUCCEEDED' ? 'good' : 'bad');
        s.result = await api.get(`/api/jobs/${seg(job.id)}/restore`).catch(() => null);
        draw();
      }
    });
  };

  const run = async (e) => {
    const button = e.currentTarget;
    if (s.mode === 'over-original') {
      const ok = await confirm({
        title: `Replace ${point.vm} with its restore point from ${fmt.time(point.time)}?`,
        message: 'Its disks are overwritten with the restore point: whatever it wrote since is lost.',
        confirmLabel: 'Replace the original', typed: point.vm,
      });
      if (!ok) return;
    }
    button.disabled = true;
    s.starting = true;
    go(4);
    try {
      if (instant()) {
        const started = await api.post(`/api/restore-points/${path}/instant-recovery`, instantBody());
        s.session = started.session;
        follow(started.jobId);
      } else {
        const started = await api.post(`/api/restore-points/${path}/restore`, body());
        s.plan = { ...s.plan, ...started.plan };
        follow(started.jobId);
      }
    } catch (err) {
      s.refusal = err.message;
      fail(err);
      s.step = 3;
    } finally {
      s.starting = false;
      draw();
    }
  };

  const cancel = async (e) => {
    const button = e.currentTarget;
    button.disabled = true;
    try {
      await api.post(`/api/jobs/${seg(s.job.id)}/cancel`);
    } catch (err) {
      fail(err);
      button.disabled = false;
    }
  };

  const set = (key) => (e) => {
    const t = e.target;
    s[key] = t.type === 'checkbox' ? t.checked : t.value;
    draw();
  };

  const stepList = () => html`<ol class="steps" aria-label="Steps">
    ${STEPS.map((label, i) => html`<li aria-current=${s.step === i + 1 ? 'step' : 'false'} data-step=${i + 1}>${i + 1}. ${label}</li>`)}</ol>`;

  const whatStep = () => html`<section data-testid="step-what">
    <h2 tabindex="-1">What to restore</h2>
    <fieldset>
      <legend>Restore as</legend>
      <div class="choices">
        ${MODES.map(([value, label, help]) => html`<label>
          <input type="radio" name="mode" value=${value} .checked=${s.mode === value} data-mode=${value}
            @change=${() => { s.mode = value; s.plan = null; draw(); }}>
          <span>${label}<small>${help}</small></span></label>`)}
      </div>
    </fieldset>
    ${s.mode === 'disks' ? html`<fieldset><legend>Disks</legend>
      ${point.disks.map((d) => html`<label class="check"><input type="checkbox" data-disk=${d.name} .checked=${s.disks.includes(d.name)}
        @change=${(e) => { s.disks = e.target.checked ? [...s.disks, d.name] : s.disks.filter((x) => x !== d.name); draw(); }}>
        ${d.name} · ${fmt.bytes(d.sizeBytes)}</label>`)}</fieldset>` : nothing}
    <div class="actions"><button type="button" class="primary" data-next="2" ?disabled=${s.mode === 'disks' && s.disks.length === 0}
      @click=${() => go(2)}>Next: where</button></div>
  </section>`;

  const hostField = () => html`<div class="field">
    <label for="f-uri">Host</label>
    <select id="f-uri" name="uri" @change=${(e) => { s.uri = e.target.value; s.pool = ''; draw(); }}>
      ${hosts.length === 0 ? html`<option value="">the appliance's default host</option>` : nothing}
      ${hosts.map((h) => html`<option value=${h.uri} ?selected=${h.uri === s.uri} ?disabled=${Boolean(h.error)}>${h.uri}${h.default ? ' (default)' : ''}${h.error ? ' (not answering)' : ''}</option>`)}
    </select>
    <small class="help">${instant() ? 'The VM runs here; this host must reach the appliance\'s NBD export (same machine).' : 'The VM is defined here.'}</small>
  </div>`;

  const whereStep = () => {
    const pools = (host()?.pools ?? []).filter((p) => p.active);
    const networks = host()?.networks ?? [];
    return html`<section data-testid="step-where">
      <h2 tabindex="-1">Where to</h2>
      <form class="stack" @submit=${(e) => { e.preventDefault(); check(); }}>
        <div class="grid2 tight">
          <div class="field">
            <label for="f-name">${s.mode === 'disks' ? 'File name stem' : 'VM name'}</label>
            <input id="f-name" name="name" .value=${s.name} placeholder=${defaultName()} @input=${set('name')} autocomplete="off"
              aria-describedby="f-name-help">
            <small id="f-name-help" class="help">${s.mode === 'over-original' ? 'The original\'s name.'
              : html`Empty: <code>${defaultName()}</code>. Disk files are named <code>&lt;name&gt;-&lt;disk&gt;.${instant() ? 'qcow2' : s.format}</code>.`}</small>
          </div>
          ${hostField()}
        </div>
        ${instant() ? html`
          <div class="grid2 tight">
            <div class="field">
              <label for="f-directory">Image directory</label>
              <input id="f-directory" name="directory" .value=${s.directory} placeholder="the appliance's images directory" @input=${set('directory')}>
              <small class="help">Absolute; where the copy puts the VM's own qcow2 images before it pivots.</small>
            </div>
            <div class="field">
              <label for="f-bandwidth">Copy bandwidth (MiB/s)</label>
              <input id="f-bandwidth" name="bandwidth" type="number" min="0" step="any" .value=${s.bandwidthMib} placeholder="no limit" @input=${set('bandwidthMib')}>
              <small class="help">Limits the background copy so that it leaves the VM room to read.</small>
            </div>
          </div>
          <label class="check"><input type="checkbox" name="newIdentity" .checked=${s.newIdentity} @change=${set('newIdentity')}> New UUID and MAC addresses (clear it at a recovery site where the original is gone)</label>
          <label class="check"><input type="checkbox" name="copy" data-testid="copy" .checked=${s.copy} @change=${set('copy')}> Copy to own images at once (else only serve, until you start the copy)</label>`
        : html`
          <fieldset><legend>Disk files</legend>
            <div class="choices">
              <label><input type="radio" name="storage" value="directory" .checked=${s.storage === 'directory'} @change=${set('storage')}>
                <span>A directory<small>On the appliance's machine.</small></span></label>
              <label><input type="radio" name="storage" value="pool" .checked=${s.storage === 'pool'} ?disabled=${pools.length === 0} @change=${set('storage')}>
                <span>A storage pool<small>${pools.length ? `${pools.length} active on this host` : 'none active on this host'}</small></span></label>
            </div>
            ${s.storage === 'pool' ? html`<div class="field"><label for="f-pool">Storage pool</label>
              <select id="f-pool" name="pool" @change=${set('pool')}>
                <option value="" ?selected=${!s.pool}>pick one</option>
                ${pools.map((p) => html`<option value=${p.name} ?selected=${p.name === s.pool}>${p.name}</option>`)}
              </select></div>`
              : html`<div class="field"><label for="f-directory">Directory</label>
              <input id="f-directory" name="directory" .value=${s.directory} placeholder="the appliance's images directory" @input=${set('directory')}>
              <small class="help">Absolute. Empty: the appliance's images directory.</small></div>`}
            <div class="field"><label for="f-format">Format</label>
              <select id="f-format" name="format" @change=${set('format')}>
                <option value="qcow2" ?selected=${s.format === 'qcow2'}>qcow2 (sparse, snapshots)</option>
                <option value="raw" ?selected=${s.format === 'raw'}>raw</option>
              </select></div>
          </fieldset>
          ${s.mode === 'disks' ? nothing : html`<fieldset><legend>Networks</legend>
            ${probe.error ? html`<p class="help">Its networks could not be read (${probe.error}); they are kept as they are.</p>`
              : vmNetworks.length === 0 ? html`<p class="help">The VM is on no libvirt network.</p>` : vmNetworks.map((n) => html`<div class="field">
              <label for="f-net-${n}">Interfaces on <code>${n}</code> go to</label>
              <select id="f-net-${n}" data-network=${n} @change=${(e) => { s.networks = { ...s.networks, [n]: e.target.value }; draw(); }}>
                ${[...new Set([n, ...networks.map((x) => x.name)])].map((x) => html`<option value=${x} ?selected=${s.networks[n] === x}>${x}${
                  networks.some((y) => y.name === x) ? (networks.find((y) => y.name === x).active ? '' : ' (inactive)') : ' (not on this host)'}</option>`)}
              </select></div>`)}
          </fieldset>
          <label class="check"><input type="checkbox" name="start" data-testid="start" .checked=${s.start} @change=${set('start')}> Start the VM once it is restored</label>`}
          ${s.mode === 'new' || s.mode === 'disks' ? html`<label class="check"><input type="checkbox" name="overwrite" .checked=${s.overwrite} @change=${set('overwrite')}>
            Replace a shut-off VM of that name and files in the way</label>` : nothing}`}
        <div class="actions">
          <button type="button" @click=${() => go(1)}>Back</button>
          <button type="submit" class="primary" data-next="3" ?disabled=${s.storage === 'pool' && !s.pool && !instant()}>Next: check</button>
        </div>
      </form>
    </section>`;
  };

  const planFacts = (p) => (p.instant ? facts([
    ['Runs as', html`<strong data-testid="plan-name">${p.instant.name}</strong> on <code>${p.instant.uri || defaultHost || 'the default host'}</code>, started at once`],
    ['Identity', p.instant.newIdentity ? 'new UUID and MAC addresses' : 'the original\'s UUID and MAC addresses'],
    ['Disks', html`${point.disks.map((d) => html`<div><code>${d.name}</code> served from the store, then copied to
      <code>${p.instant.imageDir || '<images>'}/${p.instant.name}-${d.name}.qcow2</code></div>`)}`],
    ['Copy', p.instant.copy ? `at once${p.instant.bandwidth ? `, at most ${fmt.bytes(p.instant.bandwidth)}/s` : ', no bandwidth limit'}` : 'not yet: the VM only reads the store until you start the copy'],
    ['Checked', 'the name is free on the host; the appliance checks the rest (image files, the restore point\'s chunks) when you start, and creates nothing if it refuses'],
  ]) : html`${facts([
    ['Restores', html`${point.vm} from ${fmt.time(point.time)}, ${consistencyText(point.consistency)}`],
    ['As', html`<strong data-testid="plan-name">${p.name}</strong> (${p.mode === 'new' && !p.definesVm ? 'disk images only' : p.mode}) on <code>${p.uri}</code>`],
    ['Defines a VM', p.definesVm ? (p.replacesVm ? html`${badge('WARNING', 'yes, replacing one')}` : 'yes') : 'no, only disk images'],
    ['Pool', p.pool ?? '–'],
    ['Starts it', s.mode !== 'disks' && s.start ? 'yes' : 'no'],
  ])}
    <h3>Disk files</h3>
    ${table([['Disk', ([d]) => d], ['File', ([, f]) => html`<code data-plan-file=${d0(f)}>${f}</code>`]], Object.entries(p.disks ?? {}),
      { empty: 'No disk files.', label: 'Disk files' })}
    ${p.notes?.length ? html`<ul class="notes">${p.notes.map((n) => html`<li>${n}</li>`)}</ul>` : nothing}
    ${p.domainXml ? html`<details><summary>The VM definition libvirt will get</summary><pre class="log">${p.domainXml}</pre></details>` : nothing}`);

  const checkStep = () => html`<section data-testid="step-check">
    <h2 tabindex="-1">Check</h2>
    ${s.checking ? html`<p class="loading">Asking the appliance to check the restore…</p>` : nothing}
    ${s.refusal ? html`<div class="message error-box" data-testid="refusal" role="alert"><strong>The appliance refuses this:</strong> ${s.refusal}
      <p>Nothing was written or defined. Go back and change it.</p></div>` : nothing}
    ${s.plan ? html`<div class="card plan" data-testid="plan"><p>Nothing has been done yet. This is what will happen:</p>${planFacts(s.plan)}</div>` : nothing}
    <div class="actions">
      <button type="button" @click=${() => go(2)}>Back</button>
      <button type="button" class=${s.mode === 'over-original' ? 'danger' : 'primary'} data-action="run" ?disabled=${!s.plan || s.starting}
        @click=${run}>${instant() ? 'Start the instant recovery' : s.mode === 'over-original' ? 'Replace the original…' : 'Start the restore'}</button>
    </div>
  </section>`;

  const resultOf = () => {
    const r = s.result;
    const j = s.job;
    if (!j || !isFinal(j.state)) return nothing;
    if (j.state !== 'SUCCEEDED') {
      return html`<p class="error-text" data-testid="restore-result">${j.state === 'FAILED' ? 'Failed' : 'Cancelled'}: ${j.error ?? 'no reason given'}</p>`;
    }
    if (!r) return html`<p data-testid="restore-result">Done.</p>`;
    const vmLink = r.defined ? link(`#/vm/${seg(r.vm)}${r.uri && r.uri !== defaultHost ? `?host=${seg(r.uri)}` : ''}`, r.vm) : html`<code>${r.vm}</code>`;
    return html`<div data-testid="restore-result" data-defined=${String(Boolean(r.defined))} data-started=${String(Boolean(r.started))}>
      <p>${badge('SUCCEEDED', 'restored')} ${r.mode === 'INSTANT' ? html`${vmLink} runs on its own images now.`
        : r.defined ? html`${vmLink} is defined${r.started ? ' and started' : ', shut off'}.` : 'The disk images are written.'}</p>
      ${table([['Disk', ([d]) => d], ['File', ([, f]) => html`<code>${f}</code>`]], Object.entries(r.disks ?? {}), { label: 'Restored disks' })}
      ${r.notes?.length ? html`<ul class="notes">${r.notes.map((n) => html`<li>${n}</li>`)}</ul>` : nothing}
    </div>`;
  };

  const runStep = () => {
    const j = s.job;
    return html`<section data-testid="step-run">
      <h2 tabindex="-1">${instant() ? 'Instant recovery' : 'Restore'}</h2>
      ${s.starting ? html`<p class="loading">${instant() ? 'Starting the VM on the restore point…' : 'Starting the restore…'}</p>` : nothing}
      ${s.session ? html`<p data-testid="instant-running">${badge('RUNNING', 'running')} ${link(`#/vm/${seg(s.session.vm)}`, s.session.vm)} runs on the
        restore point, served from the store. ${link('#/recoveries', 'Instant recoveries')} shows it; stop it there when it is no longer wanted.</p>` : nothing}
      ${j ? html`<div data-testid="restore-job" data-job=${j.id} data-state=${j.state}>
        <div class="actions">${badge(j.state)}
          ${isFinal(j.state) || (instant() && j.phase === 'serving') ? nothing : progress(j.bytesDone ?? 0, j.bytesTotal ?? 0, `${j.kind} of ${point.vm}`)}
          ${!isFinal(j.state) && j.phase ? html`<span class="help" data-testid="restore-phase">${j.phase}</span>` : nothing}
          ${link(`#/jobs/${seg(j.id)}`, `Job ${fmt.shortId(j.id)}`)}
          ${!isFinal(j.state) && !instant() ? html`<button type="button" class="small" data-action="cancel" @click=${cancel}>Cancel</button>` : nothing}
        </div></div>` : nothing}
      ${resultOf()}
    </section>`;
  };

  const draw = () => {
    render(page(`Restore ${point.vm}`, html`
      <p class="help">From the restore point of ${fmt.time(point.time)} (${fmt.age(point.time)}), ${point.kind.toLowerCase()},
        ${consistencyText(point.consistency)}, ${fmt.bytes(point.logicalBytes)} · <a href="#/points/${pointPath(point.id)}">the restore point</a></p>
      ${stepList()}
      ${s.step === 1 ? whatStep() : s.step === 2 ? whereStep() : s.step === 3 ? checkStep() : runStep()}
    `), main);
  };
  draw();
  return () => { if (stopWatch) stopWatch(); };
}

// the file name without its directory, for test hooks and short labels
const d0 = (file) => String(file).slice(String(file).lastIndexOf('/') + 1);
