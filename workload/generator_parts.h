// What the parts of `vmmsim trace gen` share: the trace format's limits,
// the kinds as bits, a spec's parts (vCPUs of one kind with that kind's
// resolved defaults) and the writing of a vCPU's program.
// generator_options.cpp reads and checks a spec, generators.cpp writes its
// trace, phase_generator.cpp writes a phases workload from the same pieces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workload/generators.h"

namespace vmmsim::workload::generator {

// The trace format's limits (docs/trace-format.md), checked here so that a
// spec that would break them is reported against its options.
constexpr std::uint64_t kMaxRepeat = 1000000000;
constexpr unsigned kMaxVcpus = 4096;
constexpr Bytes kMaxEcho = Bytes{1} << 20;
constexpr std::size_t kMaxBlock = 100000;
constexpr Nanoseconds kMaxMean = Nanoseconds{1000} * 1000000000;  // 1000 s
constexpr double kMaxSigma = 4.0;
// phases: items of --phases, phases in all (items x --repeat), and their
// span: every arrival stays within 2^50 cycles at 1 THz, as every step does.
constexpr std::size_t kMaxPhases = 64;
constexpr unsigned kMaxPhaseRepeat = 10000;
constexpr std::uint64_t kMaxPhasesInAll = 10000;
constexpr Nanoseconds kMaxPhasesSpan = kMaxMean;

constexpr unsigned bit(GeneratorKind kind) { return 1u << static_cast<unsigned>(kind); }
constexpr unsigned kCpu = bit(GeneratorKind::CpuBound);
constexpr unsigned kIo = bit(GeneratorKind::IoBound);
constexpr unsigned kInteractive = bit(GeneratorKind::Interactive);
constexpr unsigned kPeriodic = bit(GeneratorKind::Periodic);
constexpr unsigned kMix = bit(GeneratorKind::Mix);
constexpr unsigned kPhases = bit(GeneratorKind::Phases);
constexpr unsigned kSingle = kCpu | kIo | kInteractive | kPeriodic;
constexpr unsigned kAll = kSingle | kMix | kPhases;

constexpr GeneratorKind kKinds[] = {GeneratorKind::CpuBound,    GeneratorKind::IoBound,
                                    GeneratorKind::Interactive, GeneratorKind::Periodic,
                                    GeneratorKind::Mix,         GeneratorKind::Phases};

inline const char* dist_name(Distribution dist) {
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

inline Distribution default_dist(GeneratorKind kind) {
  return kind == GeneratorKind::CpuBound ? Distribution::Fixed : Distribution::Exponential;
}

inline Nanoseconds default_mean_run(GeneratorKind kind) {
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

inline std::vector<Part> parts_of(const GeneratorSpec& spec) {
  std::vector<Part> parts;
  auto add = [&](GeneratorKind kind, unsigned vcpus) {
    if (vcpus == 0) return;
    parts.push_back({kind, vcpus, spec.dist.value_or(default_dist(kind)),
                     spec.mean_run.value_or(default_mean_run(kind))});
  };
  if (spec.kind == GeneratorKind::Phases) {
    // The kinds present, one vCPU each: phase_generator.cpp counts the vCPUs per window.
    bool batch = false, interactive = false, periodic = false, other = false;
    for (const Phase& p : spec.phases) {
      batch |= p.kind == PhaseKind::Batch;
      interactive |= p.kind == PhaseKind::Interactive;
      periodic |= p.kind == PhaseKind::Periodic;
      other |= p.kind != PhaseKind::Batch;
    }
    add(GeneratorKind::CpuBound,
        batch || (other && spec.background.value_or(spec.cpus) > 0) ? 1 : 0);
    add(GeneratorKind::Interactive, interactive ? 1 : 0);
    add(GeneratorKind::Periodic, periodic ? 1 : 0);
  } else if (spec.kind != GeneratorKind::Mix) {
    add(spec.kind, spec.vcpus);
  } else {
    add(GeneratorKind::CpuBound, spec.mix_cpu_bound);
    add(GeneratorKind::IoBound, spec.mix_io_bound);
    add(GeneratorKind::Interactive, spec.mix_interactive);
    add(GeneratorKind::Periodic, spec.mix_periodic);
  }
  return parts;
}

inline unsigned vcpus_of(const std::vector<Part>& parts, GeneratorKind kind) {
  unsigned n = 0;
  for (const Part& p : parts)
    if (p.kind == kind) n += p.vcpus;
  return n;
}

// phases: the checks of validate_generator_spec that only a phases spec
// needs (phase_generator.cpp). Throws InputError naming the option.
void validate_phases(const GeneratorSpec& spec);

// --- writing programs (generators.cpp) -----------------------------------------

// One burst, keystroke or job: its steps, and the time it stands for when
// filling a --duration horizon.
struct Unit {
  std::vector<std::string> steps;
  Nanoseconds demand = 0;
};

// The trace text, counting steps as the parser does (vcpu lines are not steps).
class TraceText {
 public:
  void comment(std::string_view text);
  void vcpu(unsigned index, std::string_view note);
  // Throws InputError past the format's 1,000,000 steps.
  void step(int depth, std::string_view statement, std::string_view note = {});
  // The first n units' steps.
  void units(int depth, const std::vector<Unit>& units, std::size_t n);
  std::string take() { return std::move(m_text); }

 private:
  std::string m_text;
  std::size_t m_steps = 0;
};

// vCPU `index`'s random stream for a part of `kind`: it depends on the kind
// too, so traces of different kinds made with the same seed are not correlated.
Rng vcpu_stream(std::uint64_t seed, GeneratorKind kind, unsigned index);

// A part's units, sampled once per vCPU (one unit when nothing varies).
std::vector<Unit> sample_units(const GeneratorSpec& spec, const Part& part, Rng& rng);

// n units from the start of `units`, at depth 1: `repeat` around the whole
// block as often as it fits, then the first n mod B units. No `exit`.
void write_units(TraceText& out, const std::vector<Unit>& units, std::uint64_t n,
                 GeneratorKind kind);

// "io-bound: run exp mean 500us, io exp mean 2ms" — what the vCPU's steps are drawn from.
std::string part_note(const GeneratorSpec& spec, const Part& part);

// vCPU `index`'s program after its `vcpu` line: the part's units for the
// spec's --count or --duration, then `exit` (forever: no exit).
void write_program(TraceText& out, const GeneratorSpec& spec, const Part& part, unsigned index);

// The opening comments of every generated trace: the format line, the
// command, the resolved spec and how the trace was made (`made`).
void write_header(TraceText& out, const GeneratorSpec& spec, const std::vector<Part>& parts,
                  const std::string& made);

}  // namespace vmmsim::workload::generator
