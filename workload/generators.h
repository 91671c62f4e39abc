// Synthetic workload traces (docs/generators.md): each kind of guest written
// as a vmmsim trace (docs/trace-format.md). The output depends only on the
// spec: the same seed gives the same bytes on every platform, because the
// random numbers and the distributions are computed here, with + - * / and
// sqrt only, never with std::*_distribution or libm's log/exp.
// Plain C++: no SystemC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/units.h"
#include "workload/random.h"

namespace vmmsim::workload {

enum class GeneratorKind { CpuBound, IoBound, Interactive, Periodic, Mix, Phases };

// One phase of a `phases` workload (docs/generators.md "phases"): what runs
// for `length` before the next phase starts.
enum class PhaseKind { Batch, Interactive, Periodic };
struct Phase {
  PhaseKind kind = PhaseKind::Batch;
  Nanoseconds length = 0;
  bool operator==(const Phase& o) const { return kind == o.kind && length == o.length; }
};

// What to generate. Every field is one option of `vmmsim trace gen`; unset
// optionals take the kind's default (docs/generators.md), and in a mix each
// part takes its own kind's default.
struct GeneratorSpec {
  GeneratorKind kind = GeneratorKind::IoBound;
  unsigned vcpus = 1;  // --vcpus, every kind but mix and phases
  // --cpu-bound/--io-bound/--interactive/--periodic: a mix's vCPUs of each
  // kind, numbered in this order.
  unsigned mix_cpu_bound = 0, mix_io_bound = 0, mix_interactive = 0, mix_periodic = 0;
  // At most one of the two; neither = the program runs forever.
  std::optional<Nanoseconds> duration;  // --duration: demand horizon per vCPU
  std::optional<std::uint64_t> count;   // --count: bursts, keystrokes or jobs per vCPU
  std::optional<Distribution> dist;     // --dist: fixed for cpu-bound, exp otherwise
  double sigma = 1.0;                   // --sigma: of ln(time), log-normal only
  std::optional<Nanoseconds>
      mean_run;  // --mean-run: 10ms cpu-bound, 500us io-bound, 200us interactive
  Nanoseconds mean_block = 2000000;  // --mean-block: io-bound I/O time
  Nanoseconds period = 10000000;     // --period: periodic
  Nanoseconds work = 2000000;        // --work: periodic job's CPU time
  Nanoseconds jitter = 0;            // --jitter: job work uniform in work ± jitter
  Nanoseconds think = 100000000;     // --think: interactive keystroke period
  Bytes echo = 32;                   // --echo: interactive reply per keystroke
  bool yield = false;                // --yield: cpu-bound yields after each chunk
  std::size_t block = 200;           // --block: units sampled once, then repeated
  std::uint64_t seed = 0;            // --seed
  // phases only (docs/generators.md "phases"):
  std::vector<Phase> phases;            // --phases: in order, from time 0
  unsigned repeat = 1;                  // --repeat: the list this many times
  unsigned cpus = 2;                    // --cpus: the pCPUs the CPU-bound load is sized for
  std::optional<unsigned> batch_vcpus;  // --batch-vcpus: per batch phase; default 2 x cpus
  std::optional<unsigned> background;   // --background: per other phase; default cpus
  unsigned rt_vcpus = 1;                // --rt-vcpus: per periodic phase
  unsigned load = 80;                   // --load: % of the pCPUs' time the CPU-bound vCPUs ask for
  std::string command;                  // the command line, recorded in a comment
};

// "cpu-bound", "io-bound", "interactive", "periodic", "mix", "phases".
const char* generator_kind_name(GeneratorKind kind);
// Throws InputError naming the word and the kinds allowed.
GeneratorKind parse_generator_kind(std::string_view word);
// "batch", "interactive", "periodic".
const char* phase_kind_name(PhaseKind kind);

// One option of `vmmsim trace gen`, for the CLI's parser and help.
struct GeneratorOptionInfo {
  const char* name;        // without "--"
  const char* value_name;  // "" for a flag
  const char* help;
  unsigned kinds;  // bit (1 << GeneratorKind) for each kind that takes it
};
const std::vector<GeneratorOptionInfo>& generator_options();
bool option_applies(const GeneratorOptionInfo& option, GeneratorKind kind);

// Builds a spec from option words as given on the command line: (name
// without "--", value; "" for a flag). Throws InputError naming the option
// and what is allowed: a bad value, an option the kind does not take, a
// missing --seed, conflicting options.
GeneratorSpec make_generator_spec(GeneratorKind kind,
                                  const std::vector<std::pair<std::string, std::string>>& options);

// Throws InputError, naming the option, for values out of range or in
// conflict (both run by generate_trace).
void validate_generator_spec(const GeneratorSpec& spec);

// The trace: "# vmmsim-trace 1", comments with the command and the resolved
// spec, then one program per vCPU. It always parses (parse_trace) at any
// clock up to 1 THz. Throws InputError when the spec is invalid or the trace
// would exceed the format's limits (1,000,000 steps, 10^9 repeats).
// `phases` writes a trace per VM: workload/phase_generator.h, not this.
std::string generate_trace(const GeneratorSpec& spec);

// 1500000 -> "1.5ms", 2000 -> "2us", 999 -> "999ns", 3000000000 -> "3s":
// exact, in the largest unit whose integer part is not 0.
std::string format_nanoseconds(Nanoseconds ns);

}  // namespace vmmsim::workload
