#include "workload/generators.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "base/input_error.h"
#include "base/text.h"
#include "workload/generator_parts.h"
#include "workload/trace_program.h"

namespace vmmsim::workload {
namespace generator {
namespace {

// The recorded command stays far below the format's 4096-character line.
constexpr std::size_t kMaxCommandChars = 1000;

std::string periodic_step(const GeneratorSpec& spec, Nanoseconds work) {
  return fmt::format("every {} run {}", format_nanoseconds(spec.period), format_nanoseconds(work));
}

// How many units fill the spec's --count or --duration; nullopt = forever.
std::optional<std::uint64_t> units_needed(const GeneratorSpec& spec,
                                          const std::vector<Unit>& units) {
  if (spec.count) return spec.count;
  if (!spec.duration) return std::nullopt;
  Nanoseconds cycle = 0;
  for (const Unit& u : units) cycle += u.demand;
  const std::uint64_t whole = *spec.duration / cycle;
  if (whole > kMaxRepeat)
    throw InputError(fmt::format(
        "--duration {}: needs {} repeats of the sampled units; expected at most {} (shorten "
        "--duration or raise --block)",
        format_nanoseconds(*spec.duration), whole, kMaxRepeat));
  Nanoseconds rest = *spec.duration % cycle, filled = 0;
  std::uint64_t prefix = 0;
  while (filled < rest) filled += units[prefix++].demand;
  return whole * units.size() + prefix;
}

const char* unit_word(GeneratorKind kind) {
  switch (kind) {
    case GeneratorKind::Interactive:
      return "keystrokes";
    case GeneratorKind::Periodic:
      return "jobs";
    default:
      return "bursts";
  }
}

std::string cycle_note(std::size_t b, GeneratorKind kind) {
  return b == 1 ? std::string() : fmt::format("{} sampled {}, repeated", b, unit_word(kind));
}

// The command line as a comment: printable, one line, bounded.
std::string command_comment(const std::string& command) {
  std::string out;
  for (char ch : command) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += ch;
  }
  if (out.size() > kMaxCommandChars) {
    std::size_t cut = kMaxCommandChars;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    out = out.substr(0, cut) + "...";
  }
  return out;
}

// The spec as the options that reproduce it (run with `-o FILE`): every
// value resolved, except per-kind defaults in a mix or phases, which stay implied.
std::string resolved_options(const GeneratorSpec& spec, const std::vector<Part>& parts) {
  std::string out = generator_kind_name(spec.kind);
  auto has = [&](unsigned kinds) {
    for (const Part& p : parts)
      if (kinds & bit(p.kind)) return true;
    return false;
  };
  if (spec.kind == GeneratorKind::Mix) {
    out +=
        fmt::format(" --cpu-bound {} --io-bound {} --interactive {} --periodic {}",
                    spec.mix_cpu_bound, spec.mix_io_bound, spec.mix_interactive, spec.mix_periodic);
  } else if (spec.kind == GeneratorKind::Phases) {
    std::string list;
    for (const Phase& p : spec.phases)
      list += fmt::format("{}{}:{}", list.empty() ? "" : ",", phase_kind_name(p.kind),
                          format_nanoseconds(p.length));
    out += fmt::format(
        " --phases {} --repeat {} --cpus {} --batch-vcpus {} --background {} --rt-vcpus {} --load "
        "{}",
        list, spec.repeat, spec.cpus, spec.batch_vcpus.value_or(2 * spec.cpus),
        spec.background.value_or(spec.cpus), spec.rt_vcpus, spec.load);
  } else {
    out += fmt::format(" --vcpus {}", spec.vcpus);
  }
  if (spec.duration) out += " --duration " + format_nanoseconds(*spec.duration);
  if (spec.count) out += fmt::format(" --count {}", *spec.count);
  // Per-kind defaults stay implied where several kinds share the option.
  const bool mix = spec.kind == GeneratorKind::Mix || spec.kind == GeneratorKind::Phases;
  if (has(kCpu | kIo | kInteractive)) {
    if (!mix || spec.mean_run) out += " --mean-run " + format_nanoseconds(parts[0].mean_run);
    if (!mix || spec.dist) out += fmt::format(" --dist {}", dist_name(parts[0].dist));
    if (spec.dist == Distribution::LogNormal) out += fmt::format(" --sigma {}", spec.sigma);
  }
  if (has(kIo)) out += " --mean-block " + format_nanoseconds(spec.mean_block);
  if (has(kPeriodic))
    out += fmt::format(" --period {} --work {} --jitter {}", format_nanoseconds(spec.period),
                       format_nanoseconds(spec.work), format_nanoseconds(spec.jitter));
  if (has(kInteractive))
    out += fmt::format(" --think {} --echo {}", format_nanoseconds(spec.think), spec.echo);
  if (has(kCpu) && spec.yield) out += " --yield";
  out += fmt::format(" --block {} --seed {}", spec.block, spec.seed);
  return out;
}

}  // namespace

// A part's program is stationary: its units are sampled once per vCPU (one
// unit when nothing varies) and repeated.
std::vector<Unit> sample_units(const GeneratorSpec& spec, const Part& part, Rng& rng) {
  const bool varies =
      part.kind == GeneratorKind::Periodic ? spec.jitter > 0 : part.dist != Distribution::Fixed;
  const std::size_t n = varies ? spec.block : 1;
  std::vector<Unit> units(n);
  for (Unit& u : units) {
    switch (part.kind) {
      case GeneratorKind::CpuBound: {
        Nanoseconds run = sample_time(rng, part.dist, part.mean_run, spec.sigma);
        u.steps.push_back("run " + format_nanoseconds(run));
        if (spec.yield) u.steps.emplace_back("yield");
        u.demand = run;
        break;
      }
      case GeneratorKind::IoBound: {
        Nanoseconds run = sample_time(rng, part.dist, part.mean_run, spec.sigma);
        Nanoseconds io = sample_time(rng, part.dist, spec.mean_block, spec.sigma);
        u.steps.push_back("run " + format_nanoseconds(run));
        u.steps.push_back("io " + format_nanoseconds(io));
        u.demand = run + io;
        break;
      }
      case GeneratorKind::Interactive: {
        Nanoseconds handle = sample_time(rng, part.dist, part.mean_run, spec.sigma);
        u.steps.emplace_back("read 1");
        u.steps.push_back("run " + format_nanoseconds(handle));
        if (spec.echo > 0) u.steps.push_back(fmt::format("console {}", spec.echo));
        u.demand = spec.think;
        break;
      }
      default: {  // periodic with jitter: one job per `every`, its work uniform in work +- jitter
        auto span = static_cast<double>(2 * spec.jitter + 1);
        auto offset = static_cast<Nanoseconds>(std::floor(rng.uniform() * span));
        u.steps.push_back(periodic_step(spec, spec.work - spec.jitter + offset) + " count 1");
        u.demand = spec.period;
        break;
      }
    }
  }
  return units;
}

void TraceText::comment(std::string_view text) {
  m_text += "# ";
  m_text += text;
  m_text += '\n';
}

void TraceText::vcpu(unsigned index, std::string_view note) {
  m_text += fmt::format("vcpu {}  # {}\n", index, note);
}

void TraceText::step(int depth, std::string_view statement, std::string_view note) {
  if (++m_steps > kMaxSteps)
    throw InputError(fmt::format(
        "the trace would have more than {} steps; expected at most {} (lower --block, --vcpus, "
        "--count or --duration)",
        kMaxSteps, kMaxSteps));
  m_text.append(static_cast<std::size_t>(2 * depth), ' ');
  m_text += statement;
  if (!note.empty()) {
    m_text += "  # ";
    m_text += note;
  }
  m_text += '\n';
}

void TraceText::units(int depth, const std::vector<Unit>& units, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    for (const std::string& s : units[i].steps) step(depth, s);
}

Rng vcpu_stream(std::uint64_t seed, GeneratorKind kind, unsigned index) {
  return Rng(seed, (std::uint64_t{static_cast<unsigned>(kind)} + 1) << 32 | index);
}

std::string part_note(const GeneratorSpec& spec, const Part& part) {
  auto drawn = [&](const char* what, Nanoseconds mean) {
    if (part.dist == Distribution::Fixed)
      return fmt::format("{} {}", what, format_nanoseconds(mean));
    std::string sigma =
        part.dist == Distribution::LogNormal ? fmt::format(" sigma {}", spec.sigma) : "";
    return fmt::format("{} {} mean {}{}", what, dist_name(part.dist), format_nanoseconds(mean),
                       sigma);
  };
  std::string note = std::string(generator_kind_name(part.kind)) + ": ";
  switch (part.kind) {
    case GeneratorKind::CpuBound:
      return note + drawn("run", part.mean_run) + (spec.yield ? ", then yield" : "");
    case GeneratorKind::IoBound:
      return note + drawn("run", part.mean_run) + ", " + drawn("io", spec.mean_block);
    case GeneratorKind::Interactive:
      return note + "read 1, " + drawn("run", part.mean_run) +
             (spec.echo > 0 ? fmt::format(", console {}", spec.echo) : "");
    default:
      return note + periodic_step(spec, spec.work) +
             (spec.jitter > 0 ? " +- " + format_nanoseconds(spec.jitter) : "");
  }
}

void write_units(TraceText& out, const std::vector<Unit>& units, std::uint64_t n,
                 GeneratorKind kind) {
  const std::size_t b = units.size();
  const std::uint64_t whole = n / b, rest = n % b;
  if (whole > kMaxRepeat)
    throw InputError(fmt::format(
        "{} units need {} repeats of the sampled ones; expected at most {} (lower --count or "
        "--duration, or raise --block)",
        n, whole, kMaxRepeat));
  if (whole == 1) {
    out.units(1, units, b);
  } else if (whole > 1) {
    out.step(1, fmt::format("repeat {}", whole), cycle_note(b, kind));
    out.units(2, units, b);
    out.step(1, "end");
  }
  out.units(1, units, static_cast<std::size_t>(rest));
}

void write_program(TraceText& out, const GeneratorSpec& spec, const Part& part, unsigned index) {
  if (part.kind == GeneratorKind::Periodic && spec.jitter == 0) {
    std::optional<std::uint64_t> jobs = spec.count;
    if (spec.duration) jobs = (*spec.duration + spec.period - 1) / spec.period;
    if (jobs && *jobs > kMaxRepeat)
      throw InputError(fmt::format(
          "--duration {}: needs {} jobs of --period {}; expected at most {} jobs",
          format_nanoseconds(*spec.duration), *jobs, format_nanoseconds(spec.period), kMaxRepeat));
    if (!jobs) return out.step(1, periodic_step(spec, spec.work));
    out.step(1, periodic_step(spec, spec.work) + fmt::format(" count {}", *jobs));
    return out.step(1, "exit");
  }
  Rng rng = vcpu_stream(spec.seed, part.kind, index);
  const std::vector<Unit> units = sample_units(spec, part, rng);
  std::optional<std::uint64_t> n = units_needed(spec, units);
  if (!n) {
    out.step(1, "repeat forever", cycle_note(units.size(), part.kind));
    out.units(2, units, units.size());
    return out.step(1, "end");
  }
  write_units(out, units, *n, part.kind);
  out.step(1, "exit");
}

void write_header(TraceText& out, const GeneratorSpec& spec, const std::vector<Part>& parts,
                  const std::string& made) {
  out.comment("vmmsim-trace 1");
  if (!spec.command.empty()) out.comment("command: " + command_comment(spec.command));
  out.comment("spec: " + resolved_options(spec, parts));
  out.comment(
      "Generated by vmmsim trace gen (docs/generators.md): the same spec gives the same bytes. " +
      made);
}

}  // namespace generator

using namespace generator;

// --- the trace ----------------------------------------------------------------

std::string generate_trace(const GeneratorSpec& spec) {
  if (spec.kind == GeneratorKind::Phases)
    throw std::invalid_argument("generate_trace: phases writes a trace per VM (generate_phases)");
  validate_generator_spec(spec);
  const std::vector<Part> parts = parts_of(spec);
  TraceText out;
  const bool finite = spec.duration || spec.count;
  write_header(out, spec, parts,
               "Each vCPU samples its own units once and repeats them " +
                   std::string(finite ? "until its --count or --duration is reached, then exits."
                                      : "forever."));
  if (unsigned k = vcpus_of(parts, GeneratorKind::Interactive); k > 0) {
    // Keystrokes come from the console device: the config sets their rate.
    std::string hint = fmt::format(
        "Console input drives the interactive vCPUs: set [console] input_every = {}, "
        "input_bytes = 1 and focus = this VM",
        format_nanoseconds(std::max<Nanoseconds>(1, spec.think / k)));
    if (finite) {
      // As many keystrokes as the vCPUs will read, so that none is left over.
      std::uint64_t keys =
          spec.count ? *spec.count : (*spec.duration + spec.think - 1) / spec.think;
      hint += fmt::format(", input_count = {}", keys * k);
    }
    out.comment(hint + (k > 1 ? fmt::format(" ({} vCPUs share the VM's input)", k) : ""));
  }
  unsigned index = 0;
  for (const Part& part : parts)
    for (unsigned i = 0; i < part.vcpus; ++i) {
      out.vcpu(index, part_note(spec, part));
      write_program(out, spec, part, index++);
    }
  return out.take();
}

std::string format_nanoseconds(Nanoseconds ns) {
  struct Scale {
    Nanoseconds ns;
    int digits;
    const char* unit;
  };
  static constexpr Scale kScales[] = {
      {1000000000, 9, "s"}, {1000000, 6, "ms"}, {1000, 3, "us"}, {1, 0, "ns"}};
  for (const Scale& s : kScales) {
    if (ns < s.ns && s.ns != 1) continue;
    Nanoseconds whole = ns / s.ns, fraction = ns % s.ns;
    if (fraction == 0) return fmt::format("{}{}", whole, s.unit);
    std::string digits = fmt::format("{:0{}}", fraction, s.digits);
    digits.erase(digits.find_last_not_of('0') + 1);
    return fmt::format("{}.{}{}", whole, digits, s.unit);
  }
  return "0ns";
}

}  // namespace vmmsim::workload
