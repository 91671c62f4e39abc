'use strict';
(function () {
  // ---- helpers --------------------------------------------------------------
  const errors = [];
  const fail = (where, e) => errors.push(where + ': ' + (e && e.stack ? e.stack : String(e)));
  const $ = (id) => document.getElementById(id);
  const data = (id) => (id ? JSON.parse($(id).textContent) : null);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) =>
    ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const num = (x, d) => (x == null || !isFinite(x) ? '–' : Number(x).toFixed(d));
  const sum = (list, f) => list.reduce((s, x) => s + (Number(f(x)) || 0), 0);
  const p2 = (x) => x.toFixed(2);
  // Three palettes that share no hue (docs/compare-report.md "Colours"). VMs:
  // cool hues (blues, greens, teals, purples), the areas of bars and slices.
  // Runs: no hue at all, ink from black to grey with a dash pattern each, the
  // lines and the marks beside run names. Replacement phases: one warm ramp in
  // phase order, dark red (cease) to yellow (activate): downtime reads as heat.
  const VM_COLORS = ['#4e79a7', '#59a14f', '#b07aa1', '#76b7b2', '#2f4b7c', '#8cd17d', '#6b6ecf', '#a0cbe8', '#3d8c85', '#c5a5cf'];
  const RUN_STYLES = [['#111', ''], ['#111', '7 4'], ['#666', ''], ['#111', '2 3'], ['#666', '7 4'], ['#111', '10 3 2 3'],
    ['#999', ''], ['#666', '2 3'], ['#999', '7 4'], ['#666', '10 3 2 3']];
  const PHASES = ['cease', 'drain', 'unload', 'load', 'migrate', 'activate'];
  const PHASE_COLORS = { cease: '#7f0000', drain: '#c62828', unload: '#e64a19', load: '#f57c00', migrate: '#ffa726',
    activate: '#fdd835', unload_after: '#ffe0b2' };
  const PHASE_INK = { cease: '#fff', drain: '#fff', unload: '#fff', load: '#000', migrate: '#000', activate: '#000', unload_after: '#000' };

  // SVG as markup (the HTML parser puts <svg> content in the SVG namespace).
  const svg = (w, h, body) => `<svg width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${body}</svg>`;
  const tip = (t) => (t ? `<title>${esc(t)}</title>` : '');
  const rect = (x, y, w, h, fill, t, extra = '') =>
    `<rect x="${p2(x)}" y="${p2(y)}" width="${p2(Math.max(w, 0))}" height="${p2(h)}" fill="${fill}"${extra}>${tip(t)}</rect>`;
  const text = (x, y, s, extra = '') => `<text x="${p2(x)}" y="${p2(y)}"${extra}>${esc(s)}</text>`;
  const line = (x1, y1, x2, y2, cls, extra = '') =>
    `<line x1="${p2(x1)}" y1="${p2(y1)}" x2="${p2(x2)}" y2="${p2(y2)}" class="${cls}"${extra}/>`;
  const keys = (items) => '<div class="keys">' + items.map(([label, color, style = '']) =>
    `<span class="key"><i style="background:${color};${style}"></i>${esc(label)}</span>`).join('') + '</div>';
  // A run's mark: a short stretch of its line.
  const runMark = (r) => `<svg class="runmark" width="28" height="10" viewBox="0 0 28 10"><line x1="1" y1="5" x2="27" y2="5" stroke="${r.color}" stroke-width="2.5"${r.dash ? ` stroke-dasharray="${r.dash}"` : ''}/></svg>`;
  const runKeys = (list) => '<div class="keys">' + list.map((r) => `<span class="key">${runMark(r)}${esc(r.name)}</span>`).join('') + '</div>';
  const table = (head, rows) => '<table><tr>' + head.map((h) => `<th>${esc(h)}</th>`).join('') + '</tr>' +
    rows.map((r) => '<tr>' + r.map((c) => (typeof c === 'number' ? `<td class="n">${c}</td>` : /^<td[ >]/.test(c) ? c : `<td>${c}</td>`)).join('') + '</tr>').join('') + '</table>';
  // Cells: numbers are right-aligned, strings are already escaped markup (or a whole <td>).
  const n = (x, d) => (x == null || !isFinite(x) ? '–' : Number(Number(x).toFixed(d)));

  // Axis ticks: multiples of 1, 2 or 5 × 10^k covering [lo, hi].
  function ticks(lo, hi, count) {
    if (!(hi > lo)) hi = lo + 1;
    const raw = (hi - lo) / count, p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
    const step = p * (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10), out = [];
    for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
    return { list: out, step };
  }
  const label = (t) => String(Number(t.toPrecision(6)));
  const ms = (r, c) => (c == null ? null : (c / r.res.clock_hz) * 1e3);
  // A VM's deadline misses: its own figure, else the sum over its vCPUs.
  const deadlineMisses = (r, v) => (v.deadline_misses != null ? v.deadline_misses
    : sum((r.res.vcpus || []).filter((c) => c.vm === v.name), (c) => c.deadline_misses));

  // ---- data -----------------------------------------------------------------
  const manifest = data('vmmsim-manifest');
  const runs = manifest.runs.map((m, i) => {
    const [color, dash] = RUN_STYLES[i % RUN_STYLES.length];
    const run = { name: m.name, color, dash, res: null, tl: null };
    try { run.res = data(m.results); } catch (e) { fail(`results.json of ${m.name}`, e); }
    try { run.tl = data(m.timeline); } catch (e) { fail(`timeline.json of ${m.name}`, e); }
    return run;
  });
  const withResults = runs.filter((r) => r.res);
  const vmNames = [], serviceVms = new Set();  // union over runs, in order of appearance
  withResults.forEach((r) => (r.res.vms || []).forEach((v) => {
    if (!vmNames.includes(v.name)) vmNames.push(v.name);
    if (v.service) serviceVms.add(v.name);
  }));
  const vmColor = (name) => (vmNames.includes(name) ? VM_COLORS[vmNames.indexOf(name) % VM_COLORS.length] : '#999');
  const vmKeys = () => keys(vmNames.map((v) => [serviceVms.has(v) ? `${v} (service)` : v, vmColor(v)]));
  const runName = (r) => `<span class="run">${runMark(r)}${esc(r.name)}</span>`;
  // Each VM's fair share: demand-aware when results.json has it, else the weight-only entitlement.
  const demandAware = withResults.some((r) => (r.res.vms || []).some((v) => v.fair_share != null));
  const fairOf = (v) => (v.fair_share != null ? v.fair_share : v.entitled_share);
  const FAIR = demandAware ? 'fair share (demand-aware)' : 'entitlement (weight only)';

  // ---- (5) summary ------------------------------------------------------------
  function summary(el) {
    const rows = runs.map((r) => {
      const s = r.res;
      if (!s) return [runName(r), 'no results'].concat(Array(demandAware ? 7 : 6).fill(''));
      // The schedulers in the order they ran: the epochs' when given, else the first
      // successful replacement's "from" and each one's "to" ("scheduler" is the last).
      const chain = [], add = (name) => { if (name && name !== chain[chain.length - 1]) chain.push(name); };
      const done = (s.replacements || []).filter((p) => p.ok);
      if ((s.epochs || []).length) s.epochs.forEach((e) => add(e.scheduler));
      else [done.length ? done[0].from : s.scheduler].concat(done.map((p) => p.to)).forEach(add);
      const pc = s.pcpus || [], reps = s.replacements || [];
      const all = sum(pc, (c) => c.guest_cycles + c.vmm_cycles + c.idle_cycles + c.ceased_cycles);
      const overhead = all ? (100 * sum(pc, (c) => c.vmm_cycles)) / all : null;
      // Without jain_entitled (older results.json), jain_fairness is the weight-only index.
      const jain = s.jain_entitled != null ? [n(s.jain_fairness, 4), n(s.jain_entitled, 4)] : demandAware ? ['–', n(s.jain_fairness, 4)] : [n(s.jain_fairness, 4)];
      return [runName(r), esc(chain.join(' → ')), esc(s.activation || ''), n((s.elapsed_cycles / s.clock_hz) * 1e3, 3)].concat(jain,
        [overhead == null ? '–' : `${num(overhead, 3)} %`, sum(s.vcpus || [], (v) => v.context_switches),
          `${reps.filter((p) => p.ok).length} / ${reps.length}`]);
    });
    const jainHead = demandAware ? ["Jain's index (share ÷ fair share, demand-aware)", "Jain's index (share ÷ entitlement, weight only)"]
      : ["Jain's index (share ÷ entitlement, weight only)"];
    el.innerHTML = table(['run', 'scheduler', 'activation', 'elapsed (ms)'].concat(jainHead, ['VMM overhead',
      'context switches', 'replacements ok / all']), rows);
  }

  // ---- (5b) per VM: share, waits, input latency, misses and what swaps cost it --
  // Per VM, a row per run; in each metric the best run(s) of that VM get a ★
  // (lowest wait p99, input p99, deadline misses, swap stall; share closest to
  // the fair share), when at least two runs have it and they differ.
  function perVm(el) {
    const metrics = [  // [head, value(run, vm) or null, digits, distance from the best (lower is better)]
      ['share (%)', (r, v) => 100 * v.share, 2, (r, v) => Math.abs(v.share - fairOf(v))],
      demandAware && ['fair share, demand-aware (%)', (r, v) => (v.fair_share != null ? 100 * v.fair_share : null), 2],
      demandAware && ['demand (%)', (r, v) => (v.demand_share != null ? 100 * v.demand_share : null), 2],
      ['entitlement, weight only (%)', (r, v) => 100 * v.entitled_share, 2],
      ['wait p99 (ms)', (r, v) => ms(r, (v.wait_cycles || {}).p99), 3, true],
      ['input p99 (ms)', (r, v) => ((v.input_latency_cycles || {}).count ? ms(r, v.input_latency_cycles.p99) : null), 3, true],
      ['deadline misses', (r, v) => deadlineMisses(r, v), 0, true],
      ['swap stall (ms)', (r, v) => ms(r, v.swap_stall_cycles), 3, true],
      ['worst vCPU stall (ms)', (r, v) => ms(r, v.swap_stall_max_cycles), 3],
    ].filter(Boolean);
    const rows = [];
    vmNames.forEach((name) => {
      const group = withResults.map((r) => ({ r, v: (r.res.vms || []).find((v) => v.name === name) })).filter((g) => g.v);
      const best = metrics.map(([, value, , rank]) => {
        if (!rank) return () => false;
        const score = (g) => (rank === true ? value(g.r, g.v) : rank(g.r, g.v));
        const scores = group.map(score).filter((x) => x != null && isFinite(x));
        const low = Math.min(...scores);
        if (scores.length < 2 || scores.every((x) => Math.abs(x - low) < 1e-12)) return () => false;
        return (g) => Math.abs(score(g) - low) < 1e-12;
      });
      group.forEach((g, k) => rows.push([k ? '' : esc(serviceVms.has(name) ? `${name} (service)` : name), runName(g.r)].concat(
        metrics.map(([, value, digits], j) => {
          const x = value(g.r, g.v);
          return best[j](g) ? `<td class="n best">★ ${n(x, digits)}</td>` : n(x, digits);
        }))));
    });
    el.innerHTML = rows.length ? table(['vm', 'run'].concat(metrics.map((m) => m[0])), rows) : '<p class="note">No results.</p>';
  }

  // ---- (1) shares: per run, per VM its share beside its fair share ----------
  function shares(el) {
    if (!withResults.length) { el.innerHTML = '<p class="note">No results.</p>'; return; }
    const W = 1200, H = 360, L = 64, R = 10, T = 12, B = 96, PH = H - T - B;
    let top = 0;
    withResults.forEach((r) => (r.res.vms || []).forEach((v) => { top = Math.max(top, v.share, fairOf(v), v.entitled_share); }));
    const step = ticks(0, top > 0 ? top : 1, 5).step, ymax = Math.ceil((top > 0 ? top : 1) / step - 1e-9) * step;
    const yt = ticks(0, ymax, Math.round(ymax / step));
    const Y = (v) => T + PH * (1 - v / ymax);
    const slots = sum(withResults, (r) => 2 * (r.res.vms || []).length) + 2 * (withResults.length - 1);
    const bw = Math.min(28, (W - L - R) / Math.max(slots, 1)), slanted = 2 * bw < 60;
    let body = '', x = L + Math.max(0, (W - L - R - bw * slots) / 2);
    yt.list.forEach((t) => {
      body += line(L, Y(t), W - R, Y(t), 'grid') + text(L - 6, Y(t) + 4, label(100 * t), ' text-anchor="end"');
    });
    withResults.forEach((r) => {
      const x0 = x;
      (r.res.vms || []).forEach((v) => {
        const c = vmColor(v.name), fair = fairOf(v), ratio = fair ? v.share / fair : null;
        const t = `${r.name} / ${v.name}: share ${num(100 * v.share, 2)} %, ${FAIR} ${num(100 * fair, 2)} %` +
          (ratio == null ? '' : ` (${num(100 * ratio, 1)} % of it)`) +
          (v.fair_share != null ? `, entitlement (weight only) ${num(100 * v.entitled_share, 2)} %` : '') +
          (v.demand_share != null ? `, demand ${num(100 * v.demand_share, 2)} %` : '');
        body += rect(x, Y(v.share), bw - 1, Y(0) - Y(v.share), c, t);
        body += rect(x + bw, Y(fair), bw - 1, Y(0) - Y(fair), c, t, ` fill-opacity="0.3" stroke="${c}" stroke-dasharray="3 2"`);
        if (v.fair_share != null)  // the weight-only entitlement: a black tick across the pair
          body += `<line x1="${p2(x - 2)}" y1="${p2(Y(v.entitled_share))}" x2="${p2(x + 2 * bw + 1)}" y2="${p2(Y(v.entitled_share))}" stroke="#000" stroke-width="2">${tip(t)}</line>`;
        const nx = x + bw, ny = Y(0) + 13;
        body += text(nx, ny, v.name, slanted ? ` text-anchor="end" font-size="10" transform="rotate(-40 ${p2(nx)} ${p2(ny)})"` : ' text-anchor="middle"');
        x += 2 * bw;
      });
      body += line(x0, H - B + 52, x - 2, H - B + 52, 'axis') +
        text((x0 + x) / 2, H - B + 68, r.name, ' text-anchor="middle" font-weight="600"');
      x += 2 * bw;
    });
    body += line(L, Y(0), W - R, Y(0), 'axis') + line(L, T, L, Y(0), 'axis');
    body += text(14, T + PH / 2, 'share of all pCPU capacity (%)', ` transform="rotate(-90 14 ${p2(T + PH / 2)})" text-anchor="middle"`);
    body += text(L + (W - L - R) / 2, H - 6, 'VM, grouped by run', ' text-anchor="middle"');
    el.innerHTML = vmKeys() + keys([['share (solid)', '#888'], [`${FAIR} (pale, dashed)`, 'rgba(136,136,136,.3)', 'border:1px dashed #888']]
      .concat(demandAware ? [['entitlement, weight only (black tick)', '#000', 'height:2px;vertical-align:3px']] : [])) + svg(W, H, body);
  }

  // ---- (2) wait-time CDF of one VM, a line per run -----------------------------
  function waitCdf(res, name) {
    const vm = (res.vms || []).find((v) => v.name === name);
    if (!vm) return null;
    const toMs = (c) => (c / res.clock_hz) * 1e3;
    let w = vm.wait_cycles;
    if (w && Array.isArray(w.cdf) && w.cdf.length) return { pts: w.cdf.map(([c, f]) => [toMs(c), f]), approx: false, stats: w, toMs };
    // Older results.json without the per-VM CDF: draw p50, p99 and max only
    // (marked with dots). Without per-VM percentiles, take per quantile the largest over
    // the VM's vCPUs: an upper bound of the VM's own quantile.
    if (!w) {
      const vc = (res.vcpus || []).filter((v) => v.vm === name && v.wait_cycles).map((v) => v.wait_cycles);
      if (!vc.length) return null;
      const count = sum(vc, (x) => x.count), most = (k) => Math.max(...vc.map((x) => x[k]));
      w = { count, mean: count ? sum(vc, (x) => x.mean * x.count) / count : 0, p50: most('p50'), p99: most('p99'), max: most('max') };
    }
    const pts = w.count ? [[toMs(w.p50), 0.5], [toMs(w.p99), 0.99], [toMs(w.max), 1]] : [];
    return { pts, approx: true, stats: w, toMs };
  }

  function cdfChart(plot, name) {
    const W = 1200, H = 340, L = 50, R = 20, T = 12, B = 42, PW = W - L - R, PH = H - T - B;
    const lines = withResults.map((r) => ({ r, c: waitCdf(r.res, name) })).filter((l) => l.c);
    const xs = [].concat(...lines.map((l) => l.c.pts.map((p) => p[0]).filter((x) => x > 0)));
    let body = '', html = '';
    if (!xs.length) {
      html = '<p class="note">No waits recorded for this VM.</p>';
    } else {
      const lo = Math.floor(Math.log10(Math.min(...xs)));
      let hi = Math.ceil(Math.log10(Math.max(...xs)));
      if (hi <= lo) hi = lo + 1;
      const X = (v) => L + ((Math.log10(Math.max(v, Math.pow(10, lo))) - lo) / (hi - lo)) * PW;
      const Y = (f) => T + (1 - f) * PH;
      for (let d = lo; d <= hi; d++) {  // decades, labelled, and their 2..9 multiples
        const v = Math.pow(10, d);
        body += line(X(v), T, X(v), T + PH, 'axis', ' stroke-opacity="0.35"') + text(X(v), H - B + 16, label(v), ' text-anchor="middle"');
        for (let m = 2; m < 10 && d < hi; m++) body += line(X(m * v), T, X(m * v), T + PH, 'grid');
      }
      [0, 0.2, 0.4, 0.6, 0.8, 1].forEach((f) => { body += line(L, Y(f), W - R, Y(f), 'grid') + text(L - 6, Y(f) + 4, label(f), ' text-anchor="end"'); });
      body += line(L, Y(0.99), W - R, Y(0.99), 'grid', ' stroke="#bbb" stroke-dasharray="4 3"') + text(W - R - 2, Y(0.99) - 3, 'p99', ' text-anchor="end"');
      body += text(L + PW / 2, H - 6, 'wait (ms, log scale)', ' text-anchor="middle"');
      body += text(12, T + PH / 2, 'fraction of waits ≤ x', ` transform="rotate(-90 12 ${p2(T + PH / 2)})" text-anchor="middle"`);
      lines.forEach(({ r, c }) => {
        if (!c.pts.length) return;
        const pts = c.approx ? c.pts : [[c.pts[0][0], 0]].concat(c.pts);
        const dash = r.dash ? ` stroke-dasharray="${r.dash}"` : '';
        body += `<polyline fill="none" stroke="${r.color}" stroke-width="2"${dash} points="${pts.map(([x, f]) => `${p2(X(x))},${p2(Y(f))}`).join(' ')}">${tip(r.name)}</polyline>`;
        if (c.approx) pts.forEach(([x, f]) => { body += `<circle cx="${p2(X(x))}" cy="${p2(Y(f))}" r="3" fill="${r.color}"/>`; });
      });
      html = svg(W, H, body);
    }
    const rows = lines.map(({ r, c }) => [runName(r), c.stats.count, n(c.toMs(c.stats.mean), 3), n(c.toMs(c.stats.p50), 3),
      n(c.toMs(c.stats.p99), 3), n(c.toMs(c.stats.max), 3), c.approx ? 'no CDF in results.json: p50, p99, max only (dots)' : '']);
    plot.innerHTML = runKeys(lines.map(({ r }) => r)) + html +
      table(['run', 'waits', 'mean (ms)', 'p50 (ms)', 'p99 (ms)', 'max (ms)', ''], rows);
  }

  function cdf(el) {
    if (!vmNames.length) { el.innerHTML = '<p class="note">No VMs.</p>'; return; }
    const first = vmNames.find((v) => !serviceVms.has(v)) || vmNames[0];
    el.innerHTML = '<label>VM <select id="cdf-vm">' + vmNames.map((v) =>
      `<option value="${esc(v)}"${v === first ? ' selected' : ''}>${esc(v)}</option>`).join('') + '</select></label><div id="cdf-plot"></div>';
    const select = $('cdf-vm'), plot = $('cdf-plot');
    select.addEventListener('change', () => { try { cdfChart(plot, select.value); } catch (e) { fail('cdf', e); showErrors(); } });
    cdfChart(plot, first);
  }

  // ---- (3) Gantt chart of a window: a row per pCPU --------------------------------
  const timelineEvents = (r) => (Array.isArray(r.tl) ? r.tl : r.tl.traceEvents || []);

  // [from, to] in µs around the first replacement of any run's timeline (its
  // request to its last phase, padded to show what it interrupted), or null.
  // Only replacements among the timeline's dispatches count: a timeline cut
  // to a window (compare --window) still lists every replacement.
  function firstReplacementWindow() {
    let from = Infinity, to = -Infinity;
    runs.filter((r) => r.tl).forEach((r) => {
      const ev = timelineEvents(r);
      let first = Infinity, last = -Infinity;
      ev.forEach((e) => { if (e.ph === 'X' && e.cat === 'dispatch') { first = Math.min(first, e.ts); last = Math.max(last, e.ts + (e.dur || 0)); } });
      const starts = ev.filter((e) => e.ph === 'i' && e.cat === 'replacement').map((e) => e.ts).sort((a, b) => a - b);
      const k = starts.findIndex((ts) => ts >= first && ts <= last);
      if (k < 0) return;
      const next = k + 1 < starts.length ? starts[k + 1] : Infinity;  // its phases end before the next one starts
      let end = starts[k];
      ev.forEach((e) => { if (e.ph === 'X' && e.cat === 'replacement' && e.ts >= starts[k] && e.ts < next) end = Math.max(end, e.ts + (e.dur || 0)); });
      from = Math.min(from, starts[k]);
      to = Math.max(to, end);
    });
    if (!(to >= from)) return null;
    const pad = Math.max(4 * (to - from), 2000);
    return [Math.max(0, from - pad), to + pad];
  }

  // One run's chart of the window [from, to] in µs; null: the extent of its dispatches.
  function ganttRun(r, win) {
    const ev = timelineEvents(r);
    const names = {};
    ev.forEach((e) => { if (e.ph === 'M' && e.name === 'thread_name' && e.args) names[e.tid] = e.args.name; });
    const dispatch = ev.filter((e) => e.ph === 'X' && e.cat === 'dispatch');
    const phases = ev.filter((e) => e.ph === 'X' && e.cat === 'replacement');
    const instants = ev.filter((e) => e.ph === 'i' && e.cat === 'replacement');
    const counter = ev.filter((e) => e.ph === 'C' && e.name === 'runqueue').map((e, i) => ({ ts: e.ts, v: (e.args || {}).runnable || 0, i }))
      .sort((a, b) => a.ts - b.ts || a.i - b.i);
    let [from, to] = win || [0, 0];
    if (!win) {
      from = Infinity; to = -Infinity;
      dispatch.forEach((e) => { from = Math.min(from, e.ts); to = Math.max(to, e.ts + (e.dur || 0)); });
    }
    if (!(to > from)) return '<p class="note">The timeline has no dispatches.</p>';
    const inWindow = (e) => e.ts + (e.dur || 0) >= from && e.ts <= to;
    const cpus = new Set(dispatch.map((e) => e.tid));
    Object.keys(names).forEach((t) => { if (/^cpu\d+$/.test(names[t])) cpus.add(Number(t)); });
    const rows = [...cpus].sort((a, b) => a - b), vmmRow = phases.some(inWindow) || instants.some(inWindow);
    const W = 1200, L = 64, R = 12, T = 16, RH = 22, QH = counter.length ? 44 : 0, PW = W - L - R;
    const rowsH = RH * (rows.length + (vmmRow ? 1 : 0)), H = T + rowsH + (QH ? QH + 10 : 0) + 34;
    const X = (us) => L + ((Math.min(Math.max(us, from), to) - from) / (to - from)) * PW;
    const fmtMs = (us) => num(us / 1e3, 3);
    let body = '';
    const xt = ticks(from / 1e3, to / 1e3, 10);
    xt.list.forEach((t) => {
      if (t * 1e3 < from - 1e-6 || t * 1e3 > to + 1e-6) return;
      body += line(X(t * 1e3), T, X(t * 1e3), H - 30, 'grid') + text(X(t * 1e3), H - 16, label(t), ' text-anchor="middle"');
    });
    body += text(L + PW / 2, H - 2, 'time (ms)', ' text-anchor="middle"');
    rows.forEach((tid, k) => {
      const y = T + k * RH, cpu = names[tid] || `cpu${tid}`;
      body += text(L - 6, y + RH / 2 + 4, cpu, ' text-anchor="end"') + rect(L, y + 1, PW, RH - 2, '#f7f7f7');
      dispatch.filter((e) => e.tid === tid && inWindow(e)).forEach((e) => {
        const vm = (e.args && e.args.vm) || String(e.name).replace(/\.\d+$/, ''), x0 = X(e.ts), x1 = X(e.ts + (e.dur || 0));
        body += rect(x0, y + 2, Math.max(x1 - x0, 0.5), RH - 4, vmColor(vm), `${e.name} on ${cpu}: ${fmtMs(e.ts)}–${fmtMs(e.ts + (e.dur || 0))} ms`);
      });
    });
    if (vmmRow) {
      const y = T + rows.length * RH;
      body += text(L - 6, y + RH / 2 + 4, 'vmm', ' text-anchor="end"') + rect(L, y + 1, PW, RH - 2, '#f7f7f7');
      phases.filter(inWindow).forEach((e) => {
        const x0 = X(e.ts), x1 = X(e.ts + (e.dur || 0));
        body += rect(x0, y + 2, Math.max(x1 - x0, 1), RH - 4, PHASE_COLORS[e.name] || '#999', `${e.name}: ${num(e.dur, 3)} µs from ${fmtMs(e.ts)} ms`);
      });
      instants.filter(inWindow).forEach((e) => {  // a line across all rows where a replacement was requested
        body += line(X(e.ts), T - 4, X(e.ts), T + rowsH, 'axis', ' stroke="#000" stroke-dasharray="3 2"') + text(X(e.ts) + (X(e.ts) > W - 200 ? -3 : 3), T - 5, e.name, X(e.ts) > W - 200 ? ' text-anchor="end"' : '');
      });
    }
    if (QH) {  // run-queue length as a step line
      const y0 = T + rowsH + 10 + QH, max = Math.max(1, ...counter.filter(inWindow).map((c) => c.v));
      const Y = (v) => y0 - (v / max) * (QH - 4);
      let v = 0;
      counter.forEach((c) => { if (c.ts <= from) v = c.v; });
      let d = `M${p2(X(from))},${p2(Y(v))}`;
      counter.forEach((c) => { if (c.ts > from && c.ts <= to) d += `H${p2(X(c.ts))}V${p2(Y(c.v))}`; });
      d += `H${p2(X(to))}`;
      body += line(L, y0, W - R, y0, 'axis') + text(L - 6, y0 - QH / 2 + 4, 'runnable', ' text-anchor="end"') +
        text(L - 6, y0 - QH + 12, String(max), ' text-anchor="end" fill="#888"') +
        `<path d="${d}" fill="none" stroke="#555" stroke-width="1">${tip(`runnable vCPUs waiting (max ${max} in window)`)}</path>`;
    }
    return `<p class="note">Window ${fmtMs(from)}–${fmtMs(to)} ms.</p>` + svg(W, H, body);
  }

  // The window: the one compare was given (--window), else around the first
  // replacement when a timeline has one, else each run's whole timeline; a
  // select box switches between those there are.
  function gantt(el) {
    const fmtMs = ([from, to]) => `${num(from / 1e3, 3)}–${num(to / 1e3, 3)} ms`;
    const given = manifest.window_ms[1] > manifest.window_ms[0] ? manifest.window_ms.map((x) => x * 1e3) : null;
    const around = firstReplacementWindow();
    const choices = (given ? [[`the chosen window, ${fmtMs(given)}`, given]] : [])
      .concat(around ? [[`around the first replacement, ${fmtMs(around)}`, around]] : [], [["each run's whole timeline", null]]);
    el.innerHTML = '<label>Window <select id="gantt-window">' + choices.map(([title], k) =>
      `<option value="${k}">${esc(title)}</option>`).join('') + '</select></label>' + vmKeys() +
      keys(PHASES.map((p) => [p, PHASE_COLORS[p]])) + '<div id="gantt-plots"></div>';
    const select = $('gantt-window'), plots = $('gantt-plots');
    const draw = () => {
      const win = choices[Number(select.value)][1];
      plots.innerHTML = runs.map((r) => {
        let html = `<h3>${runName(r)}</h3>`;
        try {
          html += r.tl ? ganttRun(r, win) : '<p class="note">No timeline for this run.</p>';
        } catch (e) { fail(`gantt of ${r.name}`, e); }
        return html;
      }).join('');
    };
    select.addEventListener('change', () => { draw(); showErrors(); });
    draw();
  }

  // ---- (4) replacements: phase bars to scale and the request table --------------
  const phaseCycles = (p) => PHASES.map((ph) => Number(p.phases_cycles[ph]) || 0);
  const sequenced = (r) => (r.res.replacements || []).map((p, i) => ({ p, i })).filter(({ p }) => p.sequence && p.phases_cycles);

  // One run's replacements; pxPerUs: the scale all runs' bars share.
  function replacementsOf(r, pxPerUs, spanUs) {
    const reps = r.res.replacements || [], hz = r.res.clock_hz, us = (c) => (c / hz) * 1e6;
    let html = `<h3>${runName(r)}</h3>`;
    const seq = sequenced(r);
    if (seq.length) {
      const L = 200, RH = 28, AH = 34, W = 1200, H = seq.length * RH + 4 + AH;
      let body = '';
      ticks(0, spanUs, 8).list.forEach((t) => {
        if (t > spanUs * (1 + 1e-9)) return;
        body += line(L + t * pxPerUs, 2, L + t * pxPerUs, H - AH + 4, 'grid') +
          text(L + t * pxPerUs, H - AH + 16, label(t), ' text-anchor="middle"');
      });
      body += text(L + (spanUs * pxPerUs) / 2, H - 4, 'downtime (µs; every bar on this scale)', ' text-anchor="middle"');
      seq.forEach(({ p, i }, k) => {
        const y = 4 + k * RH, c = phaseCycles(p), total = sum(c, (x) => x);
        let x = L;
        body += text(L - 8, y + RH / 2 + 2, `#${i + 1} ${p.kind} ${p.from} → ${p.to}`, ' text-anchor="end"');
        PHASES.forEach((ph, j) => {
          if (!c[j]) return;
          const w = us(c[j]) * pxPerUs;  // to scale; a phase under a pixel is drawn 1 px wide so that it shows
          body += rect(x, y, Math.max(w, 1), RH - 8, PHASE_COLORS[ph], `${ph}: ${c[j]} cycles = ${num(us(c[j]), 3)} µs`);
          if (w > 90) body += text(x + 4, y + RH / 2 + 1, `${ph} ${num(us(c[j]), 3)} µs`, ` fill="${PHASE_INK[ph]}"`);
          x += w;
        });
        body += text(L + spanUs * pxPerUs + 10, y + RH / 2 + 2, `${total} cycles = ${num(us(total), 3)} µs`);
      });
      html += svg(W, H, body);
      html += table(['#'].concat(PHASES.map((p) => `${p} cycles (µs)`), ['total cycles (µs)']), seq.map(({ p, i }) =>
        [i + 1].concat(PHASES.map((ph) => `${p.phases_cycles[ph]} (${num(us(p.phases_cycles[ph]), 3)})`),
          [`${sum(PHASES, (ph) => p.phases_cycles[ph])} (${num(us(sum(PHASES, (ph) => p.phases_cycles[ph])), 3)})`])));
    }
    html += table(['#', 'requested (ms)', 'requester', 'kind', 'from → to', 'ok', 'downtime (cycles)', 'downtime (µs)', 'reason'],
      reps.map((p, i) => [i + 1, n((p.requested_at_cycles / hz) * 1e3, 3), esc(p.requester || ''), esc(p.kind || ''),
        esc(`${p.from || '?'} → ${p.to || '?'}`), p.ok ? 'yes' : 'no', p.sequence ? p.downtime_cycles : '–',
        p.sequence ? n(us(p.downtime_cycles), 3) : '–', esc(p.reason || '')]));
    return html;
  }

  function replacements(el) {
    const withReps = withResults.filter((r) => (r.res.replacements || []).length);
    if (!withReps.length) { el.innerHTML = '<p class="note">No run replaced its scheduler.</p>'; return; }
    // One scale for every bar of every run: the longest downtime spans the plot.
    let longest = 0;
    withReps.forEach((r) => sequenced(r).forEach(({ p }) => {
      longest = Math.max(longest, (sum(phaseCycles(p), (x) => x) / r.res.clock_hz) * 1e6);
    }));
    const top = longest > 0 ? longest : 1, step = ticks(0, top, 8).step, spanUs = Math.ceil(top / step - 1e-9) * step;
    el.innerHTML = keys(PHASES.map((p) => [p, PHASE_COLORS[p]])) + withReps.map((r) => replacementsOf(r, 750 / spanUs, spanUs)).join('');
  }

  // ---- run everything; any exception becomes visible in #render-error ----------
  function showErrors() {
    if (!errors.length) return;
    let pre = $('render-error');
    if (!pre) {
      pre = document.createElement('pre');
      pre.id = 'render-error';
      document.body.insertBefore(pre, document.body.firstChild);
    }
    pre.textContent = 'Rendering failed:\n' + errors.join('\n');
    document.body.setAttribute('data-rendered', 'error');
  }
  [['summary', summary], ['pervm', perVm], ['shares', shares], ['cdf', cdf], ['gantt', gantt], ['replacements', replacements]].forEach(([id, f]) => {
    try { f($(id)); } catch (e) { fail(id, e); }
  });
  if (errors.length) showErrors(); else document.body.setAttribute('data-rendered', 'ok');
})();
