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
  const VM_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  const RUN_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  const PHASES = ['cease', 'drain', 'unload', 'load', 'migrate', 'activate'];
  const PHASE_COLORS = { cease: '#e15759', drain: '#f28e2b', unload: '#b07aa1', load: '#4e79a7', migrate: '#76b7b2', activate: '#59a14f' };

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
  const table = (head, rows) => '<table><tr>' + head.map((h) => `<th>${esc(h)}</th>`).join('') + '</tr>' +
    rows.map((r) => '<tr>' + r.map((c) => (typeof c === 'number' ? `<td class="n">${c}</td>` : `<td>${c}</td>`)).join('') + '</tr>').join('') + '</table>';
  // Cells: numbers are right-aligned, strings are already escaped markup.
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

  // ---- data -----------------------------------------------------------------
  const manifest = data('vmmsim-manifest');
  const runs = manifest.runs.map((m, i) => {
    const run = { name: m.name, color: RUN_COLORS[i % RUN_COLORS.length], res: null, tl: null };
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
  const runName = (r) => `<span class="key"><i style="background:${r.color}"></i></span>${esc(r.name)}`;

  // ---- (5) summary ------------------------------------------------------------
  function summary(el) {
    const rows = runs.map((r) => {
      const s = r.res;
      if (!s) return [runName(r), 'no results', '', '', '', '', '', ''];
      const chain = [s.scheduler];
      (s.replacements || []).forEach((p) => { if (p.ok && p.to && p.to !== chain[chain.length - 1]) chain.push(p.to); });
      const pc = s.pcpus || [], reps = s.replacements || [];
      const all = sum(pc, (c) => c.guest_cycles + c.vmm_cycles + c.idle_cycles + c.ceased_cycles);
      const overhead = all ? (100 * sum(pc, (c) => c.vmm_cycles)) / all : null;
      return [runName(r), esc(chain.join(' → ')), esc(s.activation || ''), n((s.elapsed_cycles / s.clock_hz) * 1e3, 3),
        n(s.jain_fairness, 4), overhead == null ? '–' : `${num(overhead, 3)} %`, sum(s.vcpus || [], (v) => v.context_switches),
        `${reps.filter((p) => p.ok).length} / ${reps.length}`];
    });
    el.innerHTML = table(['run', 'scheduler', 'activation', 'elapsed (ms)', "Jain's index", 'VMM overhead',
      'context switches', 'replacements ok / all'], rows);
  }

  // ---- (5b) per VM: share, waits, input latency and what swaps cost it ------
  function perVm(el) {
    const rows = [];
    withResults.forEach((r) => {
      const ms = (c) => (c == null ? null : (c / r.res.clock_hz) * 1e3);
      (r.res.vms || []).forEach((v) => {
        const input = v.input_latency_cycles || {};
        rows.push([runName(r), esc(v.service ? `${v.name} (service)` : v.name), n(100 * v.share, 2), n(100 * v.entitled_share, 2),
          n(ms((v.wait_cycles || {}).p99), 3), input.count ? n(ms(input.p99), 3) : '–', n(ms(v.swap_stall_cycles), 3),
          n(ms(v.swap_stall_max_cycles), 3)]);
      });
    });
    el.innerHTML = rows.length ? table(['run', 'vm', 'share (%)', 'entitled (%)', 'wait p99 (ms)', 'input p99 (ms)',
      'swap stall (ms)', 'worst vCPU stall (ms)'], rows) : '<p class="note">No results.</p>';
  }

  // ---- (1) shares: per run, per VM a share bar and an entitled-share bar -----
  function shares(el) {
    if (!withResults.length) { el.innerHTML = '<p class="note">No results.</p>'; return; }
    const W = 1200, H = 300, L = 50, R = 10, T = 12, B = 40, PH = H - T - B;
    let top = 0;
    withResults.forEach((r) => (r.res.vms || []).forEach((v) => { top = Math.max(top, v.share, v.entitled_share); }));
    const step = ticks(0, top > 0 ? top : 1, 5).step, ymax = Math.ceil((top > 0 ? top : 1) / step - 1e-9) * step;
    const yt = ticks(0, ymax, Math.round(ymax / step));
    const Y = (v) => T + PH * (1 - v / ymax);
    const slots = sum(withResults, (r) => 2 * (r.res.vms || []).length) + 2 * (withResults.length - 1);
    const bw = Math.min(28, (W - L - R) / Math.max(slots, 1));
    let body = '', x = L + Math.max(0, (W - L - R - bw * slots) / 2);
    yt.list.forEach((t) => {
      body += line(L, Y(t), W - R, Y(t), 'grid') + text(L - 6, Y(t) + 4, label(t), ' text-anchor="end"');
    });
    withResults.forEach((r) => {
      const x0 = x;
      (r.res.vms || []).forEach((v) => {
        const c = vmColor(v.name), ratio = v.entitled_share ? v.share / v.entitled_share : null;
        const t = `${r.name} / ${v.name}: share ${num(v.share, 4)}, entitled ${num(v.entitled_share, 4)}` +
          (ratio == null ? '' : ` (${num(100 * ratio, 1)} %)`);
        body += rect(x, Y(v.share), bw - 1, Y(0) - Y(v.share), c, t);
        body += rect(x + bw, Y(v.entitled_share), bw - 1, Y(0) - Y(v.entitled_share), c, t,
          ` fill-opacity="0.3" stroke="${c}" stroke-dasharray="3 2"`);
        x += 2 * bw;
      });
      body += text((x0 + x) / 2, H - B + 16, r.name, ` text-anchor="middle" font-weight="600" fill="${r.color}"`);
      x += 2 * bw;
    });
    body += line(L, Y(0), W - R, Y(0), 'axis') + text(12, T + PH / 2, 'share of all pCPUs',
      ` transform="rotate(-90 12 ${p2(T + PH / 2)})" text-anchor="middle"`);
    el.innerHTML = vmKeys() + keys([['share (solid)', '#888'], ['entitled share (pale)', 'rgba(136,136,136,.3)']]) + svg(W, H, body);
  }

  // ---- (2) wait-time CDF of one VM, a line per run -----------------------------
  function waitCdf(res, name) {
    const vm = (res.vms || []).find((v) => v.name === name);
    if (!vm) return null;
    const ms = (c) => (c / res.clock_hz) * 1e3;
    let w = vm.wait_cycles;
    if (w && Array.isArray(w.cdf) && w.cdf.length) return { pts: w.cdf.map(([c, f]) => [ms(c), f]), approx: false, stats: w, ms };
    // Older results.json without the per-VM CDF: draw p50, p99 and max only
    // (dashed). Without per-VM percentiles, take per quantile the largest over
    // the VM's vCPUs: an upper bound of the VM's own quantile.
    if (!w) {
      const vc = (res.vcpus || []).filter((v) => v.vm === name && v.wait_cycles).map((v) => v.wait_cycles);
      if (!vc.length) return null;
      const count = sum(vc, (x) => x.count), most = (k) => Math.max(...vc.map((x) => x[k]));
      w = { count, mean: count ? sum(vc, (x) => x.mean * x.count) / count : 0, p50: most('p50'), p99: most('p99'), max: most('max') };
    }
    const pts = w.count ? [[ms(w.p50), 0.5], [ms(w.p99), 0.99], [ms(w.max), 1]] : [];
    return { pts, approx: true, stats: w, ms };
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
        const dash = c.approx ? ' stroke-dasharray="6 4"' : '';
        body += `<polyline fill="none" stroke="${r.color}" stroke-width="2"${dash} points="${pts.map(([x, f]) => `${p2(X(x))},${p2(Y(f))}`).join(' ')}">${tip(r.name)}</polyline>`;
        if (c.approx) pts.forEach(([x, f]) => { body += `<circle cx="${p2(X(x))}" cy="${p2(Y(f))}" r="3" fill="${r.color}"/>`; });
      });
      html = svg(W, H, body);
    }
    const rows = lines.map(({ r, c }) => [runName(r), c.stats.count, n(c.ms(c.stats.mean), 3), n(c.ms(c.stats.p50), 3),
      n(c.ms(c.stats.p99), 3), n(c.ms(c.stats.max), 3), c.approx ? 'no CDF in results.json: p50, p99, max only (dashed)' : '']);
    plot.innerHTML = keys(lines.map(({ r }) => [r.name, r.color])) + html +
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

  // ---- (3) Gantt chart of the window: a row per pCPU ----------------------------
  function ganttRun(r) {
    const ev = Array.isArray(r.tl) ? r.tl : r.tl.traceEvents || [];
    const names = {};
    ev.forEach((e) => { if (e.ph === 'M' && e.name === 'thread_name' && e.args) names[e.tid] = e.args.name; });
    const dispatch = ev.filter((e) => e.ph === 'X' && e.cat === 'dispatch');
    const phases = ev.filter((e) => e.ph === 'X' && e.cat === 'replacement');
    const instants = ev.filter((e) => e.ph === 'i' && e.cat === 'replacement');
    const counter = ev.filter((e) => e.ph === 'C' && e.name === 'runqueue').map((e, i) => ({ ts: e.ts, v: (e.args || {}).runnable || 0, i }))
      .sort((a, b) => a.ts - b.ts || a.i - b.i);
    // The window in µs: the chosen one, else the extent of the dispatches.
    let from = manifest.window_ms[0] * 1e3, to = manifest.window_ms[1] * 1e3;
    if (!(to > from)) {
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

  function gantt(el) {
    let html = vmKeys() + keys(PHASES.map((p) => [p, PHASE_COLORS[p]]));
    runs.forEach((r) => {
      html += `<h3>${runName(r)}</h3>`;
      try {
        html += r.tl ? ganttRun(r) : '<p class="note">No timeline for this run.</p>';
      } catch (e) { fail(`gantt of ${r.name}`, e); }
    });
    el.innerHTML = html;
  }

  // ---- (4) replacements: phase bars and the request table -----------------------
  function replacementsOf(r) {
    const reps = r.res.replacements || [], hz = r.res.clock_hz, us = (c) => (c / hz) * 1e6;
    let html = `<h3>${runName(r)}</h3>`;
    const seq = reps.map((p, i) => ({ p, i })).filter(({ p }) => p.sequence && p.phases_cycles);
    if (seq.length) {
      const W = 1200, L = 200, R = 250, RH = 28, PW = W - L - R;
      let body = '';
      seq.forEach(({ p, i }, k) => {
        const y = 4 + k * RH, c = PHASES.map((ph) => Number(p.phases_cycles[ph]) || 0), total = sum(c, (x) => x);
        // Each bar is its own downtime; a non-zero phase gets at least 2 px so that none vanishes.
        const raw = c.map((x) => (total ? Math.max((x / total) * PW, x > 0 ? 2 : 0) : 0)), scale = PW / (sum(raw, (x) => x) || 1);
        let x = L;
        body += text(L - 8, y + RH / 2 + 2, `#${i + 1} ${p.kind} ${p.from} → ${p.to}`, ' text-anchor="end"');
        PHASES.forEach((ph, j) => {
          const w = raw[j] * scale;
          if (!w) return;
          body += rect(x, y, w, RH - 8, PHASE_COLORS[ph], `${ph}: ${c[j]} cycles = ${num(us(c[j]), 3)} µs`);
          if (w > 90) body += text(x + 4, y + RH / 2 + 1, `${ph} ${num(us(c[j]), 3)} µs`, ' fill="#fff"');
          x += w;
        });
        body += text(L + PW + 8, y + RH / 2 + 2, `${total} cycles = ${num(us(total), 3)} µs`);
      });
      html += keys(PHASES.map((p) => [p, PHASE_COLORS[p]])) + svg(W, seq.length * RH + 4, body);
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
    el.innerHTML = withReps.length ? withReps.map(replacementsOf).join('') : '<p class="note">No run replaced its scheduler.</p>';
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
