#include "workload/generators.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "base/input_error.h"
#include "base/text.h"
#include "workload/trace_program.h"

namespace vmmsim::workload {
namespace {

// The trace format's limits (docs/trace-format.md), checked here so that a
// spec that would break them is reported against its options.
constexpr std::uint64_t kMaxRepeat = 1000000000;
constexpr unsigned kMaxVcpus = 4096;
constexpr Bytes kMaxEcho = Bytes{1} << 20;
constexpr std::size_t kMaxBlock = 100000;
constexpr Nanoseconds kMaxMean = Nanoseconds{1000} * 1000000000;  // 1000 s
constexpr double kMaxSigma = 4.0;
// The recorded command stays far below the format's 4096-character line.
constexpr std::size_t kMaxCommandChars = 1000;

constexpr unsigned bit(GeneratorKind kind) { return 1u << static_cast<unsigned>(kind); }
constexpr unsigned kCpu = bit(GeneratorKind::CpuBound);
constexpr unsigned kIo = bit(GeneratorKind::IoBound);
constexpr unsigned kInteractive = bit(GeneratorKind::Interactive);
constexpr unsigned kPeriodic = bit(GeneratorKind::Periodic);
constexpr unsigned kMix = bit(GeneratorKind::Mix);
constexpr unsigned kSingle = kCpu | kIo | kInteractive | kPeriodic;
constexpr unsigned kAll = kSingle | kMix;

constexpr GeneratorKind kKinds[] = {GeneratorKind::CpuBound, GeneratorKind::IoBound,
                                    GeneratorKind::Interactive, GeneratorKind::Periodic,
                                    GeneratorKind::Mix};

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

const char* dist_name(Distribution dist) {
  switch (dist) {
    case Distribution::Fixed:
      return "fixed";
    case Distribution::Exponential:
      return "exp";
    case Distribution::LogNormal:
      return "lognormal";
  }
  return "?";
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

std::string option_list(GeneratorKind kind) {
  std::string out;
  for (const GeneratorOptionInfo& o : generator_options())
    if (option_applies(o, kind)) out += (out.empty() ? "--" : ", --") + std::string(o.name);
  return out;
}

// --- the parts of a trace ---------------------------------------------------

Distribution default_dist(GeneratorKind kind) {
  return kind == GeneratorKind::CpuBound ? Distribution::Fixed : Distribution::Exponential;
}

Nanoseconds default_mean_run(GeneratorKind kind) {
  switch (kind) {
    case GeneratorKind::CpuBound:
      return 10000000;
    case GeneratorKind::IoBound:
      return 500000;
    case GeneratorKind::Interactive:
      return 200000;
    default:
      return 0;  // periodic: --work instead
  }
}

// vCPUs of one kind, with that kind's resolved distribution and mean run.
struct Part {
  GeneratorKind kind;
  unsigned vcpus;
  Distribution dist;
  Nanoseconds mean_run;
};

std::vector<Part> parts_of(const GeneratorSpec& spec) {
  std::vector<Part> parts;
  auto add = [&](GeneratorKind kind, unsigned vcpus) {
    if (vcpus == 0) return;
    parts.push_back({kind, vcpus, spec.dist.value_or(default_dist(kind)),
                     spec.mean_run.value_or(default_mean_run(kind))});
  };
  if (spec.kind != GeneratorKind::Mix) {
    add(spec.kind, spec.vcpus);
  } else {
    add(GeneratorKind::CpuBound, spec.mix_cpu_bound);
    add(GeneratorKind::IoBound, spec.mix_io_bound);
    add(GeneratorKind::Interactive, spec.mix_interactive);
    add(GeneratorKind::Periodic, spec.mix_periodic);
  }
  return parts;
}

unsigned vcpus_of(const std::vector<Part>& parts, GeneratorKind kind) {
  unsigned n = 0;
  for (const Part& p : parts)
    if (p.kind == kind) n += p.vcpus;
  return n;
}

// One burst, keystroke or job: its steps, and the time it stands for when
// filling a --duration horizon.
struct Unit {
  std::vector<std::string> steps;
  Nanoseconds demand = 0;
};

std::string periodic_step(const GeneratorSpec& spec, Nanoseconds work) {
  return fmt::format("every {} run {}", format_nanoseconds(spec.period), format_nanoseconds(work));
}

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

// The trace text, counting steps as the parser does (vcpu lines are not steps).
class TraceText {
 public:
  void comment(std::string_view text) {
    m_text += "# ";
    m_text += text;
    m_text += '\n';
  }
  void vcpu(unsigned index, std::string_view note) {
    m_text += fmt::format("vcpu {}  # {}\n", index, note);
  }
  void step(int depth, std::string_view statement, std::string_view note = {}) {
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
  void units(int depth, const std::vector<Unit>& units, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
      for (const std::string& s : units[i].steps) step(depth, s);
  }
  std::string take() { return std::move(m_text); }

 private:
  std::string m_text;
  std::size_t m_steps = 0;
};

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

// "io-bound: run exp mean 500us, io exp mean 2ms" — what the vCPU's steps are drawn from.
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

void emit_vcpu(TraceText& out, const GeneratorSpec& spec, const Part& part, unsigned index) {
  out.vcpu(index, part_note(spec, part));
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
  // The stream depends on the kind too: traces of different kinds made with the
  // same seed are not correlated.
  Rng rng(spec.seed, (std::uint64_t{static_cast<unsigned>(part.kind)} + 1) << 32 | index);
  const std::vector<Unit> units = sample_units(spec, part, rng);
  const std::size_t b = units.size();
  const std::string cycle_note =
      b == 1 ? std::string() : fmt::format("{} sampled {}, repeated", b, unit_word(part.kind));
  std::optional<std::uint64_t> n = units_needed(spec, units);
  if (!n) {
    out.step(1, "repeat forever", cycle_note);
    out.units(2, units, b);
    return out.step(1, "end");
  }
  const std::uint64_t whole = *n / b, rest = *n % b;
  if (whole > kMaxRepeat)
    throw InputError(fmt::format(
        "{} units need {} repeats of the sampled ones; expected at most {} (lower --count or "
        "--duration, or raise --block)",
        *n, whole, kMaxRepeat));
  if (whole == 1) {
    out.units(1, units, b);
  } else if (whole > 1) {
    out.step(1, fmt::format("repeat {}", whole), cycle_note);
    out.units(2, units, b);
    out.step(1, "end");
  }
  out.units(1, units, static_cast<std::size_t>(rest));
  out.step(1, "exit");
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
// value resolved, except per-kind defaults in a mix, which stay implied.
std::string resolved_options(const GeneratorSpec& spec, const std::vector<Part>& parts) {
  std::string out = generator_kind_name(spec.kind);
  auto has = [&](unsigned kinds) {
    for (const Part& p : parts)
      if (kinds & bit(p.kind)) return true;
    return false;
  };
  if (spec.kind == GeneratorKind::Mix)
    out +=
        fmt::format(" --cpu-bound {} --io-bound {} --interactive {} --periodic {}",
                    spec.mix_cpu_bound, spec.mix_io_bound, spec.mix_interactive, spec.mix_periodic);
  else
    out += fmt::format(" --vcpus {}", spec.vcpus);
  if (spec.duration) out += " --duration " + format_nanoseconds(*spec.duration);
  if (spec.count) out += fmt::format(" --count {}", *spec.count);
  const bool mix = spec.kind == GeneratorKind::Mix;
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
      {"cpu-bound", "N", "cpu-bound vCPUs in the mix (default 0)", kMix},
      {"io-bound", "N", "io-bound vCPUs in the mix (default 0)", kMix},
      {"interactive", "N", "interactive vCPUs in the mix (default 0)", kMix},
      {"periodic", "N", "periodic vCPUs in the mix (default 0)", kMix},
      {"duration", "D",
       "demand horizon per vCPU: enough bursts, keystrokes or jobs to fill D, then exit "
       "(default: forever)",
       kAll},
      {"count", "N", "bursts, keystrokes or jobs per vCPU, then exit (1..10^9; default: forever)",
       kAll},
      {"mean-run", "D",
       "mean CPU time of a burst: cpu-bound chunk (default 10ms), io-bound burst (500us), "
       "interactive keystroke handling (200us)",
       kCpu | kIo | kInteractive | kMix},
      {"mean-block", "D", "mean I/O time after each io-bound burst (default 2ms)", kIo | kMix},
      {"dist", "NAME",
       "distribution of the sampled times: fixed, exp or lognormal (default: fixed for "
       "cpu-bound, exp otherwise)",
       kCpu | kIo | kInteractive | kMix},
      {"sigma", "S",
       "with --dist lognormal: standard deviation of ln(time), 0 < S <= 4 (default 1)",
       kCpu | kIo | kInteractive | kMix},
      {"period", "D", "periodic job period, also its relative deadline (default 10ms)",
       kPeriodic | kMix},
      {"work", "D", "CPU time of a periodic job, at most --period (default 2ms)", kPeriodic | kMix},
      {"jitter", "D",
       "each periodic job's work uniform in work +- D, below --work (default 0: all equal)",
       kPeriodic | kMix},
      {"think", "D",
       "interactive keystroke period, to set as [console] input_every (default 100ms)",
       kInteractive | kMix},
      {"echo", "SIZE", "console bytes written per keystroke (default 32; 0 = none)",
       kInteractive | kMix},
      {"yield", "", "cpu-bound vCPUs yield after each chunk", kCpu | kMix},
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
    if (name == "seed")
      spec.seed = count_value(name, value, 0, ~std::uint64_t{0}), seed_given = true;
  }
  if (!seed_given)
    throw InputError(
        "missing --seed; expected --seed N, a whole number (the same seed gives the same trace)");
  if (sigma_given && spec.dist != Distribution::LogNormal)
    throw InputError(
        fmt::format("--sigma {}: applies only with --dist lognormal; expected --dist "
                    "lognormal or no --sigma",
                    spec.sigma));
  validate_generator_spec(spec);
  // In a mix, an option must reach at least one vCPU: `--period` without
  // periodic vCPUs is a mistake, not a no-op.
  if (kind == GeneratorKind::Mix) {
    unsigned present = 0;
    for (const Part& p : parts_of(spec)) present |= bit(p.kind);
    for (const GeneratorOptionInfo* o : given) {
      unsigned kinds = o->kinds & kSingle;
      if (kinds != kSingle && kinds != 0 && (kinds & present) == 0)
        throw InputError(
            fmt::format("--{} applies to {} vCPUs and this mix has none; expected "
                        "--{} N with N > 0, or no --{}",
                        o->name, kind_list(kinds), first_kind_name(kinds), o->name));
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
}

// --- the trace ----------------------------------------------------------------

std::string generate_trace(const GeneratorSpec& spec) {
  validate_generator_spec(spec);
  const std::vector<Part> parts = parts_of(spec);
  TraceText out;
  out.comment("vmmsim-trace 1");
  if (!spec.command.empty()) out.comment("command: " + command_comment(spec.command));
  out.comment("spec: " + resolved_options(spec, parts));
  const bool finite = spec.duration || spec.count;
  out.comment(
      "Generated by vmmsim trace gen (docs/generators.md): the same spec gives the same bytes. "
      "Each vCPU samples its own units once and repeats them " +
      std::string(finite ? "until its --count or --duration is reached, then exits." : "forever."));
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
    for (unsigned i = 0; i < part.vcpus; ++i) emit_vcpu(out, spec, part, index++);
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
