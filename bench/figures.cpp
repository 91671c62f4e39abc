// The figures of the benchmark from its raw JSON lines (bench/figures.h).
#include "bench/figures.h"

#include <algorithm>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "base/input_error.h"

namespace vmmsim::bench {

using report::JsonValue;

std::string sci(double x) {
  std::string s = fmt::format("{:.2e}", x);
  auto e = s.find('e');
  if (e == std::string::npos) return s;
  std::string mant = s.substr(0, e), ex = s.substr(e + 1);
  bool neg = !ex.empty() && ex[0] == '-';
  if (!ex.empty() && (ex[0] == '+' || ex[0] == '-')) ex = ex.substr(1);
  while (ex.size() > 1 && ex[0] == '0') ex = ex.substr(1);
  return mant + "e" + (neg ? "-" : "") + ex;
}

std::string num(double x) { return std::isfinite(x) ? fmt::format("{:.6g}", x) : "null"; }

std::vector<Run> read_runs(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read");
  std::vector<Run> runs;
  std::string line;
  unsigned n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    Run run;
    try {
      run.record = JsonValue::parse(line, fmt::format("{}:{}", path, n));
    } catch (const std::exception& e) {
      throw InputError(e.what());
    }
    run.label = run.record["label"].string();
    run.size = run.record["size"].string();
    run.failed = run.record["failed"].boolean();
    runs.push_back(std::move(run));
  }
  return runs;
}

const Run* find(const std::vector<Run>& runs, const std::string& label) {
  const Run* found = nullptr;
  for (const Run& r : runs)
    if (r.label == label) found = &r;  // the last one
  return found;
}

double bare_ns(const std::vector<Run>& runs) {
  std::vector<double> v;
  for (const Run& r : runs)
    if (r.label == "baseline") v.push_back(r.r()["ns_per_activation"].number());
  if (v.empty()) return NAN;
  return *std::min_element(v.begin(), v.end());
}

Figures figures_of(const Run& run, double bare) {
  const JsonValue& r = run.r();
  Figures f;
  f.label = run.label;
  f.size = run.size;
  f.scheduler = r["scheduler"].string();
  f.vcd = r["vcd"].boolean();
  f.cpus = static_cast<unsigned>(r["cpus"].integer());
  f.vcpus = r["vcpus"].integer();
  f.requests = r["requests"].integer();
  f.decisions = r["decisions"].integer();
  f.sim_cycles = r["sim_cycles"].integer();
  f.vcd_bytes = r["vcd_bytes"].integer();
  f.sim_s = r["sim_s"].number();
  f.cpu_s = r["host_run_cpu_s"].number();
  f.wall_s = r["host_run_wall_s"].number();
  if (!r["host_run_system_s"].is_null()) f.system_s = r["host_run_system_s"].number();
  f.elab_s = r["host_elab_s"].number();
  f.finish_s = r["host_finish_s"].number();
  // The figures are the median segment's (bench.cpp: chunks of >= 20 ms of
  // CPU time), which other processes on a shared host disturb least; the
  // whole window's mean is kept beside them.
  f.mean_ns_per_request = f.cpu_s * 1e9 / static_cast<double>(f.requests);
  f.min_ns_per_request = r["min_ns_per_request"].number();
  const double median_req = r["median_ns_per_request"].number(), median_cycle = r["median_ns_per_cycle"].number();
  f.segments = r["segments"].size();
  f.ns_per_request = median_req > 0 ? median_req : f.mean_ns_per_request;
  f.cycles_per_s = median_cycle > 0 ? 1e9 / median_cycle : static_cast<double>(f.sim_cycles) / f.cpu_s;
  f.requests_per_s = 1e9 / f.ns_per_request;
  f.ratio = f.ns_per_request / bare;
  if (f.decisions > 0) {
    f.mean_ns_per_decision = f.cpu_s * 1e9 / static_cast<double>(f.decisions);
    const double median_dec = r["median_ns_per_decision"].number();
    f.ns_per_decision = median_dec > 0 ? median_dec : f.mean_ns_per_decision;
    f.decision_ratio = f.ns_per_decision / bare;
    f.decisions_per_request = static_cast<double>(f.decisions) / static_cast<double>(f.requests);
  }
  f.x_real_time = f.cycles_per_s / r["clock_hz"].number();
  f.x_real_time_mean = f.sim_s / f.cpu_s;
  f.load = r["loadavg"].string();
  f.x_real_time_wall = f.sim_s / f.wall_s;
  f.peak_rss_mib = r["peak_rss_kib"].number() / 1024.0;
  f.peak_rss_run_mib = r["peak_rss_run_kib"].number() / 1024.0;
  // What the model holds once running: heap bytes in use after the warm-up
  // minus before elaboration (mallinfo2, exact at the two calls; RSS is
  // neither: pages are counted when touched and kept when freed).
  if (!r["heap_after_warmup"].is_null()) {
    const double heap = r["heap_after_warmup"].number() - r["heap_before_elab"].number();
    f.heap_mib = heap / 1048576.0;
    f.bytes_per_vcpu = heap / static_cast<double>(f.vcpus ? f.vcpus : 1);
  }
  f.replacements = r["replacements"].integer();
  f.loads = r["loads"].integer();
  f.staged_loads = r["staged_loads"].integer();
  f.load_downtime_us = r["mean_load_downtime_cycles"].number() * 1e6 / r["clock_hz"].number();
  f.warmup_sim_s = r["warmup_sim_s"].number();
  if (r["warmup_requests"].integer() > 0) {
    f.warmup_ns_per_request = r["warmup_cpu_s"].number() * 1e9 / r["warmup_requests"].number();
    f.warmup_x_real_time = f.warmup_sim_s / r["warmup_cpu_s"].number();
  }
  return f;
}

// Of the runs with one label (bench/run.sh --repeat), the one with the lowest
// host ns per request, with the spread of all. Other processes on the host
// only ever slow a run down, so the best run is the least disturbed one, and
// the most repeatable.
std::vector<Figures> all_figures(const std::vector<Run>& runs) {
  const double bare = bare_ns(runs);
  std::vector<std::string> order;
  std::map<std::string, std::vector<Figures>> by_label;
  for (const Run& run : runs) {
    if (run.failed || run.label == "baseline" || run.label == "callgrind" || run.label == "policy") continue;
    if (!by_label.count(run.label)) order.push_back(run.label);
    by_label[run.label].push_back(figures_of(run, bare));
  }
  std::vector<Figures> out;
  std::map<std::string, double> plain;  // label -> ns/req of the runs without --vcd
  for (const std::string& label : order) {
    std::vector<Figures>& all = by_label[label];
    std::sort(all.begin(), all.end(),
              [](const Figures& a, const Figures& b) { return a.ns_per_request < b.ns_per_request; });
    Figures f = all.front();
    f.repeats = all.size();
    f.ns_lo = all.front().ns_per_request;
    f.ns_hi = all.back().ns_per_request;
    out.push_back(f);
    if (!f.vcd) plain[label] = f.ns_per_request;
  }
  for (Figures& f : out) {
    if (!f.vcd) continue;
    std::string base = f.label.substr(0, f.label.rfind("+vcd"));
    auto it = plain.find(base);
    if (it != plain.end()) f.vcd_cost = f.ns_per_request / it->second;
  }
  return out;
}

namespace {

Callgrind callgrind_from(const JsonValue& j) {
  Callgrind g;
  g.case_label = j["case"].string();
  g.ir_short = j["short"]["ir"].integer();
  g.ir_long = j["long"]["ir"].integer();
  g.req_short = j["short"]["run"]["requests"].integer();
  g.req_long = j["long"]["run"]["requests"].integer();
  g.dec_short = j["short"]["run"]["decisions"].integer();
  g.dec_long = j["long"]["run"]["decisions"].integer();
  g.sim_short = j["short"]["run"]["sim_s"].number();
  g.sim_long = j["long"]["run"]["sim_s"].number();
  const double extra_ir = static_cast<double>(g.ir_long) - static_cast<double>(g.ir_short);
  g.ir_per_request = extra_ir / (static_cast<double>(g.req_long) - static_cast<double>(g.req_short));
  if (g.dec_long > g.dec_short) g.ir_per_decision = extra_ir / static_cast<double>(g.dec_long - g.dec_short);
  double a_short = j["baseline_short"]["activations"].number(), a_long = j["baseline_long"]["activations"].number();
  g.ir_per_activation = (j["baseline_long"]["ir"].number() - j["baseline_short"]["ir"].number()) / (a_long - a_short);
  g.ratio = g.ir_per_request / g.ir_per_activation;
  g.decision_ratio = g.ir_per_decision / g.ir_per_activation;
  if (!j["short"]["policy_ir"].is_null() && !j["long"]["policy_ir"].is_null()) {
    const double outside = extra_ir - (j["long"]["policy_ir"].number() - j["short"]["policy_ir"].number());
    if (g.dec_long > g.dec_short) {
      g.ir_outside_per_decision = outside / static_cast<double>(g.dec_long - g.dec_short);
      g.outside_decision_ratio = g.ir_outside_per_decision / g.ir_per_activation;
    }
    if (g.req_long > g.req_short) {
      g.ir_outside_per_request = outside / static_cast<double>(g.req_long - g.req_short);
      g.outside_request_ratio = g.ir_outside_per_request / g.ir_per_activation;
    }
  }
  return g;
}

}  // namespace

std::vector<Callgrind> callgrinds(const std::vector<Run>& runs) {
  std::vector<Callgrind> out;
  for (const Run& r : runs) {
    if (r.label != "callgrind") continue;
    Callgrind g = callgrind_from(r.record);
    auto same = std::find_if(out.begin(), out.end(), [&](const Callgrind& o) { return o.case_label == g.case_label; });
    if (same != out.end()) *same = g;
    else out.push_back(g);
  }
  return out;
}

std::vector<PolicyAlone> policies_alone(const std::vector<Run>& runs) {
  std::vector<PolicyAlone> out;
  for (const Run& r : runs) {
    if (r.label != "policy" || r.failed) continue;
    PolicyAlone p{r.record["case"].string(), r.r()["policy_ns_per_decision"].number(),
                  static_cast<std::uint64_t>(r.r()["decisions"].integer())};
    auto same = std::find_if(out.begin(), out.end(), [&](const PolicyAlone& o) { return o.case_label == p.case_label; });
    if (same == out.end()) out.push_back(p);
    else if (p.ns_per_decision < same->ns_per_decision) *same = p;
  }
  return out;
}

}  // namespace vmmsim::bench
