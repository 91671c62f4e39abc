#include "workload/phase_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "base/input_error.h"
#include "workload/generator_parts.h"

namespace vmmsim::workload {
namespace {

using namespace generator;

unsigned batch_vcpus_of(const GeneratorSpec& spec) {
  return spec.batch_vcpus.value_or(2 * spec.cpus);
}
unsigned background_of(const GeneratorSpec& spec) { return spec.background.value_or(spec.cpus); }

std::string phase_label(std::size_t number, const PhaseWindow& w) {
  return fmt::format("phase {} ({}, {}..{})", number, phase_kind_name(w.kind),
                     format_nanoseconds(w.start), format_nanoseconds(w.end));
}

// The phases in time, their vCPUs and keystrokes; throws InputError for a
// spec whose phases cannot be laid out.
PhaseWorkload lay_out(const GeneratorSpec& spec) {
  if (spec.phases.empty())
    throw InputError(
        "missing --phases; expected --phases KIND:DURATION,... (batch, interactive, periodic)");
  if (spec.phases.size() > kMaxPhases)
    throw InputError(
        fmt::format("--phases with {} items; expected at most {}", spec.phases.size(), kMaxPhases));
  if (spec.repeat == 0 || spec.repeat > kMaxPhaseRepeat)
    throw InputError(fmt::format("--repeat {}: expected a whole number from 1 to {}", spec.repeat,
                                 kMaxPhaseRepeat));
  const std::uint64_t in_all = std::uint64_t{spec.repeat} * spec.phases.size();
  if (in_all > kMaxPhasesInAll)
    throw InputError(
        fmt::format("--repeat {}: {} phases in all; expected at most {} ({} x the {} of --phases)",
                    spec.repeat, in_all, kMaxPhasesInAll, spec.repeat, spec.phases.size()));
  auto count_check = [](const char* name, unsigned value, unsigned min, unsigned max) {
    if (value < min || value > max)
      throw InputError(
          fmt::format("--{} {}: expected a whole number from {} to {}", name, value, min, max));
  };
  count_check("cpus", spec.cpus, 1, kMaxVcpus);
  if (spec.batch_vcpus) count_check("batch-vcpus", *spec.batch_vcpus, 1, kMaxVcpus);
  if (spec.background) count_check("background", *spec.background, 0, kMaxVcpus);
  count_check("rt-vcpus", spec.rt_vcpus, 1, kMaxVcpus);
  count_check("load", spec.load, 1, 100);

  Nanoseconds cycle = 0;
  for (const Phase& p : spec.phases) {
    if (p.length == 0 || p.length > kMaxMean)
      throw InputError(fmt::format("--phases: a phase of {}; expected phases from 1ns to {}",
                                   format_nanoseconds(p.length), format_nanoseconds(kMaxMean)));
    if (p.kind == PhaseKind::Interactive && p.length < spec.think)
      throw InputError(
          fmt::format("--phases: interactive:{} is shorter than --think {}; expected interactive "
                      "phases at least --think long (one keystroke each)",
                      format_nanoseconds(p.length), format_nanoseconds(spec.think)));
    if (p.kind == PhaseKind::Periodic && p.length < spec.period)
      throw InputError(
          fmt::format("--phases: periodic:{} is shorter than --period {}; expected periodic phases "
                      "at least --period long (one job each)",
                      format_nanoseconds(p.length), format_nanoseconds(spec.period)));
    if (p.kind == PhaseKind::Periodic && p.length / spec.period > kMaxRepeat)
      throw InputError(
          fmt::format("--phases: periodic:{} holds {} jobs of --period {}; expected at most {}",
                      format_nanoseconds(p.length), p.length / spec.period,
                      format_nanoseconds(spec.period), kMaxRepeat));
    cycle += p.length;
  }
  if (cycle > kMaxPhasesSpan / spec.repeat)
    throw InputError(fmt::format("--phases and --repeat {}: {} x {}; expected at most {} in all",
                                 spec.repeat, spec.repeat, format_nanoseconds(cycle),
                                 format_nanoseconds(kMaxPhasesSpan)));

  PhaseWorkload w;
  std::uint64_t batch = 0, rt = 0;
  for (unsigned r = 0; r < spec.repeat; ++r)
    for (const Phase& p : spec.phases) {
      PhaseWindow win;
      win.kind = p.kind;
      win.start = w.span;
      win.end = w.span += p.length;
      win.batch_first = static_cast<unsigned>(batch);
      win.batch_count = p.kind == PhaseKind::Batch ? batch_vcpus_of(spec) : background_of(spec);
      batch += win.batch_count;
      if (p.kind == PhaseKind::Periodic) {
        win.rt_first = static_cast<unsigned>(rt);
        win.rt_count = spec.rt_vcpus;
        rt += win.rt_count;
      }
      w.windows.push_back(win);
    }
  if (batch > kMaxVcpus)
    throw InputError(
        fmt::format("VM batch would have {} vCPUs ({} per batch phase, {} per other phase); "
                    "expected at most {} (lower --repeat, --batch-vcpus or --background)",
                    batch, batch_vcpus_of(spec), background_of(spec), kMaxVcpus));
  if (rt > kMaxVcpus)
    throw InputError(
        fmt::format("VM rt would have {} vCPUs ({} per periodic phase); expected at most {} (lower "
                    "--repeat or --rt-vcpus)",
                    rt, spec.rt_vcpus, kMaxVcpus));

  // Keystrokes: one every --think from half a think into the first
  // interactive phase, so that none falls on a phase's edge.
  const PhaseWindow* last = nullptr;
  for (std::size_t i = 0; i < w.windows.size(); ++i) {
    PhaseWindow& win = w.windows[i];
    if (win.kind != PhaseKind::Interactive) continue;
    if (!last) {
      w.input_start = win.start + spec.think / 2;
      w.input_every = spec.think;
    }
    auto first_at_or_after = [&](Nanoseconds t) {
      return t <= w.input_start ? 0 : (t - w.input_start + spec.think - 1) / spec.think;
    };
    win.keystroke_first = first_at_or_after(win.start);
    win.keystroke_count = first_at_or_after(win.end) - win.keystroke_first;
    const std::uint64_t between =
        last ? win.keystroke_first - (last->keystroke_first + last->keystroke_count) : 0;
    // The shell reads them with its phase's first keystroke, in one read step.
    if (between + 1 > kMaxEcho)
      throw InputError(fmt::format(
          "--think {}: {} keystrokes are typed between {} and {}; expected at most {} (a longer "
          "--think, or shorter phases between the interactive ones)",
          format_nanoseconds(spec.think), between, phase_label(last - w.windows.data() + 1, *last),
          phase_label(i + 1, win), kMaxEcho - 1));
    last = &win;
  }
  if (last) w.input_count = last->keystroke_first + last->keystroke_count;
  return w;
}

GeneratorSpec part_spec(const GeneratorSpec& spec, GeneratorKind kind) {
  GeneratorSpec sub = spec;
  sub.kind = kind;
  sub.count.reset();
  sub.duration.reset();
  return sub;
}

const Part& part_of(const std::vector<Part>& parts, GeneratorKind kind) {
  return *std::find_if(parts.begin(), parts.end(), [&](const Part& p) { return p.kind == kind; });
}

// VM batch or rt: each of a phase's vCPUs arrives at the phase's start, runs
// its part of the phase, then exits. batch: cpu-bound chunks adding up to
// its share of --load of the phase's pCPU time; rt: the jobs of the whole
// periods that fit in the phase.
std::string arriving_trace(const GeneratorSpec& spec, const std::vector<Part>& parts,
                           const PhaseWorkload& w, GeneratorKind kind) {
  const bool batch = kind == GeneratorKind::CpuBound;
  const Part& part = part_of(parts, kind);
  TraceText out;
  write_header(out, spec, parts,
               batch ? "VM batch of a phases workload: each vCPU arrives at the start of its "
                       "phase, computes its share of --load of the phase's pCPU time, then exits."
                     : "VM rt of a phases workload: each vCPU arrives at the start of its periodic "
                       "phase, runs the jobs of the whole periods that fit in it, then exits. Its "
                       "first job is released when it first runs.");
  GeneratorSpec sub = part_spec(spec, kind);
  for (std::size_t i = 0; i < w.windows.size(); ++i) {
    const PhaseWindow& win = w.windows[i];
    const unsigned first = batch ? win.batch_first : win.rt_first;
    const unsigned count = batch ? win.batch_count : win.rt_count;
    if (count == 0) continue;
    const Nanoseconds length = win.end - win.start;
    std::string what;
    if (batch) {
      // The phase's pCPU time x load, shared equally; at least 1ns, as every step takes time.
      sub.duration =
          std::max<Nanoseconds>(1, length * spec.cpus * spec.load / (Nanoseconds{100} * count));
      what = fmt::format("{}: {}, {} in all", win.kind == PhaseKind::Batch ? "" : ", background",
                         part_note(sub, part), format_nanoseconds(*sub.duration));
    } else {
      sub.count = length / spec.period;
      what = fmt::format(": {}, {} jobs", part_note(sub, part), *sub.count);
    }
    for (unsigned v = first; v < first + count; ++v) {
      out.vcpu(v, phase_label(i + 1, win) + what);
      out.step(1, "arrive " + format_nanoseconds(win.start));
      write_program(out, sub, part, v);
    }
  }
  return out.take();
}

// VM shell: one vCPU that handles the keystrokes of its interactive phases.
// The console types them one --think apart from the first interactive
// phase to the last; those typed between phases wait in the VM's buffer, and
// the shell takes them in the read that waits for its next phase's first
// keystroke: every read it blocks in ends inside an interactive phase.
std::string shell_trace(const GeneratorSpec& spec, const std::vector<Part>& parts,
                        const PhaseWorkload& w) {
  const Part& part = part_of(parts, GeneratorKind::Interactive);
  TraceText out;
  write_header(out, spec, parts,
               "VM shell of a phases workload: one vCPU that handles the keystrokes typed during "
               "its interactive phases.");
  out.comment(fmt::format(
      "Console input drives the shell: set [console] focus = shell, input_start = {}, input_every "
      "= {}, input_bytes = 1, input_count = {} (the config of --config has them)",
      format_nanoseconds(w.input_start), format_nanoseconds(w.input_every), w.input_count));
  const GeneratorSpec sub = part_spec(spec, GeneratorKind::Interactive);
  Rng rng = vcpu_stream(spec.seed, GeneratorKind::Interactive, 0);
  const std::vector<Unit> units = sample_units(sub, part, rng);
  // The units after the first, then the first: a phase's other keystrokes.
  std::vector<Unit> rest(units.begin() + 1, units.end());
  rest.push_back(units.front());
  out.vcpu(0, part_note(sub, part) + "; keystrokes inside its phases only");
  const PhaseWindow* previous = nullptr;
  for (std::size_t i = 0; i < w.windows.size(); ++i) {
    const PhaseWindow& win = w.windows[i];
    if (win.kind != PhaseKind::Interactive) continue;
    std::string note =
        fmt::format("{}: keystrokes {}..{}", phase_label(i + 1, win), win.keystroke_first,
                    win.keystroke_first + win.keystroke_count - 1);
    if (!previous) out.step(1, "arrive " + format_nanoseconds(win.start));
    const std::uint64_t between =
        previous ? win.keystroke_first - previous->keystroke_first - previous->keystroke_count : 0;
    if (between > 0) note += fmt::format(", after the {} typed since the last", between);
    out.step(1, fmt::format("read {}", between + 1), note);
    for (std::size_t s = 1; s < units.front().steps.size(); ++s)
      out.step(1, units.front().steps[s]);
    write_units(out, rest, win.keystroke_count - 1, GeneratorKind::Interactive);
    previous = &win;
  }
  out.step(1, "exit");
  return out.take();
}

}  // namespace

namespace generator {
void validate_phases(const GeneratorSpec& spec) { lay_out(spec); }
}  // namespace generator

PhaseWorkload generate_phases(const GeneratorSpec& spec) {
  if (spec.kind != GeneratorKind::Phases)
    throw std::invalid_argument("generate_phases: the spec is not of kind phases");
  validate_generator_spec(spec);
  PhaseWorkload w = lay_out(spec);
  const std::vector<Part> parts = parts_of(spec);
  unsigned batch = 0, rt = 0;
  for (const PhaseWindow& win : w.windows) {
    batch += win.batch_count;
    rt += win.rt_count;
  }
  if (batch > 0)
    w.vms.push_back({"batch", batch, arriving_trace(spec, parts, w, GeneratorKind::CpuBound)});
  if (w.input_count > 0) w.vms.push_back({"shell", 1, shell_trace(spec, parts, w)});
  if (rt > 0) w.vms.push_back({"rt", rt, arriving_trace(spec, parts, w, GeneratorKind::Periodic)});
  return w;
}

std::string phases_service_trace(const GeneratorSpec& spec) {
  TraceText out;
  write_header(out, spec, parts_of(spec),
               "The service VM of a phases workload with --controller: it runs the config's "
               "switching controller and nothing else.");
  out.vcpu(0, "service: asleep; the controller's windows wake it to evaluate its rules");
  // The longest sleep a generated trace writes (1000s): the run ends long before a wake.
  out.step(1, "repeat forever");
  out.step(2, "sleep " + format_nanoseconds(kMaxMean));
  out.step(1, "end");
  return out.take();
}

}  // namespace vmmsim::workload
