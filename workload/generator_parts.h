// What the two halves of `vmmsim trace gen` share: the trace format's limits,
// the kinds as bits, and a spec's parts (vCPUs of one kind with that kind's
// resolved defaults). generator_options.cpp reads and checks a spec,
// generators.cpp writes its trace.
#pragma once

#include <cstddef>
#include <cstdint>
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

inline unsigned vcpus_of(const std::vector<Part>& parts, GeneratorKind kind) {
  unsigned n = 0;
  for (const Part& p : parts)
    if (p.kind == kind) n += p.vcpus;
  return n;
}

}  // namespace vmmsim::workload::generator
