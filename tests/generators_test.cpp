// The trace generators: determinism per seed, outputs that parse, the
// sampled values' statistics, the exact shape of each kind's program, and
// bad options reported against the option that is wrong.
#include "workload/generators.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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
using Options = std::vector<std::pair<std::string, std::string>>;

std::string gen(GeneratorKind kind, const Options& options) {
  return generate_trace(make_generator_spec(kind, options));
}

TraceProgram parse(const std::string& text, Hertz clock = k1GHz) {
  return parse_trace(text, "gen.trace", clock);
}

// The trace without its comments: what a simulation sees.
std::string body(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') out += line.substr(0, line.find("  #")) + "\n";
  return out;
}

// The message of the InputError that making and generating the spec throws ("" if none).
std::string error_of(GeneratorKind kind, const Options& options) {
  try {
    gen(kind, options);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::vector<double> cycles_of(const std::vector<Step>& steps, StepKind kind) {
  std::vector<double> out;
  for (const Step& s : steps)
    if (s.kind == kind) out.push_back(static_cast<double>(s.cycles));
  return out;
}

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// --- determinism ---------------------------------------------------------------

struct KindCase {
  GeneratorKind kind;
  Options options;
  bool samples;  // false: nothing is random, the seed changes only the comment
};

const std::vector<KindCase>& every_kind() {
  using K = GeneratorKind;
  static const std::vector<KindCase> kinds = {
      {K::CpuBound, {{"vcpus", "2"}, {"yield", ""}, {"seed", "1"}}, false},
      {K::CpuBound, {{"dist", "lognormal"}, {"sigma", "0.5"}, {"seed", "1"}}, true},
      {K::IoBound, {{"vcpus", "3"}, {"seed", "1"}}, true},
      {K::IoBound, {{"dist", "lognormal"}, {"count", "450"}, {"seed", "1"}}, true},
      {K::Interactive, {{"duration", "10s"}, {"seed", "1"}}, true},
      {K::Periodic, {{"seed", "1"}}, false},
      {K::Periodic, {{"jitter", "500us"}, {"duration", "1s"}, {"seed", "1"}}, true},
      {K::Mix,
       {{"cpu-bound", "1"},
        {"io-bound", "2"},
        {"interactive", "1"},
        {"periodic", "1"},
        {"yield", ""},
        {"seed", "1"}},
       true},
  };
  return kinds;
}

TEST(Generators, SameSeedSameBytes) {
  for (const KindCase& c : every_kind())
    EXPECT_EQ(gen(c.kind, c.options), gen(c.kind, c.options)) << generator_kind_name(c.kind);
}

TEST(Generators, AnotherSeedAnotherTrace) {
  for (const KindCase& c : every_kind()) {
    Options other = c.options;
    for (auto& [name, value] : other)
      if (name == "seed") value = "2";
    EXPECT_NE(gen(c.kind, c.options), gen(c.kind, other));
    if (c.samples)  // the program differs, not only the seed in the spec comment
      EXPECT_NE(body(gen(c.kind, c.options)), body(gen(c.kind, other)))
          << generator_kind_name(c.kind);
    else
      EXPECT_EQ(body(gen(c.kind, c.options)), body(gen(c.kind, other)))
          << generator_kind_name(c.kind);
  }
}

TEST(Generators, VcpusDrawFromSeparateStreams) {
  auto t = parse(gen(GeneratorKind::IoBound, {{"vcpus", "2"}, {"seed", "5"}}));
  ASSERT_EQ(t.vcpus.size(), 2u);
  EXPECT_NE(cycles_of(t.vcpus[0].steps, StepKind::Run), cycles_of(t.vcpus[1].steps, StepKind::Run));
  // Two kinds made with the same seed are not correlated either.
  auto cpu =
      parse(gen(GeneratorKind::CpuBound, {{"dist", "exp"}, {"mean-run", "1ms"}, {"seed", "5"}}));
  auto io = parse(gen(GeneratorKind::IoBound, {{"mean-run", "1ms"}, {"seed", "5"}}));
  EXPECT_NE(cpu.vcpus[0].steps.at(1).cycles, io.vcpus[0].steps.at(1).cycles);
}

// The numbers themselves are pinned: a change in the generator, the seeding
// or the arithmetic (another platform, another C library) shows up here.
TEST(Generators, RngIsTheReferenceXoshiro256StarStar) {
  Rng rng = Rng::from_state(1, 2, 3, 4);
  EXPECT_EQ(rng.next(), 11520u);
  EXPECT_EQ(rng.next(), 0u);
  EXPECT_EQ(rng.next(), 1509978240u);
  EXPECT_EQ(rng.next(), 1215971899390074240u);
}

TEST(Generators, PinnedSequence) {
  Rng rng(42);
  EXPECT_EQ(rng.next(), 8761990169860180359u);
  EXPECT_EQ(Rng(42, 1).next() == Rng(42, 0).next(), false);
}

TEST(Generators, PinnedTrace) {
  std::string text = gen(GeneratorKind::IoBound, {{"count", "3"}, {"seed", "42"}});
  EXPECT_EQ(
      body(text),
      "vcpu 0\n  run 965.324us\n  io 56.252us\n  run 582.956us\n  io 401.357us\n  run 54.245us\n"
      "  io 2.234949ms\n  exit\n");
}

// --- every output parses ---------------------------------------------------------------

TEST(Generators, EveryKindParsesAtAnyClock) {
  for (const KindCase& c : every_kind()) {
    const GeneratorKind kind = c.kind;
    std::string text = gen(kind, c.options);
    EXPECT_EQ(text.rfind("# vmmsim-trace 1\n", 0), 0u) << generator_kind_name(kind);
    for (Hertz clock : {Hertz{1193182}, k1GHz, Hertz{2400000000}, Hertz{1000000000000}}) {
      TraceProgram t;
      ASSERT_NO_THROW(t = parse(text, clock)) << generator_kind_name(kind) << "\n" << text;
      EXPECT_FALSE(t.vcpus.empty());
    }
  }
}

TEST(Generators, CommentsRecordTheCommandAndTheSpec) {
  GeneratorSpec spec = make_generator_spec(GeneratorKind::IoBound, {{"seed", "7"}});
  spec.command = "vmmsim trace gen io-bound --seed 7 -o io.trace";
  std::string text = generate_trace(spec);
  EXPECT_NE(text.find("\n# command: vmmsim trace gen io-bound --seed 7 -o io.trace\n"),
            std::string::npos);
  EXPECT_NE(text.find("\n# spec: io-bound --vcpus 1 --mean-run 500us --dist exp --mean-block 2ms "
                      "--block 200 --seed 7\n"),
            std::string::npos)
      << text;
}

TEST(Generators, CommandCommentCannotBreakTheTrace) {
  GeneratorSpec spec = make_generator_spec(GeneratorKind::CpuBound, {{"seed", "1"}});
  spec.command = "vmmsim trace gen x\nvcpu 9\n" + std::string(5000, 'a');
  std::string text = generate_trace(spec);
  EXPECT_NE(text.find("x\\x0avcpu 9\\x0a"), std::string::npos);
  auto t = parse(text);
  EXPECT_EQ(t.vcpus.size(), 1u);
}

// The spec comment is a set of options that reproduces the trace.
TEST(Generators, SpecCommentReproducesTheTrace) {
  for (const KindCase& c : every_kind()) {
    const GeneratorKind kind = c.kind;
    std::string text = gen(kind, c.options);
    std::string kind_word;
    const Options again = spec_options(text, &kind_word);
    EXPECT_EQ(body(gen(parse_generator_kind(kind_word), again)), body(text))
        << generator_kind_name(kind);
  }
}

// --- sampled values ----------------------------------------------------------------------

TEST(Generators, IoBoundExponentialMeans) {
  auto t = parse(gen(GeneratorKind::IoBound, {{"mean-run", "500us"},
                                              {"mean-block", "2ms"},
                                              {"count", "2000"},
                                              {"block", "2000"},
                                              {"seed", "3"}}));
  auto steps = unrolled(t.vcpus.at(0));
  auto runs = cycles_of(steps, StepKind::Run), ios = cycles_of(steps, StepKind::Io);
  ASSERT_EQ(runs.size(), 2000u);
  ASSERT_EQ(ios.size(), 2000u);
  EXPECT_NEAR(mean(runs), 500000, 0.05 * 500000);
  EXPECT_NEAR(mean(ios), 2000000, 0.05 * 2000000);
  // Exponential: the median is mean * ln 2.
  EXPECT_NEAR(median(ios), 2000000 * std::log(2.0), 0.08 * 2000000 * std::log(2.0));
}

TEST(Generators, IoBoundLogNormalMedianIsExpMu) {
  const double sigma = 0.8, mean_run = 1000000;  // 1 ms
  auto t = parse(gen(GeneratorKind::IoBound, {{"mean-run", "1ms"},
                                              {"dist", "lognormal"},
                                              {"sigma", "0.8"},
                                              {"count", "2000"},
                                              {"block", "2000"},
                                              {"seed", "11"}}));
  auto runs = cycles_of(unrolled(t.vcpus.at(0)), StepKind::Run);
  ASSERT_EQ(runs.size(), 2000u);
  const double mu = std::log(mean_run) - sigma * sigma / 2;
  EXPECT_NEAR(median(runs), std::exp(mu), 0.06 * std::exp(mu));
  EXPECT_NEAR(mean(runs), mean_run, 0.08 * mean_run);
  // ln(time) has standard deviation sigma.
  std::vector<double> logs;
  for (double r : runs) logs.push_back(std::log(r));
  double m = mean(logs), var = 0;
  for (double l : logs) var += (l - m) * (l - m);
  EXPECT_NEAR(std::sqrt(var / (logs.size() - 1)), sigma, 0.05 * sigma);
}

TEST(Generators, RngDistributionsOverManySamples) {
  Rng rng(2024);
  constexpr int kN = 200000;
  double u_sum = 0, e_sum = 0, z_sum = 0, z2_sum = 0;
  double u_min = 1, u_max = 0;
  for (int i = 0; i < kN; ++i) {
    double u = rng.uniform();
    u_min = std::min(u_min, u), u_max = std::max(u_max, u);
    u_sum += u;
    e_sum += rng.exponential(3.0);
    double z = rng.normal();
    z_sum += z;
    z2_sum += z * z;
  }
  EXPECT_GE(u_min, 0.0);
  EXPECT_LT(u_max, 1.0);
  EXPECT_NEAR(u_sum / kN, 0.5, 0.005);
  EXPECT_NEAR(e_sum / kN, 3.0, 0.03);
  EXPECT_NEAR(z_sum / kN, 0.0, 0.01);
  EXPECT_NEAR(z2_sum / kN, 1.0, 0.01);
  for (int i = 0; i < 1000; ++i) {
    double u = rng.uniform_open();
    EXPECT_GT(u, 0.0);
    EXPECT_LE(u, 1.0);
  }
}

TEST(Generators, PortableLogAndExpMatchTheCLibrary) {
  for (double x : {1e-300, 1e-9, 0.001, 0.3, 0.5, 0.70710678, 0.9999999, 1.0, 1.0000001, 2.0,
                   3.14159, 1e6, 1e12, 1e300}) {
    EXPECT_NEAR(portable_log(x), std::log(x), 1e-15 * std::max(1.0, std::fabs(std::log(x)))) << x;
  }
  EXPECT_EQ(portable_log(1.0), 0.0);
  for (double x : {-700.0, -20.0, -1.0, -1e-9, 0.0, 1e-9, 0.5, 1.0, 10.0, 27.6, 100.0, 700.0})
    EXPECT_NEAR(portable_exp(x) / std::exp(x), 1.0, 1e-15) << x;
}

TEST(Generators, SampledTimesStayWithinTheStepLimits) {
  Rng rng(9);
  for (int i = 0; i < 10000; ++i) {
    Nanoseconds t = sample_time(rng, Distribution::LogNormal, 1000000000000, 4.0);
    EXPECT_GE(t, 1u);
    EXPECT_LE(t, Nanoseconds{1} << 40);
  }
  EXPECT_EQ(sample_time(rng, Distribution::Fixed, 1234, 1.0), 1234u);
}

// --- the shape of each kind --------------------------------------------------------------

TEST(Generators, CpuBoundChunksAndYields) {
  auto text = gen(GeneratorKind::CpuBound, {{"mean-run", "5ms"}, {"yield", ""}, {"seed", "1"}});
  EXPECT_NE(body(text).find("vcpu 0\n  repeat forever\n    run 5ms\n    yield\n  end\n"),
            std::string::npos)
      << text;
  auto counted = body(gen(GeneratorKind::CpuBound, {{"duration", "1s"}, {"seed", "1"}}));
  EXPECT_EQ(counted, "vcpu 0\n  repeat 100\n    run 10ms\n  end\n  exit\n");
}

TEST(Generators, CountRepeatsTheBlockThenTheRest) {
  auto text = body(gen(GeneratorKind::IoBound, {{"count", "450"}, {"seed", "1"}}));
  EXPECT_NE(text.find("  repeat 2\n"), std::string::npos);
  auto t = parse(text);
  auto steps = unrolled(t.vcpus.at(0));
  EXPECT_EQ(cycles_of(steps, StepKind::Run).size(), 450u);
  EXPECT_EQ(cycles_of(steps, StepKind::Io).size(), 450u);
  EXPECT_EQ(steps.back().kind, StepKind::Exit);
  // Bursts 401..450 are bursts 1..50 of the block again.
  EXPECT_EQ(steps[800].cycles, steps[0].cycles);
  EXPECT_EQ(steps[899].cycles, steps[99].cycles);
}

TEST(Generators, DurationGivesJustEnoughDemand) {
  for (const char* horizon : {"7ms", "300ms", "10s"}) {
    auto t = parse(gen(GeneratorKind::IoBound, {{"duration", horizon}, {"seed", "4"}}));
    auto steps = unrolled(t.vcpus.at(0));
    double total = 0, last = 0;
    for (const Step& s : steps)
      if (s.kind == StepKind::Run || s.kind == StepKind::Io) total += static_cast<double>(s.cycles);
    last = static_cast<double>(steps[steps.size() - 2].cycles + steps[steps.size() - 3].cycles);
    double want = static_cast<double>(*parse_duration(horizon, k1GHz, nullptr));
    EXPECT_GE(total, want) << horizon;
    EXPECT_LT(total - last, want) << horizon << ": one burst fewer would do";
  }
}

TEST(Generators, InteractiveReadsRunsEchoes) {
  std::string text = gen(GeneratorKind::Interactive,
                         {{"dist", "fixed"}, {"think", "50ms"}, {"duration", "1s"}, {"seed", "1"}});
  EXPECT_EQ(body(text),
            "vcpu 0\n  repeat 20\n    read 1\n    run 200us\n    console 32\n  end\n  exit\n");
  EXPECT_NE(text.find("[console] input_every = 50ms, input_bytes = 1 and focus = this VM, "
                      "input_count = 20"),
            std::string::npos)
      << text;
  auto t = parse(gen(GeneratorKind::Interactive, {{"echo", "0"}, {"seed", "1"}}));
  for (const Step& s : t.vcpus[0].steps) EXPECT_NE(s.kind, StepKind::Console);
}

TEST(Generators, PeriodicHasTheExactEveryLine) {
  EXPECT_EQ(body(gen(GeneratorKind::Periodic, {{"seed", "1"}})), "vcpu 0\n  every 10ms run 2ms\n");
  EXPECT_EQ(body(gen(GeneratorKind::Periodic,
                     {{"period", "5ms"}, {"work", "1.5ms"}, {"count", "500"}, {"seed", "1"}})),
            "vcpu 0\n  every 5ms run 1.5ms count 500\n  exit\n");
  EXPECT_EQ(body(gen(GeneratorKind::Periodic, {{"duration", "1s"}, {"seed", "1"}})),
            "vcpu 0\n  every 10ms run 2ms count 100\n  exit\n");
  auto t = parse(gen(GeneratorKind::Periodic, {{"vcpus", "2"}, {"seed", "1"}}));
  ASSERT_EQ(t.vcpus.size(), 2u);
  EXPECT_EQ(t.vcpus[1].steps.at(0).kind, StepKind::Periodic);
  EXPECT_EQ(t.vcpus[1].steps.at(0).period, 10000000u);
  EXPECT_EQ(t.vcpus[1].steps.at(0).cycles, 2000000u);
  EXPECT_EQ(t.vcpus[1].steps.at(0).count, kRepeatForever);
}

TEST(Generators, PeriodicJitterSamplesEachJob) {
  auto t = parse(gen(
      GeneratorKind::Periodic,
      {{"work", "2ms"}, {"jitter", "500us"}, {"count", "2000"}, {"block", "2000"}, {"seed", "8"}}));
  auto steps = unrolled(t.vcpus.at(0));
  std::vector<double> work;
  for (const Step& s : steps) {
    if (s.kind != StepKind::Periodic) continue;
    EXPECT_EQ(s.period, 10000000u);
    EXPECT_EQ(s.count, 1u);
    EXPECT_GE(s.cycles, 1500000u);
    EXPECT_LE(s.cycles, 2500000u);
    work.push_back(static_cast<double>(s.cycles));
  }
  ASSERT_EQ(work.size(), 2000u);
  EXPECT_NEAR(mean(work), 2000000, 20000);
  EXPECT_LT(*std::min_element(work.begin(), work.end()), 1550000);
  EXPECT_GT(*std::max_element(work.begin(), work.end()), 2450000);
}

TEST(Generators, MixHasTheRequestedVcpus) {
  auto t = parse(gen(GeneratorKind::Mix, {{"cpu-bound", "2"},
                                          {"io-bound", "3"},
                                          {"interactive", "1"},
                                          {"periodic", "2"},
                                          {"seed", "1"}}));
  ASSERT_EQ(t.vcpus.size(), 8u);
  auto has = [&](unsigned v, StepKind kind) {
    for (const Step& s : t.vcpus[v].steps)
      if (s.kind == kind) return true;
    return false;
  };
  for (unsigned v : {0u, 1u}) EXPECT_TRUE(has(v, StepKind::Run) && !has(v, StepKind::Io)) << v;
  for (unsigned v : {2u, 3u, 4u}) EXPECT_TRUE(has(v, StepKind::Io)) << v;
  EXPECT_TRUE(has(5, StepKind::Read));
  for (unsigned v : {6u, 7u}) EXPECT_TRUE(has(v, StepKind::Periodic)) << v;
  // Each part keeps its own kind's defaults.
  EXPECT_EQ(t.vcpus[0].steps.at(1).cycles, 10000000u);  // cpu-bound: run 10ms
}

TEST(Generators, FormatNanoseconds) {
  EXPECT_EQ(format_nanoseconds(0), "0ns");
  EXPECT_EQ(format_nanoseconds(999), "999ns");
  EXPECT_EQ(format_nanoseconds(2000), "2us");
  EXPECT_EQ(format_nanoseconds(45678), "45.678us");
  EXPECT_EQ(format_nanoseconds(1500000), "1.5ms");
  EXPECT_EQ(format_nanoseconds(1234567), "1.234567ms");
  EXPECT_EQ(format_nanoseconds(3000000000), "3s");
  EXPECT_EQ(format_nanoseconds(1000000001), "1.000000001s");
  for (Nanoseconds ns : {Nanoseconds{1}, Nanoseconds{1001}, Nanoseconds{123456789012}})
    EXPECT_EQ(*parse_duration(format_nanoseconds(ns), k1GHz, nullptr), ns);
}

// --- bad options ---------------------------------------------------------------------------

TEST(Generators, BadOptionsNameTheOption) {
  using K = GeneratorKind;
  struct Case {
    K kind;
    Options options;
    const char* message;
  };
  const Case cases[] = {
      {K::IoBound, {}, "missing --seed; expected --seed N"},
      {K::IoBound, {{"seed", "x"}}, "--seed x: expected a whole number"},
      {K::IoBound,
       {{"sigma", "-1"}, {"dist", "lognormal"}, {"seed", "1"}},
       "--sigma -1: expected a number above 0 and at most 4"},
      {K::IoBound,
       {{"sigma", "0.5"}, {"seed", "1"}},
       "--sigma 0.5: applies only with --dist lognormal"},
      {K::IoBound,
       {{"dist", "normal"}, {"seed", "1"}},
       "--dist normal: expected fixed, exp or lognormal"},
      {K::IoBound,
       {{"mean-run", "500"}, {"seed", "1"}},
       "--mean-run 500: expected a duration with a unit (ns, us, ms or s)"},
      {K::IoBound, {{"mean-block", "0ms"}, {"seed", "1"}}, "--mean-block 0ms: expected a duration"},
      {K::IoBound,
       {{"vcpus", "0"}, {"seed", "1"}},
       "--vcpus 0: expected a whole number from 1 to 4096"},
      {K::IoBound,
       {{"count", "5"}, {"duration", "1s"}, {"seed", "1"}},
       "--count and --duration together"},
      {K::IoBound, {{"block", "0"}, {"seed", "1"}}, "--block 0: expected a whole number from 1"},
      {K::CpuBound,
       {{"period", "5ms"}, {"seed", "1"}},
       "--period does not apply to cpu-bound; expected one of --vcpus"},
      {K::Periodic, {{"work", "12ms"}, {"seed", "1"}}, "--work 12ms: longer than --period 10ms"},
      {K::Periodic,
       {{"jitter", "2ms"}, {"seed", "1"}},
       "--jitter 2ms: expected less than --work 2ms"},
      {K::Interactive,
       {{"echo", "2MiB"}, {"seed", "1"}},
       "--echo 2MiB: expected a size from 0 to 1MiB"},
      {K::Mix, {{"seed", "1"}}, "mix of 0 vCPUs; expected --cpu-bound"},
      {K::Mix, {{"vcpus", "2"}, {"seed", "1"}}, "--vcpus does not apply to mix"},
      {K::Mix,
       {{"io-bound", "1"}, {"period", "5ms"}, {"seed", "1"}},
       "--period applies to periodic vCPUs and this mix has none; expected --periodic N"},
      {K::IoBound,
       {{"vcpus", "4096"}, {"block", "100000"}, {"seed", "1"}},
       "the trace would have more than 1000000 steps"},
      {K::IoBound,
       {{"duration", "1000000s"},
        {"dist", "fixed"},
        {"mean-run", "1ns"},
        {"mean-block", "1ns"},
        {"seed", "1"}},
       "--duration 1000000s: needs 500000000000000 repeats"},
      {K::Periodic,
       {{"duration", "100000s"}, {"period", "1us"}, {"work", "1ns"}, {"seed", "1"}},
       "--duration 100000s: needs 100000000000 jobs"},
      {K::IoBound, {{"bogus", "1"}, {"seed", "1"}}, "--bogus: unknown option"},
  };
  for (const Case& c : cases) {
    std::string message = error_of(c.kind, c.options);
    EXPECT_NE(message.find(c.message), std::string::npos)
        << "got '" << message << "', expected '" << c.message << "'";
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  try {
    parse_generator_kind("cpu");
    ADD_FAILURE() << "no error for kind 'cpu'";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "unknown kind 'cpu'; expected cpu-bound, io-bound, interactive, periodic, mix or phases");
  }
}

}  // namespace
}  // namespace vmmsim::workload
