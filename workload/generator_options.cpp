// `vmmsim trace gen`'s options: the kinds, the option table, and the spec
// they build and check (docs/generators.md).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "base/input_error.h"
#include "base/text.h"
#include "workload/generator_parts.h"
#include "workload/generators.h"

namespace vmmsim::workload {
namespace {

using namespace generator;

// --- option values ----------------------------------------------------------

[[noreturn]] void bad_value(const std::string& name, const std::string& value,
                            const std::string& expected) {
  throw InputError(fmt::format("--{} {}: expected {}", name, shown(value), expected));
}

// A duration with a unit, in ns. Bare numbers are cycles in the trace format,
// and a generated trace must not depend on the platform clock.
Nanoseconds duration_value(const std::string& name, const std::string& value, Nanoseconds min,
                           Nanoseconds max) {
  const std::string expected =
      max == ~Nanoseconds{0} ? std::string("a duration above 0 with a unit (ns, us, ms or s)")
                             : fmt::format("a duration with a unit (ns, us, ms or s) from {} to {}",
                                           format_nanoseconds(min), format_nanoseconds(max));
  bool has_unit = !value.empty() && std::isalpha(static_cast<unsigned char>(value.back())) &&
                  value.find("cycle") == std::string::npos;
  auto ns = has_unit ? parse_duration(value, 1000000000, nullptr) : std::nullopt;
  if (!ns || *ns < min || *ns > max) bad_value(name, value, expected);
  return *ns;
}

std::uint64_t count_value(const std::string& name, const std::string& value, std::uint64_t min,
                          std::uint64_t max) {
  auto n = parse_count(value, nullptr);
  if (!n || *n < min || *n > max)
    bad_value(name, value, fmt::format("a whole number from {} to {}", min, max));
  return *n;
}

double sigma_value(const std::string& name, const std::string& value) {
  const std::string expected = fmt::format("a number above 0 and at most {}", kMaxSigma);
  bool plain = !value.empty() && value.find_first_not_of("0123456789.") == std::string::npos &&
               std::count(value.begin(), value.end(), '.') <= 1 && value != ".";
  if (!plain) bad_value(name, value, expected);
  double sigma = std::strtod(value.c_str(), nullptr);
  if (!(sigma > 0 && sigma <= kMaxSigma)) bad_value(name, value, expected);
  return sigma;
}

Distribution dist_value(const std::string& name, const std::string& value) {
  if (value == "fixed") return Distribution::Fixed;
  if (value == "exp") return Distribution::Exponential;
  if (value == "lognormal") return Distribution::LogNormal;
  bad_value(name, value, "fixed, exp or lognormal");
}

// "cpu-bound, io-bound or interactive" for the kinds in `kinds`.
std::string kind_list(unsigned kinds) {
  std::vector<std::string> names;
  for (GeneratorKind k : kKinds)
    if (kinds & bit(k)) names.emplace_back(generator_kind_name(k));
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

const char* first_kind_name(unsigned kinds) {
  for (GeneratorKind k : kKinds)
    if (kinds & bit(k)) return generator_kind_name(k);
  return "?";
}

// "batch:2s,interactive:500ms": the phases in order, each a kind and a length.
std::vector<Phase> phases_value(const std::string& name, const std::string& value) {
  const std::string expected = fmt::format(
      "KIND:DURATION items separated by commas, KIND batch, interactive or periodic, DURATION with "
      "a unit (ns, us, ms or s) from 1ns to {}, at most {} items",
      format_nanoseconds(kMaxMean), kMaxPhases);
  std::vector<Phase> phases;
  std::size_t at = 0;
  while (true) {
    const std::size_t comma = value.find(',', at);
    const std::string item =
        value.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    const std::size_t colon = item.find(':');
    if (colon == std::string::npos || phases.size() == kMaxPhases) bad_value(name, value, expected);
    const std::string kind = item.substr(0, colon);
    Phase phase;
    if (kind == "batch")
      phase.kind = PhaseKind::Batch;
    else if (kind == "interactive")
      phase.kind = PhaseKind::Interactive;
    else if (kind == "periodic")
      phase.kind = PhaseKind::Periodic;
    else
      bad_value(name, value, expected);
    try {
      phase.length = duration_value(name, item.substr(colon + 1), 1, kMaxMean);
    } catch (const InputError&) {
      bad_value(name, value, expected);
    }
    phases.push_back(phase);
    if (comma == std::string::npos) return phases;
    at = comma + 1;
  }
}

// The phase whose vCPUs an option of `kinds` (interactive or periodic) reaches.
const char* phase_word(unsigned kinds) {
  return (kinds & kInteractive) ? "interactive" : "periodic";
}

std::string option_list(GeneratorKind kind) {
  std::string out;
  for (const GeneratorOptionInfo& o : generator_options())
    if (option_applies(o, kind)) out += (out.empty() ? "--" : ", --") + std::string(o.name);
  return out;
}

}  // namespace

// --- kinds and options -------------------------------------------------------

const char* generator_kind_name(GeneratorKind kind) {
  switch (kind) {
    case GeneratorKind::CpuBound:
      return "cpu-bound";
    case GeneratorKind::IoBound:
      return "io-bound";
    case GeneratorKind::Interactive:
      return "interactive";
    case GeneratorKind::Periodic:
      return "periodic";
    case GeneratorKind::Mix:
      return "mix";
    case GeneratorKind::Phases:
      return "phases";
  }
  return "?";
}

const char* phase_kind_name(PhaseKind kind) {
  switch (kind) {
    case PhaseKind::Batch:
      return "batch";
    case PhaseKind::Interactive:
      return "interactive";
    case PhaseKind::Periodic:
      return "periodic";
  }
  return "?";
}

GeneratorKind parse_generator_kind(std::string_view word) {
  for (GeneratorKind k : kKinds)
    if (word == generator_kind_name(k)) return k;
  throw InputError(fmt::format("unknown kind '{}'; expected {}", shown(word), kind_list(kAll)));
}

const std::vector<GeneratorOptionInfo>& generator_options() {
  static const std::vector<GeneratorOptionInfo> options = {
      {"vcpus", "N", "vCPUs, each with its own sampled program (default 1; 1..4096)", kSingle},
      {"phases", "LIST",
       "phases: KIND:DURATION,... in order from time 0, KIND batch, interactive or periodic "
       "(required), e.g. batch:2s,interactive:2s,periodic:2s",
       kPhases},
      {"repeat", "N", "phases: the --phases list N times in a row (default 1; 1..10000)", kPhases},
      {"cpus", "N",
       "phases: the pCPUs the CPU-bound load is sized for, and the config's (default 2; 1..4096)",
       kPhases},
      {"batch-vcpus", "N",
       "phases: CPU-bound vCPUs of VM batch that arrive at each batch phase (default twice --cpus)",
       kPhases},
      {"background", "N",
       "phases: CPU-bound vCPUs of VM batch that arrive at each interactive or periodic phase "
       "(default --cpus; 0 = none)",
       kPhases},
      {"rt-vcpus", "N",
       "phases: periodic vCPUs of VM rt that arrive at each periodic phase (default 1)", kPhases},
      {"load", "PERCENT",
       "phases: the CPU time a phase's CPU-bound vCPUs ask for together, in % of the phase's "
       "pCPU time (default 80; 1..100)",
       kPhases},
      {"cpu-bound", "N", "cpu-bound vCPUs in the mix (default 0)", kMix},
      {"io-bound", "N", "io-bound vCPUs in the mix (default 0)", kMix},
      {"interactive", "N", "interactive vCPUs in the mix (default 0)", kMix},
      {"periodic", "N", "periodic vCPUs in the mix (default 0)", kMix},
      {"duration", "D",
       "demand horizon per vCPU: enough bursts, keystrokes or jobs to fill D, then exit "
       "(default: forever)",
       kSingle | kMix},
      {"count", "N", "bursts, keystrokes or jobs per vCPU, then exit (1..10^9; default: forever)",
       kSingle | kMix},
      {"mean-run", "D",
       "mean CPU time of a burst: cpu-bound chunk (default 10ms), io-bound burst (500us), "
       "interactive keystroke handling (200us)",
       kCpu | kIo | kInteractive | kMix | kPhases},
      {"mean-block", "D", "mean I/O time after each io-bound burst (default 2ms)", kIo | kMix},
      {"dist", "NAME",
       "distribution of the sampled times: fixed, exp or lognormal (default: fixed for "
       "cpu-bound, exp otherwise)",
       kCpu | kIo | kInteractive | kMix | kPhases},
      {"sigma", "S",
       "with --dist lognormal: standard deviation of ln(time), 0 < S <= 4 (default 1)",
       kCpu | kIo | kInteractive | kMix | kPhases},
      {"period", "D", "periodic job period, also its relative deadline (default 10ms)",
       kPeriodic | kMix | kPhases},
      {"work", "D", "CPU time of a periodic job, at most --period (default 2ms)",
       kPeriodic | kMix | kPhases},
      {"jitter", "D",
       "each periodic job's work uniform in work +- D, below --work (default 0: all equal)",
       kPeriodic | kMix | kPhases},
      {"think", "D",
       "interactive keystroke period, to set as [console] input_every (default 100ms)",
       kInteractive | kMix | kPhases},
      {"echo", "SIZE", "console bytes written per keystroke (default 32; 0 = none)",
       kInteractive | kMix | kPhases},
      {"yield", "", "cpu-bound vCPUs yield after each chunk", kCpu | kMix | kPhases},
      {"block", "N",
       "bursts, keystrokes or jobs sampled once per vCPU, then repeated (default 200; "
       "1..100000)",
       kAll},
      {"seed", "N", "random seed (required; the same seed gives the same trace)", kAll},
  };
  return options;
}

bool option_applies(const GeneratorOptionInfo& option, GeneratorKind kind) {
  return (option.kinds & bit(kind)) != 0;
}

GeneratorSpec make_generator_spec(GeneratorKind kind,
                                  const std::vector<std::pair<std::string, std::string>>& options) {
  GeneratorSpec spec;
  spec.kind = kind;
  std::vector<const GeneratorOptionInfo*> given;
  bool seed_given = false, sigma_given = false;
  for (const auto& option : options) {
    const std::string& name = option.first;
    const std::string& value = option.second;
    const auto& all = generator_options();
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& o) { return name == o.name; });
    if (it == all.end())
      throw InputError(
          fmt::format("--{}: unknown option; expected one of {}", shown(name), option_list(kind)));
    if (!option_applies(*it, kind))
      throw InputError(fmt::format("--{} does not apply to {}; expected one of {}", name,
                                   generator_kind_name(kind), option_list(kind)));
    given.push_back(&*it);
    if (name == "vcpus") spec.vcpus = static_cast<unsigned>(count_value(name, value, 1, kMaxVcpus));
    if (name == "cpu-bound")
      spec.mix_cpu_bound = static_cast<unsigned>(count_value(name, value, 0, kMaxVcpus));
    if (name == "io-bound")
      spec.mix_io_bound = static_cast<unsigned>(count_value(name, value, 0, kMaxVcpus));
    if (name == "interactive")
      spec.mix_interactive = static_cast<unsigned>(count_value(name, value, 0, kMaxVcpus));
    if (name == "periodic")
      spec.mix_periodic = static_cast<unsigned>(count_value(name, value, 0, kMaxVcpus));
    if (name == "duration") spec.duration = duration_value(name, value, 1, ~Nanoseconds{0});
    if (name == "count") spec.count = count_value(name, value, 1, kMaxRepeat);
    if (name == "mean-run") spec.mean_run = duration_value(name, value, 1, kMaxMean);
    if (name == "mean-block") spec.mean_block = duration_value(name, value, 1, kMaxMean);
    if (name == "dist") spec.dist = dist_value(name, value);
    if (name == "sigma") spec.sigma = sigma_value(name, value), sigma_given = true;
    if (name == "period") spec.period = duration_value(name, value, 1, kMaxMean);
    if (name == "work") spec.work = duration_value(name, value, 1, kMaxMean);
    if (name == "jitter") spec.jitter = duration_value(name, value, 0, kMaxMean);
    if (name == "think") spec.think = duration_value(name, value, 1, kMaxMean);
    if (name == "echo") {
      auto bytes = parse_size(value, nullptr);
      if (!bytes || *bytes > kMaxEcho) bad_value(name, value, "a size from 0 to 1MiB");
      spec.echo = *bytes;
    }
    if (name == "yield") {
      if (!value.empty() && value != "true") bad_value(name, value, "no value (a flag)");
      spec.yield = true;
    }
    if (name == "block") spec.block = count_value(name, value, 1, kMaxBlock);
    if (name == "phases") spec.phases = phases_value(name, value);
    if (name == "repeat")
      spec.repeat = static_cast<unsigned>(count_value(name, value, 1, kMaxPhaseRepeat));
    if (name == "cpus") spec.cpus = static_cast<unsigned>(count_value(name, value, 1, kMaxVcpus));
    if (name == "batch-vcpus")
      spec.batch_vcpus = static_cast<unsigned>(count_value(name, value, 1, kMaxVcpus));
    if (name == "background")
      spec.background = static_cast<unsigned>(count_value(name, value, 0, kMaxVcpus));
    if (name == "rt-vcpus")
      spec.rt_vcpus = static_cast<unsigned>(count_value(name, value, 1, kMaxVcpus));
    if (name == "load") spec.load = static_cast<unsigned>(count_value(name, value, 1, 100));
    if (name == "seed")
      spec.seed = count_value(name, value, 0, ~std::uint64_t{0}), seed_given = true;
  }
  if (!seed_given)
    throw InputError(
        "missing --seed; expected --seed N, a whole number (the same seed gives the same trace)");
  if (kind == GeneratorKind::Phases && spec.phases.empty())
    throw InputError(
        "missing --phases; expected --phases KIND:DURATION,... with KIND batch, interactive or "
        "periodic (e.g. batch:2s,interactive:2s,periodic:2s)");
  if (sigma_given && spec.dist != Distribution::LogNormal)
    throw InputError(
        fmt::format("--sigma {}: applies only with --dist lognormal; expected --dist "
                    "lognormal or no --sigma",
                    spec.sigma));
  validate_generator_spec(spec);
  // In a mix or phases, an option must reach at least one vCPU: `--period`
  // without periodic vCPUs is a mistake, not a no-op.
  if (kind == GeneratorKind::Mix || kind == GeneratorKind::Phases) {
    unsigned present = 0;
    for (const Part& p : parts_of(spec)) present |= bit(p.kind);
    for (const GeneratorOptionInfo* o : given) {
      unsigned kinds = o->kinds & kSingle;
      if (kinds == kSingle || kinds == 0 || (kinds & present) != 0) continue;
      if (kind == GeneratorKind::Mix)
        throw InputError(
            fmt::format("--{} applies to {} vCPUs and this mix has none; expected "
                        "--{} N with N > 0, or no --{}",
                        o->name, kind_list(kinds), first_kind_name(kinds), o->name));
      throw InputError(fmt::format(
          "--{} applies to {} vCPUs and these phases have none; expected {}, or no --{}", o->name,
          kind_list(kinds),
          (kinds & kCpu) ? "a batch phase, or --background N with N > 0 and another phase"
                         : fmt::format("a phase of kind {}", phase_word(kinds)),
          o->name));
    }
  }
  return spec;
}

void validate_generator_spec(const GeneratorSpec& spec) {
  if (spec.kind == GeneratorKind::Mix) {
    std::uint64_t total = std::uint64_t{spec.mix_cpu_bound} + spec.mix_io_bound +
                          spec.mix_interactive + spec.mix_periodic;
    if (total == 0 || total > kMaxVcpus)
      throw InputError(fmt::format(
          "mix of {} vCPUs; expected --cpu-bound, --io-bound, --interactive and --periodic to add "
          "up to 1..{}",
          total, kMaxVcpus));
  } else if (spec.vcpus == 0 || spec.vcpus > kMaxVcpus) {
    throw InputError(
        fmt::format("--vcpus {}: expected a whole number from 1 to {}", spec.vcpus, kMaxVcpus));
  }
  if (spec.duration && spec.count)
    throw InputError(
        "--count and --duration together; expected at most one (a count of bursts, keystrokes or "
        "jobs, or a demand horizon)");
  if (spec.count && (*spec.count == 0 || *spec.count > kMaxRepeat))
    throw InputError(
        fmt::format("--count {}: expected a whole number from 1 to {}", *spec.count, kMaxRepeat));
  if (spec.duration && *spec.duration == 0)
    throw InputError("--duration 0ns: expected a duration above 0");
  auto check_time = [](const char* name, Nanoseconds value, Nanoseconds min) {
    if (value < min || value > kMaxMean)
      throw InputError(fmt::format("--{} {}: expected a duration from {} to {}", name,
                                   format_nanoseconds(value), format_nanoseconds(min),
                                   format_nanoseconds(kMaxMean)));
  };
  if (spec.mean_run) check_time("mean-run", *spec.mean_run, 1);
  check_time("mean-block", spec.mean_block, 1);
  check_time("period", spec.period, 1);
  check_time("work", spec.work, 1);
  check_time("think", spec.think, 1);
  if (!(spec.sigma > 0 && spec.sigma <= kMaxSigma))
    throw InputError(
        fmt::format("--sigma {}: expected a number above 0 and at most {}", spec.sigma, kMaxSigma));
  if (spec.block == 0 || spec.block > kMaxBlock)
    throw InputError(
        fmt::format("--block {}: expected a whole number from 1 to {}", spec.block, kMaxBlock));
  if (spec.echo > kMaxEcho)
    throw InputError(fmt::format("--echo {}: expected a size from 0 to 1MiB", spec.echo));
  if (vcpus_of(parts_of(spec), GeneratorKind::Periodic) > 0) {
    if (spec.work > spec.period)
      throw InputError(fmt::format("--work {}: longer than --period {}; expected work <= period",
                                   format_nanoseconds(spec.work), format_nanoseconds(spec.period)));
    if (spec.jitter >= spec.work)
      throw InputError(fmt::format("--jitter {}: expected less than --work {}",
                                   format_nanoseconds(spec.jitter), format_nanoseconds(spec.work)));
  }
  if (spec.kind == GeneratorKind::Phases) validate_phases(spec);
}

}  // namespace vmmsim::workload
