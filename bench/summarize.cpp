// vmmsim_bench summarize: turns the JSON lines bench/run.sh collected (one per
// process: the baseline, each case, callgrind) into the figures, one line per
// case, the target checks and bench/results.json. Plain C++, no SystemC.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/input_error.h"
#include "report/json_value.h"

namespace vmmsim::bench {
namespace {

using report::JsonValue;

struct Run {
  std::string label, size;
  bool failed = false;
  JsonValue record;  // the whole line
  const JsonValue& r() const { return record["result"]; }
};

// Figures of one case, derived from its raw measurements.
struct Figures {
  std::string label, size, scheduler;
  bool vcd = false;
  unsigned cpus = 0;
  std::uint64_t vcpus = 0, requests = 0, sim_cycles = 0, vcd_bytes = 0;
  double sim_s = 0, cpu_s = 0, wall_s = 0, elab_s = 0, finish_s = 0;
  double cycles_per_s = 0, requests_per_s = 0, ns_per_request = 0, ratio = 0, x_real_time = 0,
         x_real_time_wall = 0, x_real_time_mean = 0, mean_ns_per_request = 0, min_ns_per_request = 0;
  std::size_t segments = 0, repeats = 1;
  double ns_lo = 0, ns_hi = 0;  // over the repeats
  std::string load;
  double peak_rss_mib = 0, peak_rss_run_mib = 0, bytes_per_vcpu = 0;
  double warmup_sim_s = 0, warmup_ns_per_request = NAN, warmup_x_real_time = NAN;
  std::uint64_t replacements = 0;
  std::optional<double> vcd_cost;  // ns/req with --vcd / without
};

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// 1.23e9 (no "+", no leading zero in the exponent).
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
      run.record = JsonValue::parse(line);
    } catch (const std::exception& e) {
      throw InputError(fmt::format("{}:{}: {}", path, n, e.what()));
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

// The bare activation: the best of the baseline runs (one per repeat), as
// for the cases.
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
  f.sim_cycles = r["sim_cycles"].integer();
  f.vcd_bytes = r["vcd_bytes"].integer();
  f.sim_s = r["sim_s"].number();
  f.cpu_s = r["host_run_cpu_s"].number();
  f.wall_s = r["host_run_wall_s"].number();
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
  f.x_real_time = f.cycles_per_s / r["clock_hz"].number();
  f.x_real_time_mean = f.sim_s / f.cpu_s;
  f.load = r["loadavg"].string();
  f.x_real_time_wall = f.sim_s / f.wall_s;
  f.peak_rss_mib = r["peak_rss_kib"].number() / 1024.0;
  f.peak_rss_run_mib = r["peak_rss_run_kib"].number() / 1024.0;
  f.bytes_per_vcpu = (r["peak_rss_kib"].number() - r["rss_before_elab_kib"].number()) * 1024.0 /
                     static_cast<double>(f.vcpus ? f.vcpus : 1);
  f.replacements = r["replacements"].integer();
  f.warmup_sim_s = r["warmup_sim_s"].number();
  if (r["warmup_requests"].integer() > 0) {
    f.warmup_ns_per_request = r["warmup_cpu_s"].number() * 1e9 / r["warmup_requests"].number();
    f.warmup_x_real_time = f.warmup_sim_s / r["warmup_cpu_s"].number();
  }
  return f;
}

// One Figures per label: of the runs with that label (bench/run.sh --repeat),
// the one with the lowest host ns per request, with the spread of all. Other
// processes on the host only ever slow a run down, so the best run is the
// least disturbed one, and the most repeatable.
std::vector<Figures> all_figures(const std::vector<Run>& runs) {
  const double bare = bare_ns(runs);
  std::vector<std::string> order;
  std::map<std::string, std::vector<Figures>> by_label;
  for (const Run& run : runs) {
    if (run.failed || run.label == "baseline" || run.label == "callgrind") continue;
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

std::string case_line(const Figures& f) {
  std::string s = fmt::format(
      "{}: {} sim cycles/s, {} req/s, {:.0f} ns/req = {:.1f}x bare, {:.1f}x real time, RSS {:.1f} MiB ({:.0f} "
      "B/vCPU); {} s simulated in {:.2f} s CPU ({:.2f} s wall), mean {:.0f} / best {:.0f} ns/req over {} segments",
      f.label, sci(f.cycles_per_s), sci(f.requests_per_s), f.ns_per_request, f.ratio, f.x_real_time,
      f.peak_rss_mib, f.bytes_per_vcpu, fmt::format("{:.4g}", f.sim_s), f.cpu_s, f.wall_s, f.mean_ns_per_request,
      f.min_ns_per_request, f.segments);
  if (f.repeats > 1)
    s += fmt::format("; best of {} runs ({:.0f}..{:.0f} ns/req)", f.repeats, f.ns_lo, f.ns_hi);
  if (std::isfinite(f.warmup_ns_per_request))
    s += fmt::format("; first {:.3g} s (warm-up, not in the figures): {:.0f} ns/req, {:.1f}x real time", f.warmup_sim_s,
                     f.warmup_ns_per_request, f.warmup_x_real_time);
  if (f.replacements) s += fmt::format("; {} replacements", f.replacements);
  if (f.vcd) {
    s += fmt::format(", VCD {:.1f} MiB", static_cast<double>(f.vcd_bytes) / 1048576.0);
    if (f.vcd_cost) s += fmt::format(", {:.2f}x the run without", *f.vcd_cost);
  }
  return s;
}

struct Callgrind {
  std::string case_label;
  double ir_per_request = 0, ir_per_activation = 0, ratio = 0;
  std::uint64_t ir_short = 0, ir_long = 0, req_short = 0, req_long = 0;
  double sim_short = 0, sim_long = 0;
};

Callgrind callgrind_from(const JsonValue& j) {
  Callgrind g;
  g.case_label = j["case"].string();
  g.ir_short = j["short"]["ir"].integer();
  g.ir_long = j["long"]["ir"].integer();
  g.req_short = j["short"]["run"]["requests"].integer();
  g.req_long = j["long"]["run"]["requests"].integer();
  g.sim_short = j["short"]["run"]["sim_s"].number();
  g.sim_long = j["long"]["run"]["sim_s"].number();
  g.ir_per_request = (static_cast<double>(g.ir_long) - static_cast<double>(g.ir_short)) /
                     (static_cast<double>(g.req_long) - static_cast<double>(g.req_short));
  double a_short = j["baseline_short"]["activations"].number(), a_long = j["baseline_long"]["activations"].number();
  g.ir_per_activation = (j["baseline_long"]["ir"].number() - j["baseline_short"]["ir"].number()) / (a_long - a_short);
  g.ratio = g.ir_per_request / g.ir_per_activation;
  return g;
}

// Every callgrind record, the last one per case.
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

struct Check {
  std::string name, detail;
  double value = 0, limit = 0;
  bool met = false;
};

std::vector<Check> checks(const std::vector<Figures>& figs, const std::vector<Run>& runs) {
  std::map<std::string, const Figures*> by_label;
  std::vector<std::string> schedulers;
  for (const Figures& f : figs) {
    by_label[f.label] = &f;
    if (!f.vcd && f.size == "medium" && f.label.find('/') != std::string::npos)
      schedulers.push_back(f.label.substr(f.label.find('/') + 1));
  }
  auto get = [&](const std::string& label) -> const Figures* {
    auto it = by_label.find(label);
    return it == by_label.end() ? nullptr : it->second;
  };
  std::vector<Check> out;
  // Each check: the worst case over the schedulers, with every value listed.
  auto worst = [&](Check c, bool higher_is_worse, auto value_of, const std::vector<std::string>& labels) {
    bool any = false;
    std::string worst_label;
    for (const std::string& label : labels) {
      std::optional<double> v = value_of(label);
      if (!v) continue;
      c.detail += fmt::format("{}{} {:.3g}", c.detail.empty() ? "" : ", ", label, *v);
      if (!any || (higher_is_worse ? *v > c.value : *v < c.value)) {
        c.value = *v;
        worst_label = label;
      }
      any = true;
    }
    if (!any) return;
    c.met = higher_is_worse ? c.value <= c.limit : c.value >= c.limit;
    c.detail = "worst " + worst_label + "; " + c.detail;
    out.push_back(c);
  };
  std::vector<std::string> medium, large, huge, vcd;
  for (const std::string& s : schedulers) {
    medium.push_back("medium/" + s);
    large.push_back("large/" + s);
    huge.push_back("huge/" + s);
  }
  for (const Figures& f : figs)
    if (f.vcd) vcd.push_back(f.label);
  worst({"medium: host ns per request / bare SC_METHOD activation", "", 0, 3}, true,
        [&](const std::string& l) -> std::optional<double> {
          if (auto f = get(l)) return f->ratio;
          return std::nullopt;
        },
        medium);
  worst({"per-request cost huge / medium", "", 0, 1.5}, true,
        [&](const std::string& l) -> std::optional<double> {
          auto m = get(l), h = get("huge" + l.substr(l.find('/')));
          if (m && h) return h->ns_per_request / m->ns_per_request;
          return std::nullopt;
        },
        medium);
  worst({"large: simulated time / host CPU time (faster than real time)", "", 0, 1}, false,
        [&](const std::string& l) -> std::optional<double> {
          if (auto f = get(l)) return f->x_real_time;
          return std::nullopt;
        },
        large);
  worst({"--vcd: ns per request with / without", "", 0, 1.5}, true,
        [&](const std::string& l) -> std::optional<double> {
          if (auto f = get(l); f && f->vcd_cost) return *f->vcd_cost;
          return std::nullopt;
        },
        vcd);
  worst({"huge: peak RSS (MiB)", "", 0, 256}, true,
        [&](const std::string& l) -> std::optional<double> {
          if (auto f = get(l)) return f->peak_rss_mib;
          return std::nullopt;
        },
        huge);
  // The same ratio in instructions (callgrind), free of timing noise.
  for (const Callgrind& g : callgrinds(runs))
    if (g.case_label.rfind("medium/", 0) == 0) {
      Check c{g.case_label + ": instructions per request / per bare activation (callgrind)", "", g.ratio, 3};
      c.met = c.value <= c.limit;
      c.detail = fmt::format("{:.0f} / {:.0f} instructions", g.ir_per_request, g.ir_per_activation);
      out.push_back(c);
    }
  return out;
}

void write_results(const std::string& path, const std::vector<Run>& runs, const std::vector<Figures>& figs,
                   const std::vector<std::pair<std::string, std::string>>& machine) {
  std::ostringstream o;
  o << "{\n  \"format\": \"vmmsim-bench 1\",\n  \"host_time\": \"process CPU time (user + system); per case the "
       "median of >= 20 ms segments of the measured window (after a 1 s simulated warm-up; the window's mean and "
       "best segment beside it), of the best of the repeated runs (the spread beside it); wall time alongside\",\n  \"machine\": {";
  for (std::size_t i = 0; i < machine.size(); ++i)
    o << (i ? ", " : "") << json_string(machine[i].first) << ": " << json_string(machine[i].second);
  o << "},\n";
  if (const Run* b = find(runs, "baseline")) {
    const JsonValue& r = b->r();
    std::string each;
    for (const Run& x : runs)
      if (x.label == "baseline") each += (each.empty() ? "" : ", ") + num(x.r()["ns_per_activation"].number());
    o << fmt::format(
        "  \"baseline\": {{\"what\": \"one SC_METHOD re-notifying its own event 1 ns ahead (1 ps resolution); the "
        "best of one run per repeat, each the median of its chunks\", \"activations_per_run\": {}, "
        "\"ns_per_activation\": {}, \"activations_per_s\": {}, \"runs_ns_per_activation\": [{}]}},\n",
        r["activations"].integer(), num(bare_ns(runs)), num(1e9 / bare_ns(runs)), each);
  }
  o << "  \"cases\": [";
  bool first = true;
  for (const Figures& f : figs) {
    o << (first ? "\n" : ",\n");
    first = false;
    o << fmt::format(
        "    {{\"label\": {}, \"size\": {}, \"scheduler\": {}, \"vcd\": {}, \"cpus\": {}, \"vcpus\": {}, "
        "\"sim_s\": {}, \"sim_cycles\": {}, \"requests\": {}, \"host_run_cpu_s\": {}, \"host_run_wall_s\": {}, "
        "\"host_elab_s\": {}, \"host_finish_s\": {}, \"sim_cycles_per_host_s\": {}, \"requests_per_host_s\": {}, "
        "\"host_ns_per_request\": {}, \"ratio_to_bare_activation\": {}, \"x_real_time\": {}, "
        "\"mean_host_ns_per_request\": {}, \"min_host_ns_per_request\": {}, \"segments\": {}, "
        "\"repeats\": {}, \"host_ns_per_request_lo\": {}, \"host_ns_per_request_hi\": {}, "
        "\"x_real_time_mean\": {}, \"x_real_time_wall\": {}, \"loadavg\": {}, \"peak_rss_mib\": {}, \"peak_rss_run_mib\": {}, \"bytes_per_vcpu\": {}, "
        "\"warmup_sim_s\": {}, \"warmup_ns_per_request\": {}, \"warmup_x_real_time\": {}, \"replacements\": {}, "
        "\"vcd_bytes\": {}, \"vcd_cost\": {}}}",
        json_string(f.label), json_string(f.size), json_string(f.scheduler), f.vcd ? "true" : "false", f.cpus,
        f.vcpus, num(f.sim_s), f.sim_cycles, f.requests, num(f.cpu_s), num(f.wall_s), num(f.elab_s),
        num(f.finish_s), num(f.cycles_per_s), num(f.requests_per_s), num(f.ns_per_request), num(f.ratio),
        num(f.x_real_time), num(f.mean_ns_per_request), num(f.min_ns_per_request), f.segments, f.repeats,
        num(f.ns_lo), num(f.ns_hi),
        num(f.x_real_time_mean), num(f.x_real_time_wall), json_string(f.load), num(f.peak_rss_mib), num(f.peak_rss_run_mib),
        num(f.bytes_per_vcpu), num(f.warmup_sim_s), num(f.warmup_ns_per_request), num(f.warmup_x_real_time),
        f.replacements, f.vcd_bytes, f.vcd_cost ? num(*f.vcd_cost) : "null");
  }
  o << "\n  ],\n  \"failed\": [";
  first = true;
  for (const Run& r : runs)
    if (r.failed) {
      o << (first ? "" : ", ") << json_string(r.label);
      first = false;
    }
  o << "],\n";
  {
    std::vector<Callgrind> gs = callgrinds(runs);
    if (!gs.empty()) o << "  \"callgrind\": [";
    for (std::size_t i = 0; i < gs.size(); ++i) {
      const Callgrind* g = &gs[i];
      o << (i ? ",\n    " : "\n    ")
        << fmt::format(
               "{{\"case\": {}, \"ir_short\": {}, \"sim_s_short\": {}, \"requests_short\": {}, "
               "\"ir_long\": {}, \"sim_s_long\": {}, \"requests_long\": {}, \"ir_per_request\": {}, "
               "\"baseline_ir_per_activation\": {}, \"ratio\": {}}}",
               json_string(g->case_label), g->ir_short, num(g->sim_short), g->req_short, g->ir_long,
               num(g->sim_long), g->req_long, num(g->ir_per_request), num(g->ir_per_activation), num(g->ratio));
    }
    if (!gs.empty()) o << "\n  ],\n";
  }
  o << "  \"targets\": [";
  first = true;
  for (const Check& c : checks(figs, runs)) {
    o << (first ? "\n" : ",\n");
    first = false;
    o << fmt::format("    {{\"target\": {}, \"value\": {}, \"limit\": {}, \"met\": {}, \"detail\": {}}}",
                     json_string(c.name), num(c.value), num(c.limit), c.met ? "true" : "false",
                     json_string(c.detail));
  }
  o << "\n  ]\n}\n";
  std::string tmp = path + ".partial";
  {
    std::ofstream f(tmp);
    f << o.str();
    if (!f) throw InputError(path + ": cannot write");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw InputError(path + ": cannot write");
}

}  // namespace

int summarize(const std::vector<std::string>& args) {
  std::string runs_path, line_label, out;
  bool targets = false, all = false;
  std::vector<std::pair<std::string, std::string>> machine;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw InputError("summarize: " + a + " needs a value");
      return args[++i];
    };
    if (a == "--line") line_label = value();
    else if (a == "--targets") targets = true;
    else if (a == "--all") all = true;
    else if (a == "--out") out = value();
    else if (a == "--machine") {
      const std::string& kv = value();
      auto eq = kv.find('=');
      if (eq == std::string::npos) throw InputError("summarize: --machine KEY=VALUE");
      machine.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else if (runs_path.empty()) runs_path = a;
    else throw InputError("summarize: unexpected " + a);
  }
  if (runs_path.empty())
    throw InputError("usage: vmmsim_bench summarize RUNS.jsonl [--line LABEL] [--all] [--targets] [--out FILE] "
                     "[--machine KEY=VALUE]...");
  std::vector<Run> runs = read_runs(runs_path);
  std::vector<Figures> figs = all_figures(runs);

  if (!line_label.empty()) {
    if (line_label == "baseline") {
      if (const Run* b = find(runs, "baseline"))
        std::cout << fmt::format("baseline: bare SC_METHOD activation {:.1f} ns ({} activations/s; {:.1f} ns wall)\n",
                                 b->r()["ns_per_activation"].number(), sci(b->r()["activations_per_s"].number()),
                                 b->r()["wall_ns_per_activation"].number());
    } else if (line_label == "callgrind") {
      std::vector<Callgrind> gs = callgrinds(runs);
      if (!gs.empty()) {
        const Callgrind* g = &gs.back();
        std::cout << fmt::format(
            "callgrind {}: {:.0f} instructions per request = {:.1f}x the bare activation ({:.0f} per activation); "
            "totals {} (requests {}) and {} (requests {})\n",
            g->case_label, g->ir_per_request, g->ratio, g->ir_per_activation, g->ir_short, g->req_short, g->ir_long,
            g->req_long);
      }
    } else if (const Run* last = find(runs, line_label); last && !last->failed) {
      std::cout << case_line(figures_of(*last, bare_ns(runs))) << "\n";  // this run alone
    }
  }
  if (all) {
    for (const Figures& f : figs) std::cout << case_line(f) << "\n";
  }
  if (targets) {
    std::cout << "targets:\n";
    for (const Check& c : checks(figs, runs))
      std::cout << fmt::format("  {} {}: {:.3g} (limit {:.3g}) -- {}\n", c.met ? "MET   " : "MISSED", c.name,
                               c.value, c.limit, c.detail);
  }
  if (!out.empty()) write_results(out, runs, figs, machine);
  return 0;
}

}  // namespace vmmsim::bench
