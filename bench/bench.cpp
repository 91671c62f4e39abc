// vmmsim_bench: the speed benchmark (DESIGN.md §10, docs/performance.md).
//
//   vmmsim_bench baseline [--activations N] [--chunks K]
//       The bar: the bare SystemC kernel. One SC_METHOD, sensitive to its own
//       event, re-notifies that event one cycle (1 ns) ahead: every activation
//       is one timed notification, one evaluate phase and one time advance,
//       at the same 1 ps kernel resolution as vmmsim. Prints one JSON line
//       with the host nanoseconds per activation (median of K chunks).
//       Host time is this process's CPU time (wall time is given too).
//
//   vmmsim_bench case CONFIG [--until D] [--set SECTION.KEY=VALUE]...
//                     [--each-vm KEY=VALUE]... [--swap SPEC]... [--vcd FILE]
//                     [--min-cpu S] [--warmup D]
//       Runs one simulation in this process (SystemC elaborates once per
//       process) and prints one JSON line: host seconds (elaboration; the
//       run in CPU and wall time), after an optional --warmup D of simulated
//       time that is not measured,
//       simulated cycles, scheduling requests (the sum of Results.requests),
//       scheduling decisions (calls of the active scheduler's pick_next),
//       heap bytes in use (mallinfo2) before elaboration, after it, after
//       the warm-up and after the run, peak RSS and the vCPU count. --each-vm sets vm.NAME.KEY for every
//       guest VM (e.g. arinc653's `window`). With --min-cpu S the run stops
//       at the first chunk boundary after S seconds of CPU time (or at
//       --until, whichever comes first): every case lasts about as long on
//       the host, whatever its speed. Without it, the run is exactly --until.
//
//   vmmsim_bench policy CONFIG [--until D] [--warmup D] [--repeat N]
//                       [--set SECTION.KEY=VALUE]... [--each-vm KEY=VALUE]...
//       The policy's own cost per decision: the calls a run of the case
//       makes into the built-in scheduler, replayed alone (bench/policy_replay.h).
//
//   vmmsim_bench summarize RUNS.jsonl [--line LABEL] [--targets] [--out FILE]
//       The figures from the collected lines (bench/summarize.cpp).
//
// bench/run.sh runs the baseline and every case, each in its own process.
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <systemc>

#include "app/simulation.h"
#include "base/input_error.h"
#include "base/output_plan.h"
#include "bench/case_config.h"
#include "bench/figures.h"
#include "bench/policy_replay.h"
#include "config/config_parser.h"
#include "models/platform.h"
#include "sim/cycle_clock.h"

namespace vmmsim::bench {
int summarize(const std::vector<std::string>& args);  // bench/summarize.cpp
}

using namespace vmmsim;
using bench::CaseOptions;
using bench::cpu_seconds;
using bench::system_cpu_seconds;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kBadInput = 2;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Peak resident set size of this process so far, KiB (Linux: ru_maxrss is KiB).
long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// Current resident set size, KiB.
long current_rss_kib() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Bytes the program holds from malloc/new right now: the arenas' allocated
// chunks plus the blocks mmap()ed for large requests. Exact at the call,
// unlike RSS, which counts pages (touched or not freed back) when the
// kernel gets to it.
std::uint64_t heap_bytes() {
  const struct mallinfo2 m = mallinfo2();
  return static_cast<std::uint64_t>(m.uordblks) + static_cast<std::uint64_t>(m.hblkhd);
}

// Scheduling requests the VMM has taken so far, all kinds.
std::uint64_t requests_so_far(models::Platform& platform) {
  std::uint64_t n = 0;
  for (std::size_t k = 0; k < vmm::kRequestKinds; ++k) n += platform.vmm().requests(static_cast<vmm::RequestKind>(k));
  return n;
}

std::uint64_t decisions_so_far(models::Platform& platform) { return platform.vmm().decisions(); }

// ---------------------------------------------------------------- baseline

// The minimal self-re-triggering module.
SC_MODULE(Spinner) {
  sc_core::sc_event again;
  std::uint64_t activations = 0;
  sc_core::sc_time delay;

  SC_CTOR(Spinner) : delay(1, sc_core::SC_NS) {
    SC_METHOD(activate);
    sensitive << again;
  }

  void activate() {
    ++activations;
    again.notify(delay);
  }
};

int baseline(const std::vector<std::string>& args) {
  std::uint64_t total = 10'000'000;
  unsigned chunks = 5;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--activations" && i + 1 < args.size()) total = std::stoull(args[++i]);
    else if (args[i] == "--chunks" && i + 1 < args.size()) chunks = static_cast<unsigned>(std::stoul(args[++i]));
    else throw InputError("baseline: unknown option " + args[i] + "; expected --activations N, --chunks K");
  }
  if (chunks == 0 || total < chunks) throw InputError("baseline: need --activations >= --chunks >= 1");
  CycleClock::set_kernel_resolution();  // the same 1 ps resolution as vmmsim
  long rss_before = current_rss_kib();
  Spinner spinner("spinner");
  // Elaborate and run the initialisation phase (the method's first activation).
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  const std::uint64_t per_chunk = total / chunks;
  std::vector<double> ns_per_activation, wall_ns_per_activation;
  double host_s = 0, wall_s = 0;
  std::uint64_t measured = 0;
  for (unsigned c = 0; c < chunks; ++c) {
    std::uint64_t before = spinner.activations;
    auto t0 = Clock::now();
    double c0 = cpu_seconds();
    // Activation k happens at k ns: a chunk of per_chunk ns is per_chunk activations.
    sc_core::sc_start(sc_core::sc_time(static_cast<double>(per_chunk), sc_core::SC_NS));
    double s = cpu_seconds() - c0;
    double w = seconds_since(t0);
    std::uint64_t n = spinner.activations - before;
    host_s += s;
    wall_s += w;
    measured += n;
    ns_per_activation.push_back(s * 1e9 / static_cast<double>(n));
    wall_ns_per_activation.push_back(w * 1e9 / static_cast<double>(n));
  }
  std::vector<double> sorted = ns_per_activation;
  std::sort(sorted.begin(), sorted.end());
  double median = sorted[sorted.size() / 2];
  std::sort(wall_ns_per_activation.begin(), wall_ns_per_activation.end());
  double wall_median = wall_ns_per_activation[wall_ns_per_activation.size() / 2];
  std::string chunk_list;
  for (double v : ns_per_activation) chunk_list += (chunk_list.empty() ? "" : ", ") + fmt::format("{:.2f}", v);
  std::cout << fmt::format(
      "{{\"kind\": \"baseline\", \"activations\": {}, \"host_cpu_s\": {:.6f}, \"host_wall_s\": {:.6f}, "
      "\"ns_per_activation\": {:.3f}, \"ns_per_activation_min\": {:.3f}, \"ns_per_activation_mean\": {:.3f}, "
      "\"wall_ns_per_activation\": {:.3f}, \"chunks_cpu_ns\": [{}], \"activations_per_s\": {:.6g}, "
      "\"peak_rss_kib\": {}, \"rss_before_kib\": {}}}\n",
      measured, host_s, wall_s, median, sorted.front(), host_s * 1e9 / static_cast<double>(measured),
      wall_median, chunk_list, static_cast<double>(measured) / host_s, peak_rss_kib(), rss_before);
  return 0;
}

// ---------------------------------------------------------------- one case

int run_case(const std::vector<std::string>& args) {
  CaseOptions opts;
  opts.command = "case";
  std::string vcd;
  std::string warmup_text;
  double min_cpu_s = 0;
  std::vector<std::string> swaps;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw InputError("case: " + a + " needs a value");
      return args[++i];
    };
    if (a == "--vcd") vcd = value();
    else if (a == "--swap") swaps.push_back(value());
    else if (a == "--min-cpu") min_cpu_s = std::stod(value());
    else if (a == "--warmup") warmup_text = value();
    else if (!bench::parse_case_option(args, &i, &opts)) throw InputError("case: unknown option " + a);
  }
  if (opts.config_path.empty())
    throw InputError("usage: vmmsim_bench case CONFIG [--until D] [--set K=V]... [--each-vm K=V]... [--swap S]... [--vcd FILE] [--min-cpu S] [--warmup D]");

  const long rss_start = current_rss_kib();
  auto t_parse = Clock::now();
  config::Config cfg = bench::load_case_config(opts);
  for (const std::string& spec : swaps) {
    std::string why;
    auto swap = config::parse_swap(spec, cfg.platform.clock, ".", &why);
    if (!swap) throw InputError("--" + why);
    cfg.swaps.push_back(*swap);
  }
  Cycles warmup = 0;
  if (!warmup_text.empty()) {
    std::string why;
    auto cycles = parse_duration(warmup_text, cfg.platform.clock, &why);
    if (!cycles) throw InputError("--warmup " + warmup_text + ": " + why);
    warmup = *cycles;
  }
  const double parse_s = seconds_since(t_parse);

  CycleClock::set_kernel_resolution();
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  const long rss_before = current_rss_kib();
  const std::uint64_t heap_before = heap_bytes();
  auto t_elab = Clock::now();
  OutputPlan outputs;  // declared first: it outlives the platform's VCD writer
  models::Platform platform("platform", cfg);
  if (!vcd.empty()) {
    OutputFile& file = outputs.add(vcd, "--vcd");
    outputs.open();
    platform.trace_vcd(file);
  }
  const double elab_s = seconds_since(t_elab);
  const std::uint64_t heap_elab = heap_bytes();

  // Warm-up: simulated time run before the measurement starts (the first
  // waits of every vCPU grow its histograms, the policies' queues fill).
  std::uint64_t warm_requests = 0, warm_decisions = 0;
  Cycles warm_cycles = 0;
  double warm_cpu_s = 0, warm_wall_s = 0;
  if (warmup > 0) {
    auto t = Clock::now();
    const double c = cpu_seconds();
    platform.events().advance(warmup);
    warm_cpu_s = cpu_seconds() - c;
    warm_wall_s = seconds_since(t);
    warm_requests = requests_so_far(platform);
    warm_decisions = decisions_so_far(platform);
    warm_cycles = platform.clock().now();
  }
  const std::uint64_t heap_warm = heap_bytes();

  auto t_run = Clock::now();
  const double c_run = cpu_seconds();
  const double system_run = system_cpu_seconds();
  std::uint64_t chunks = 0;
  struct Segment {
    double cpu_s;
    std::uint64_t requests, decisions;
    Cycles cycles;
  };
  std::vector<Segment> segments;  // every chunk of >= 20 ms CPU time
  if (min_cpu_s <= 0) {
    platform.run(cfg.until);
  } else {
    // Run in chunks until this process has spent min_cpu_s of CPU time in the
    // run, or the simulated time reaches `until`; a chunk doubles while it
    // takes under 20 ms, so the checks cost nothing measurable.
    Cycles done = 0, chunk = std::max<Cycles>(cfg.until / 10000, 1);
    while (done < cfg.until && cpu_seconds() - c_run < min_cpu_s) {
      Cycles step = std::min(chunk, cfg.until - done);
      const double c0 = cpu_seconds();
      const std::uint64_t r0 = requests_so_far(platform), d0 = decisions_so_far(platform);
      platform.events().advance(step);
      const double spent = cpu_seconds() - c0;
      const std::uint64_t served = requests_so_far(platform) - r0, decided = decisions_so_far(platform) - d0;
      done += step;
      ++chunks;
      if (spent < 0.02) chunk *= 2;
      // Segments of at least 20 ms: their spread shows the timing noise.
      else if (served > 0) segments.push_back({spent, served, decided, step});
      if (sc_core::sc_end_of_simulation_invoked() || platform.clock().now() < warm_cycles + done) break;  // sc_stop
    }
    // What Platform::run does after its sc_start (no timeline here).
    for (unsigned c = 0; c < cfg.platform.cpus; ++c) platform.processor(c).settle();
  }
  const double run_cpu_s = cpu_seconds() - c_run;
  const double run_system_s = system_cpu_seconds() - system_run;
  const double run_s = seconds_since(t_run);
  const std::uint64_t run_requests = requests_so_far(platform) - warm_requests;
  const std::uint64_t run_decisions = decisions_so_far(platform) - warm_decisions;
  const std::uint64_t heap_run = heap_bytes();
  const Cycles run_cycles = platform.clock().now() - warm_cycles;

  const long peak_rss_run = peak_rss_kib();  // before results() copies the histograms
  auto t_finish = Clock::now();
  platform.finish_trace();
  report::Results results = platform.results();
  const double finish_s = seconds_since(t_finish);
  outputs.commit();  // the VCD's fsync and rename: a cost of the file system, not of vmmsim

  std::uint64_t total_requests = 0;
  std::string by_kind;
  for (const auto& [kind, n] : results.requests) {
    total_requests += n;
    if (n) by_kind += (by_kind.empty() ? "" : ", ") + fmt::format("{}: {}", json_quoted(kind), n);
  }
  std::uint64_t vcd_bytes = 0;
  if (!vcd.empty()) {
    std::ifstream f(vcd, std::ios::binary | std::ios::ate);
    if (f) vcd_bytes = static_cast<std::uint64_t>(f.tellg());
  }
  std::uint64_t dispatches = 0;
  for (const report::VcpuResult& v : results.vcpus) dispatches += v.dispatches;
  const double hz = static_cast<double>(results.clock);
  // Per segment: [CPU s, requests, simulated cycles, decisions]; the median
  // segment is the figure least disturbed by other processes on a shared host.
  std::string segment_list;
  std::vector<double> per_request, per_cycle, per_decision;
  for (const Segment& g : segments) {
    segment_list += fmt::format("{}[{:.6f}, {}, {}, {}]", segment_list.empty() ? "" : ", ", g.cpu_s, g.requests,
                                g.cycles, g.decisions);
    per_request.push_back(g.cpu_s * 1e9 / static_cast<double>(g.requests));
    per_cycle.push_back(g.cpu_s * 1e9 / static_cast<double>(g.cycles));
    if (g.decisions > 0) per_decision.push_back(g.cpu_s * 1e9 / static_cast<double>(g.decisions));
  }
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  const double seg_ns_per_request = median(per_request), seg_ns_per_cycle = median(per_cycle),
               seg_ns_per_decision = median(per_decision);
  const double seg_min = per_request.empty() ? 0 : *std::min_element(per_request.begin(), per_request.end());
  std::string loadavg;
  std::getline(std::ifstream("/proc/loadavg"), loadavg);
  // Simulated cost of the replacements (the staged / unstaged medium-swap
  // cases side by side): mean downtime of the loads, and how many were staged.
  std::uint64_t loads = 0, staged = 0;
  Cycles load_downtime = 0;
  for (const report::ReplacementResult& r : results.replacements)
    if (r.kind == "load" && r.ok && r.sequence) ++loads, load_downtime += r.downtime, staged += r.staged ? 1 : 0;
  // The measured window is the run after the warm-up: sim_cycles, requests
  // and host_run_* cover it; total_* and warmup_* cover the rest.
  std::cout << fmt::format(
      "{{\"kind\": \"case\", \"config\": {}, \"scheduler\": {}, \"vcd\": {}, \"cpus\": {}, \"vcpus\": {}, "
      "\"clock_hz\": {}, \"sim_cycles\": {}, \"sim_s\": {:.6f}, \"requests\": {}, \"decisions\": {}, "
      "\"host_run_cpu_s\": {:.6f}, \"host_run_system_s\": {:.6f}, \"host_run_wall_s\": {:.6f}, \"run_chunks\": {}, "
      "\"median_ns_per_request\": {:.3f}, \"median_ns_per_decision\": {:.3f}, \"median_ns_per_cycle\": {:.6g}, "
      "\"min_ns_per_request\": {:.3f}, "
      "\"segments\": [{}], \"loadavg\": {}, "
      "\"warmup_sim_s\": {:.6f}, \"warmup_requests\": {}, \"warmup_decisions\": {}, \"warmup_cpu_s\": {:.6f}, "
      "\"warmup_wall_s\": {:.6f}, \"total_sim_s\": {:.6f}, \"total_requests\": {}, \"total_decisions\": {}, "
      "\"dispatches\": {}, \"replacements\": {}, \"loads\": {}, \"staged_loads\": {}, \"mean_load_downtime_cycles\": {}, "
      "\"requests_by_kind\": {{{}}}, \"host_parse_s\": {:.6f}, \"host_elab_s\": {:.6f}, \"host_finish_s\": {:.6f}, "
      "\"rss_start_kib\": {}, \"rss_before_elab_kib\": {}, \"peak_rss_run_kib\": {}, \"peak_rss_kib\": {}, "
      "\"heap_before_elab\": {}, \"heap_after_elab\": {}, \"heap_after_warmup\": {}, \"heap_after_run\": {}, "
      "\"vcd_bytes\": {}}}\n",
      json_quoted(cfg.file), json_quoted(results.scheduler), vcd.empty() ? "false" : "true", results.cpus,
      results.vcpus.size(), results.clock, run_cycles, static_cast<double>(run_cycles) / hz, run_requests,
      run_decisions, run_cpu_s, run_system_s, run_s, chunks, seg_ns_per_request, seg_ns_per_decision, seg_ns_per_cycle, seg_min,
      segment_list, json_quoted(loadavg), static_cast<double>(warm_cycles) / hz, warm_requests, warm_decisions,
      warm_cpu_s, warm_wall_s, static_cast<double>(results.elapsed) / hz, total_requests, decisions_so_far(platform),
      dispatches, results.replacements.size(), loads, staged, loads ? load_downtime / loads : 0, by_kind, parse_s, elab_s, finish_s, rss_start, rss_before, peak_rss_run,
      peak_rss_kib(), heap_before, heap_elab, heap_warm, heap_run, vcd_bytes);
  return 0;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || (args[0] != "baseline" && args[0] != "case" && args[0] != "policy" && args[0] != "summarize")) {
      std::cerr << "usage: vmmsim_bench baseline [--activations N] [--chunks K]\n"
                   "       vmmsim_bench case CONFIG [--until D] [--set SECTION.KEY=VALUE]... "
                   "[--each-vm KEY=VALUE]... [--swap SPEC]... [--vcd FILE] [--min-cpu S] [--warmup D]\n"
                   "       vmmsim_bench policy CONFIG [--until D] [--warmup D] [--repeat N] "
                   "[--set SECTION.KEY=VALUE]... [--each-vm KEY=VALUE]...\n"
                   "       vmmsim_bench summarize RUNS.jsonl [--line LABEL] [--targets] [--out FILE] "
                   "[--machine KEY=VALUE]...\n";
      return kBadInput;
    }
    std::string command = args[0];
    args.erase(args.begin());
    if (command == "summarize") return bench::summarize(args);
    if (command == "policy") return bench::policy_replay(args);
    return command == "baseline" ? baseline(args) : run_case(args);
  } catch (const InputError& e) {
    std::cerr << "vmmsim_bench: " << e.what() << "\n";
    return kBadInput;
  }
}

// libsystemc provides main(); this one only silences its banner first.
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
