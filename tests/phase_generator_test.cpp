// `vmmsim trace gen phases`: the same spec gives the same bytes, and every
// phase is where it was asked: its CPU-bound vCPUs arrive at its start with
// their share of the load, its periodic jobs have the asked period and fill
// it, and the shell's reads end only on keystrokes typed inside its
// interactive phases.
#include "workload/phase_generator.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/input_error.h"
#include "tests/generated_trace.h"
#include "workload/trace_parser.h"

namespace vmmsim::workload {
namespace {

constexpr Hertz k1GHz = 1000000000;
constexpr Nanoseconds kMs = 1000000, kS = 1000000000;
using Options = std::vector<std::pair<std::string, std::string>>;

PhaseWorkload gen(const Options& options) {
  return generate_phases(make_generator_spec(GeneratorKind::Phases, options));
}

const PhaseVm* vm_named(const PhaseWorkload& w, const std::string& name) {
  for (const PhaseVm& vm : w.vms)
    if (vm.name == name) return &vm;
  return nullptr;
}

TraceProgram parse_vm(const PhaseWorkload& w, const std::string& name, Hertz clock = k1GHz) {
  const PhaseVm* vm = vm_named(w, name);
  EXPECT_NE(vm, nullptr) << name;
  return vm ? parse_trace(vm->trace, name + ".trace", clock) : TraceProgram{};
}

const Options kThree = {{"phases", "batch:2s,interactive:1s,periodic:500ms"},
                        {"repeat", "3"},
                        {"dist", "exp"},
                        {"jitter", "500us"},
                        {"seed", "5"}};

TEST(PhaseGenerator, SameSeedSameBytesAnotherSeedOtherSamples) {
  const PhaseWorkload a = gen(kThree), b = gen(kThree);
  ASSERT_EQ(a.vms.size(), 3u);
  ASSERT_EQ(b.vms.size(), 3u);
  for (std::size_t i = 0; i < a.vms.size(); ++i) {
    EXPECT_EQ(a.vms[i].name, b.vms[i].name);
    EXPECT_EQ(a.vms[i].trace, b.vms[i].trace) << a.vms[i].name;
  }
  Options other = kThree;
  other.back().second = "6";
  const PhaseWorkload c = gen(other);
  for (std::size_t i = 0; i < a.vms.size(); ++i)
    EXPECT_NE(a.vms[i].trace, c.vms[i].trace) << a.vms[i].name << ": the samples follow the seed";
  EXPECT_EQ(a.input_start, c.input_start) << "the phases do not move with the seed";
  EXPECT_EQ(a.span, c.span);
}

TEST(PhaseGenerator, PhasesFollowEachOtherInOrderRepeated) {
  const PhaseWorkload w = gen(kThree);
  ASSERT_EQ(w.windows.size(), 9u);
  const PhaseKind kinds[] = {PhaseKind::Batch, PhaseKind::Interactive, PhaseKind::Periodic};
  const Nanoseconds lengths[] = {2 * kS, 1 * kS, 500 * kMs};
  Nanoseconds at = 0;
  for (std::size_t i = 0; i < w.windows.size(); ++i) {
    EXPECT_EQ(w.windows[i].kind, kinds[i % 3]) << i;
    EXPECT_EQ(w.windows[i].start, at) << i;
    EXPECT_EQ(w.windows[i].end, at + lengths[i % 3]) << i;
    at = w.windows[i].end;
  }
  EXPECT_EQ(w.span, 3 * 3500 * kMs);
}

// Batch phases bring --batch-vcpus (twice --cpus), the others --background
// (--cpus) CPU-bound vCPUs, each asking for an equal share of --load of the
// phase's pCPU time, arriving at its start.
TEST(PhaseGenerator, CpuBoundVcpusArriveAtTheirPhaseWithTheirShareOfTheLoad) {
  const PhaseWorkload w = gen({{"phases", "batch:2s,interactive:1s"},
                               {"repeat", "2"},
                               {"cpus", "3"},
                               {"load", "60"},
                               {"mean-run", "7ms"},
                               {"seed", "1"}});
  const TraceProgram batch = parse_vm(w, "batch");
  ASSERT_EQ(batch.vcpus.size(), 2u * (6 + 3));
  for (const PhaseWindow& win : w.windows) {
    const unsigned want = win.kind == PhaseKind::Batch ? 6 : 3;
    ASSERT_EQ(win.batch_count, want);
    // 60 % of the phase's 3 pCPUs, shared equally, in whole 7ms chunks (at least the share).
    const Nanoseconds share = (win.end - win.start) * 3 * 60 / 100 / want;
    for (unsigned v = win.batch_first; v < win.batch_first + want; ++v) {
      const VcpuProgram& p = batch.vcpus[v];
      EXPECT_EQ(p.arrival, win.start) << "vCPU " << v;
      Cycles work = 0;
      for (const Step& s : unrolled(p)) {
        ASSERT_TRUE(s.kind == StepKind::Run || s.kind == StepKind::Exit) << "vCPU " << v;
        if (s.kind == StepKind::Run) {
          EXPECT_EQ(s.cycles, 7 * kMs);
        }
        work += s.cycles;
      }
      EXPECT_GE(work, share) << "vCPU " << v;
      EXPECT_LT(work, share + 7 * kMs) << "vCPU " << v << ": just enough chunks";
      EXPECT_EQ(p.steps.back().kind, StepKind::Exit);
    }
  }
}

TEST(PhaseGenerator, PeriodicJobsHaveTheAskedPeriodAndFillTheirPhase) {
  const PhaseWorkload w = gen({{"phases", "periodic:95ms,batch:1s,periodic:40ms"},
                               {"rt-vcpus", "2"},
                               {"period", "10ms"},
                               {"work", "3ms"},
                               {"jitter", "1ms"},
                               {"seed", "2"}});
  const TraceProgram rt = parse_vm(w, "rt");
  ASSERT_EQ(rt.vcpus.size(), 4u);
  std::size_t vcpu = 0;
  for (const PhaseWindow& win : w.windows) {
    if (win.kind != PhaseKind::Periodic) {
      EXPECT_EQ(win.rt_count, 0u);
      continue;
    }
    ASSERT_EQ(win.rt_count, 2u);
    for (unsigned i = 0; i < 2; ++i, ++vcpu) {
      const VcpuProgram& p = rt.vcpus[vcpu];
      EXPECT_EQ(p.arrival, win.start);
      std::uint64_t jobs = 0;
      for (const Step& s : unrolled(p)) {
        if (s.kind == StepKind::Exit) continue;
        ASSERT_EQ(s.kind, StepKind::Periodic);
        EXPECT_EQ(s.period, 10 * kMs);
        EXPECT_GE(s.cycles, 2 * kMs);
        EXPECT_LE(s.cycles, 4 * kMs);
        jobs += s.count;
      }
      EXPECT_EQ(jobs, (win.end - win.start) / (10 * kMs)) << "the whole periods of the phase";
    }
  }
}

// The console types a keystroke every --think from half a think into the
// first interactive phase to the end of the last; the shell reads one per
// keystroke inside its phases and takes those typed between them in the
// read that waits for its next phase's first. So every read it blocks in
// ends on a keystroke typed inside an interactive phase, and none is left.
TEST(PhaseGenerator, TheShellReadsOnlyKeystrokesTypedInsideItsPhases) {
  const PhaseWorkload w =
      gen({{"phases", "interactive:230ms,batch:1s,interactive:300ms,periodic:75ms"},
           {"repeat", "2"},
           {"think", "20ms"},
           {"seed", "3"}});
  EXPECT_EQ(w.input_every, 20 * kMs);
  EXPECT_EQ(w.input_start, 10 * kMs);
  const TraceProgram shell = parse_vm(w, "shell");
  ASSERT_EQ(shell.vcpus.size(), 1u);
  EXPECT_EQ(shell.vcpus[0].arrival, 0u) << "the first interactive phase starts at 0";
  std::vector<const PhaseWindow*> interactive;
  std::uint64_t in_phases = 0;
  for (const PhaseWindow& win : w.windows) {
    if (win.kind != PhaseKind::Interactive) continue;
    interactive.push_back(&win);
    in_phases += win.keystroke_count;
    ASSERT_GT(win.keystroke_count, 0u);
  }
  ASSERT_EQ(interactive.size(), 4u);
  std::uint64_t consumed = 0, reads = 0;
  for (const Step& s : unrolled(shell.vcpus[0])) {
    if (s.kind != StepKind::Read) continue;
    ++reads;
    consumed += s.bytes;  // one byte a keystroke
    const Nanoseconds typed = w.input_start + (consumed - 1) * w.input_every;
    bool inside = false;
    for (const PhaseWindow* win : interactive) inside |= typed >= win->start && typed < win->end;
    EXPECT_TRUE(inside) << "read " << reads << " ends on keystroke " << consumed - 1 << " typed at "
                        << typed << " ns";
  }
  EXPECT_EQ(reads, in_phases) << "a read per keystroke typed inside the phases";
  EXPECT_EQ(consumed, w.input_count) << "every keystroke typed is read";
  // The keystrokes of each phase are exactly those typed inside it.
  for (const PhaseWindow* win : interactive) {
    const Nanoseconds first = w.input_start + win->keystroke_first * w.input_every;
    const Nanoseconds last = first + (win->keystroke_count - 1) * w.input_every;
    EXPECT_GE(first, win->start);
    EXPECT_LT(first, win->start + w.input_every) << "the phase's first keystroke";
    EXPECT_LT(last, win->end);
    EXPECT_GE(last + w.input_every, win->end) << "the phase's last keystroke";
  }
}

TEST(PhaseGenerator, OnlyTheVmsThePhasesNeed) {
  const PhaseWorkload periodic =
      gen({{"phases", "periodic:1s"}, {"background", "0"}, {"seed", "1"}});
  ASSERT_EQ(periodic.vms.size(), 1u);
  EXPECT_EQ(periodic.vms[0].name, "rt");
  EXPECT_EQ(periodic.input_count, 0u) << "no shell, no keystrokes";
  const PhaseWorkload batch = gen({{"phases", "batch:1s"}, {"seed", "1"}});
  ASSERT_EQ(batch.vms.size(), 1u);
  EXPECT_EQ(batch.vms[0].name, "batch");
  EXPECT_EQ(batch.vms[0].vcpus, 4u) << "twice the 2 pCPUs by default";
}

TEST(PhaseGenerator, EveryTraceParsesAtAnyClock) {
  const PhaseWorkload w = gen({{"phases", "batch:400s,interactive:299s,periodic:300s"},
                               {"dist", "lognormal"},
                               {"sigma", "2"},
                               {"think", "1s"},
                               {"seed", "9"}});
  for (Hertz clock : {Hertz{1193182}, Hertz{2400000000}, Hertz{1000000000000}})
    for (const PhaseVm& vm : w.vms)
      EXPECT_NO_THROW(parse_trace(vm.trace, vm.name, clock)) << vm.name;
}

// --controller's service VM: one vCPU that sleeps forever (so that its only
// work is the controller's), with the same spec comment as the VMs' traces.
TEST(PhaseGenerator, ServiceTraceSleepsForeverAndKeepsTheSpec) {
  const GeneratorSpec spec = make_generator_spec(GeneratorKind::Phases, kThree);
  const std::string text = phases_service_trace(spec);
  EXPECT_EQ(text, phases_service_trace(spec)) << "the same spec gives the same bytes";
  const TraceProgram p = parse_trace(text, "service.trace", k1GHz);
  ASSERT_EQ(p.vcpus.size(), 1u);
  const std::vector<Step>& steps = p.vcpus[0].steps;
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].kind, StepKind::LoopBegin);
  EXPECT_EQ(steps[0].count, kRepeatForever);
  EXPECT_EQ(steps[1].kind, StepKind::Sleep);
  EXPECT_EQ(steps[1].cycles, 1000 * kS) << "the run ends before its first wake";
  EXPECT_EQ(steps[2].kind, StepKind::LoopEnd);
  EXPECT_EQ(p.vcpus[0].arrival, 0u);
  std::string kind_word;
  EXPECT_EQ(spec_options(text, &kind_word), spec_options(gen(kThree).vms[0].trace, &kind_word));
}

// The spec comment is a set of options that gives the same traces again.
TEST(PhaseGenerator, SpecCommentReproducesTheTraces) {
  const PhaseWorkload w = gen(kThree);
  std::string kind_word;
  const Options again = spec_options(w.vms[0].trace, &kind_word);
  EXPECT_EQ(kind_word, "phases");
  const PhaseWorkload same = gen(again);
  ASSERT_EQ(same.vms.size(), w.vms.size());
  for (std::size_t i = 0; i < w.vms.size(); ++i) EXPECT_EQ(same.vms[i].trace, w.vms[i].trace);
}

std::string error_of(const Options& options) {
  try {
    gen(options);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(PhaseGenerator, BadOptionsNameTheOption) {
  EXPECT_EQ(error_of({{"seed", "1"}}),
            "missing --phases; expected --phases KIND:DURATION,... with KIND batch, interactive or "
            "periodic (e.g. batch:2s,interactive:2s,periodic:2s)");
  EXPECT_EQ(error_of({{"phases", "batch:2s,idle:1s"}, {"seed", "1"}}),
            "--phases batch:2s,idle:1s: expected KIND:DURATION items separated by commas, KIND "
            "batch, interactive or periodic, DURATION with a unit (ns, us, ms or s) from 1ns to "
            "1000s, at most 64 items");
  EXPECT_EQ(error_of({{"phases", "interactive:50ms"}, {"seed", "1"}}),
            "--phases: interactive:50ms is shorter than --think 100ms; expected interactive phases "
            "at least --think long (one keystroke each)");
  EXPECT_EQ(error_of({{"phases", "periodic:5ms"}, {"seed", "1"}}),
            "--phases: periodic:5ms is shorter than --period 10ms; expected periodic phases at "
            "least --period long (one job each)");
  EXPECT_EQ(error_of({{"phases", "batch:1s"}, {"period", "5ms"}, {"seed", "1"}}),
            "--period applies to periodic vCPUs and these phases have none; expected a phase of "
            "kind periodic, or no --period");
  EXPECT_EQ(
      error_of({{"phases", "batch:1s"}, {"duration", "1s"}, {"seed", "1"}})
          .rfind("--duration does not apply to phases; expected one of --phases, --repeat", 0),
      0u);
  EXPECT_EQ(error_of({{"phases", "batch:600s"}, {"repeat", "2"}, {"seed", "1"}}),
            "--phases and --repeat 2: 2 x 600s; expected at most 1000s in all");
  EXPECT_EQ(error_of({{"phases", "batch:100ms"}, {"repeat", "1025"}, {"seed", "1"}}),
            "VM batch would have 4100 vCPUs (4 per batch phase, 2 per other phase); expected at "
            "most 4096 (lower --repeat, --batch-vcpus or --background)");
  EXPECT_EQ(error_of({{"phases", "batch:1s"}, {"load", "0"}, {"seed", "1"}}),
            "--load 0: expected a whole number from 1 to 100");
  EXPECT_EQ(error_of({{"phases", "interactive:1s,batch:1000s,interactive:1s"},
                      {"think", "1ms"},
                      {"seed", "1"}}),
            "--phases and --repeat 1: 1 x 1002s; expected at most 1000s in all");
  EXPECT_EQ(error_of({{"phases", "interactive:1ms,batch:999s,interactive:1ms"},
                      {"think", "500ns"},
                      {"seed", "1"}}),
            "--think 500ns: 1998000000 keystrokes are typed between phase 1 (interactive, "
            "0ns..1ms) and phase 3 (interactive, 999.001s..999.002s); expected at most 1048575 (a "
            "longer --think, or shorter phases between the interactive ones)");
}

}  // namespace
}  // namespace vmmsim::workload
