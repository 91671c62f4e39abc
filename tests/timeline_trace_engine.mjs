// node tests/timeline_trace_engine.mjs MODULES_DIR TIMELINE.json CPUS VCPU,NAMES END_US
// Loads a vmmsim --timeline file with the DevTools performance panel's trace
// engine (npm @paulirish/trace_engine, installed in MODULES_DIR by
// tests/timeline_trace_engine_test.cmake) and checks what it made of it: one
// thread per pCPU and the vmm, every complete event ("X") of the file an
// entry of its thread and a node of that thread's slice tree (none dropped as
// an overlap), slice names that are vCPU names, and the trace's end.
// Prints one summary line; exits 1 with the reasons when a check fails.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, file, cpuText, vcpuText, endText] = process.argv.slice(2);
const pkgDir = path.join(modules, '@paulirish', 'trace_engine');
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const Trace = await import(pathToFileURL(path.join(pkgDir, pkg.main)).href);

// The engine measures layout boxes with DOMRect, which Node.js lacks (its README says to polyfill it).
globalThis.DOMRect ??= class DOMRect {
  constructor(x = 0, y = 0, width = 0, height = 0) { Object.assign(this, { x, y, width, height }); }
};

const events = JSON.parse(fs.readFileSync(file, 'utf8')).traceEvents;
const model = Trace.TraceModel.Model.createWithAllHandlers();
await model.parse(events);
const data = model.parsedTrace()?.data;
const problems = [];
const check = (ok, what) => { if (!ok) problems.push(what); };
check(data, 'the engine returned no parsed trace');

const cpus = Number(cpuText), vcpus = new Set(vcpuText.split(',')), end = Number(endText);
const process1 = data?.Renderer?.processes?.get(1);
check(process1, 'no process 1 among the renderer processes');
const threads = new Map([...(process1?.threads ?? new Map())].map(([tid, t]) => [t.name, { tid, t }]));
const expected = [...Array(cpus).keys()].map((c) => `cpu${c}`).concat(['vmm']);
check(JSON.stringify([...threads.keys()].sort()) === JSON.stringify(expected.slice().sort()),
  `threads ${[...threads.keys()].join(', ')}; expected ${expected.join(', ')}`);

const counts = [];
for (const name of expected) {
  const thread = threads.get(name);
  if (!thread) continue;
  const { tid, t } = thread;
  const inFile = events.filter((e) => e.ph === 'X' && e.tid === tid);
  let nodes = 0;
  const walk = (n) => { nodes++; n.children.forEach(walk); };
  t.tree?.roots?.forEach(walk);
  check(t.entries.length === inFile.length, `${name}: ${t.entries.length} entries; the file has ${inFile.length} slices`);
  check(nodes === inFile.length, `${name}: ${nodes} slices in the engine's tree; the file has ${inFile.length} (some dropped as overlaps)`);
  if (name !== 'vmm') {
    const strange = t.entries.map((e) => e.name).filter((n) => n !== 'ceased' && !vcpus.has(n));
    check(!strange.length, `${name}: slices that are no vCPU: ${[...new Set(strange)].join(', ')}`);
    check(t.entries.some((e) => vcpus.has(e.name)), `${name}: no dispatch slice`);
  }
  counts.push(`${name} ${nodes}`);
}
const bounds = data?.Meta?.traceBounds;
check(bounds && Math.abs(bounds.max - end) < 1e-6, `trace ends at ${bounds?.max} µs; expected ${end}`);

if (problems.length) {
  console.log(`trace_engine ${pkg.version}: FAIL\n  ` + problems.join('\n  '));
  process.exit(1);
}
console.log(`trace_engine ${pkg.version}: OK: slices per thread: ${counts.join(', ')}; ends at ${bounds.max} µs`);
