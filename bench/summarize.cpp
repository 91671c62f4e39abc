// vmmsim_bench summarize: turns the JSON lines bench/run.sh collected (one per
// process: the baseline, each case, callgrind) into one line per case, the
// target checks and bench/results.json; the figures themselves are
// bench/figures.cpp's. Plain C++, no SystemC.
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
#include "bench/figures.h"

namespace vmmsim::bench {
namespace {

using report::JsonValue;

std::string case_line(const Figures& f) {
  // fifo's CPU-bound vCPUs keep their pCPUs: its window may hold no decision.
  const std::string per_decision =
      std::isfinite(f.ns_per_decision)
          ? fmt::format("{:.0f} ns/decision = {:.1f}x bare ({:.2f} decisions/req)", f.ns_per_decision,
                        f.decision_ratio, f.decisions_per_request)
          : "no decisions";
  std::string s = fmt::format(
      "{}: {} sim cycles/s, {} req/s, {:.0f} ns/req = {:.1f}x bare, {}, {:.1f}x real time, peak RSS {:.1f} MiB, "
      "heap {:.1f} MiB ({:.0f} B/vCPU); {} s simulated in {:.2f} s CPU ({:.2f} s wall), mean {:.0f} / best {:.0f} "
      "ns/req over {} segments",
      f.label, sci(f.cycles_per_s), sci(f.requests_per_s), f.ns_per_request, f.ratio, per_decision, f.x_real_time,
      f.peak_rss_mib, f.heap_mib, f.bytes_per_vcpu, fmt::format("{:.4g}", f.sim_s), f.cpu_s, f.wall_s,
      f.mean_ns_per_request, f.min_ns_per_request, f.segments);
  if (f.repeats > 1)
    s += fmt::format("; best of {} runs ({:.0f}..{:.0f} ns/req)", f.repeats, f.ns_lo, f.ns_hi);
  if (std::isfinite(f.warmup_ns_per_request))
    s += fmt::format("; first {:.3g} s (warm-up, not in the figures): {:.0f} ns/req, {:.1f}x real time", f.warmup_sim_s,
                     f.warmup_ns_per_request, f.warmup_x_real_time);
  if (f.replacements) s += fmt::format("; {} replacements", f.replacements);
  if (f.loads)
    s += fmt::format(" ({} loads, {} of a staged image; mean load downtime {:.1f} us)", f.loads, f.staged_loads,
                     f.load_downtime_us);
  if (f.vcd) {
    s += fmt::format(", VCD {:.1f} MiB", static_cast<double>(f.vcd_bytes) / 1048576.0);
    if (f.vcd_cost) s += fmt::format(", {:.2f}x the run without", *f.vcd_cost);
    // Mostly the page cache taking the file, which no writer of the same
    // bytes avoids.
    if (std::isfinite(f.system_s) && f.cpu_s > 0)
      s += fmt::format(" (system time {:.0f} % of the run's CPU time)", 100 * f.system_s / f.cpu_s);
  }
  return s;
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
    if (!f.vcd && f.size == "medium" && f.label.find('/') != std::string::npos && f.label.find('@') == std::string::npos)
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
  // The limits are issue 13's (docs/performance.md, "Targets").
  worst({"medium: host ns per decision / bare SC_METHOD activation", "", 0, 3}, true,
        [&](const std::string& l) -> std::optional<double> {
          if (auto f = get(l); f && std::isfinite(f->decision_ratio)) return f->decision_ratio;
          return std::nullopt;
        },
        medium);
  worst({"medium: host ns per request / bare SC_METHOD activation", "", 0, 2}, true,
        [&](const std::string& l) -> std::optional<double> {
          if (auto f = get(l)) return f->ratio;
          return std::nullopt;
        },
        medium);
  // The policy's own code replayed alone (vmmsim_bench policy): a policy
  // whose own decisions exceed the budget cannot meet the first target,
  // whatever the simulator around it costs; the rest is the simulator's.
  std::map<std::string, double> alone;
  for (const PolicyAlone& p : policies_alone(runs)) alone[p.case_label] = p.ns_per_decision;
  const double bare = bare_ns(runs);
  worst({"medium: the policy's own code alone, host ns per decision / bare activation (replayed)", "", 0, 3}, true,
        [&](const std::string& l) -> std::optional<double> {
          if (auto a = alone.find(l); a != alone.end() && bare > 0) return a->second / bare;
          return std::nullopt;
        },
        medium);
  // A case's ns per decision besides its policy's own: the case's minus the replay's.
  auto rest_of = [&](const std::string& l) -> std::optional<double> {
    auto a = alone.find(l);
    auto f = get(l);
    if (a == alone.end() || !f || !std::isfinite(f->ns_per_decision)) return std::nullopt;
    return f->ns_per_decision - a->second;
  };
  worst({"medium: host ns per decision besides the policy's own (the case's minus the replay's) / bare activation",
         "", 0, 3},
        true,
        [&](const std::string& l) -> std::optional<double> {
          if (auto r = rest_of(l); r && bare > 0) return *r / bare;
          return std::nullopt;
        },
        medium);
  auto huge_of = [](const std::string& l) { return "huge" + l.substr(l.find('/')); };
  worst({"per-decision cost huge / medium", "", 0, 1.3}, true,
        [&](const std::string& l) -> std::optional<double> {
          auto m = get(l), h = get(huge_of(l));
          if (m && h && std::isfinite(m->ns_per_decision) && std::isfinite(h->ns_per_decision))
            return h->ns_per_decision / m->ns_per_decision;
          return std::nullopt;
        },
        medium);
  // The same split of the growth: the policy's own code (its heaps and
  // trees a few levels deeper on huge) and the rest, the simulator's. Own
  // growth past the limit leaves the rest less room; it decides the case
  // only where the policy is most of a decision (rr's own 1.42x, its case 1.14x).
  worst({"the policy's own code alone, per-decision cost huge / medium (replayed)", "", 0, 1.3}, true,
        [&](const std::string& l) -> std::optional<double> {
          auto m = alone.find(l), h = alone.find(huge_of(l));
          if (m != alone.end() && h != alone.end() && m->second > 0) return h->second / m->second;
          return std::nullopt;
        },
        medium);
  worst({"per-decision cost besides the policy's own, huge / medium", "", 0, 1.3}, true,
        [&](const std::string& l) -> std::optional<double> {
          auto m = rest_of(l), h = rest_of(huge_of(l));
          if (m && h && *m > 0) return *h / *m;  // no rest on medium: nothing to compare
          return std::nullopt;
        },
        medium);
  worst({"large: simulated time / host CPU time (faster than real time)", "", 0, 1}, false,
        [&](const std::string& l) -> std::optional<double> {
          if (auto f = get(l)) return f->x_real_time;
          return std::nullopt;
        },
        large);
  worst({"--vcd: ns per request with / without", "", 0, 1.3}, true,
        [&](const std::string& l) -> std::optional<double> {
          if (auto f = get(l); f && f->vcd_cost) return *f->vcd_cost;
          return std::nullopt;
        },
        vcd);
  worst({"huge: peak RSS (MiB)", "", 0, 128}, true,
        [&](const std::string& l) -> std::optional<double> {
          if (auto f = get(l)) return f->peak_rss_mib;
          return std::nullopt;
        },
        huge);
  // A PIT tick no policy needs: rr at 10 kHz against 1 kHz, the host time per
  // simulated second apart, over the 9000 extra ticks per simulated second.
  if (auto slow = get("medium/rr@10kHz"), base = get("medium/rr"); slow && base && slow->sim_s > 0 && base->sim_s > 0) {
    Check c{"unneeded PIT tick: host ns per tick (medium/rr, 10 kHz against 1 kHz)", "", 0, 10};
    const double per_s_slow = slow->cpu_s / slow->sim_s * 1e9, per_s_base = base->cpu_s / base->sim_s * 1e9;
    c.value = std::max(0.0, (per_s_slow - per_s_base) / 9000.0);
    c.met = c.value <= c.limit;
    c.detail = fmt::format("{:.0f} ns of host time per simulated second at 10 kHz, {:.0f} at 1 kHz (timing noise "
                           "included)",
                           per_s_slow, per_s_base);
    out.push_back(c);
  }
  // The same ratios in instructions (callgrind), free of timing noise, and
  // the instructions outside the policy: the simulator's own work beside it.
  std::vector<Callgrind> counted;
  std::vector<std::string> counted_labels;
  for (const Callgrind& g : callgrinds(runs))
    if (g.case_label.rfind("medium/", 0) == 0) {
      counted.push_back(g);
      counted_labels.push_back(g.case_label);
    }
  auto counted_value = [&](double Callgrind::*field) {
    return [&counted, field](const std::string& label) -> std::optional<double> {
      for (const Callgrind& g : counted)
        if (g.case_label == label && std::isfinite(g.*field)) return g.*field;
      return std::nullopt;
    };
  };
  const double ir_bare = counted.empty() ? NAN : counted.front().ir_per_activation;
  worst({fmt::format("medium: instructions per decision / per bare activation's {:.0f} (callgrind)", ir_bare), "",
         0, 3},
        true, counted_value(&Callgrind::decision_ratio), counted_labels);
  worst({fmt::format("medium: instructions per request / per bare activation's {:.0f} (callgrind)", ir_bare), "", 0,
         2},
        true, counted_value(&Callgrind::ratio), counted_labels);
  worst({fmt::format("medium: instructions per decision outside the policy / per bare activation's {:.0f} "
                     "(callgrind)",
                     ir_bare),
         "", 0, 3},
        true, counted_value(&Callgrind::outside_decision_ratio), counted_labels);
  // This one and the one above are issue 13's first two targets as they
  // are read since the sixteenth round: what the simulator adds, in the
  // instructions no host changes (docs/performance/where-issue-13-stands.md, top).
  worst({fmt::format("medium: instructions per request outside the policy / per bare activation's {:.0f} "
                     "(callgrind)",
                     ir_bare),
         "", 0, 2},
        true, counted_value(&Callgrind::outside_request_ratio), counted_labels);
  return out;
}

void write_results(const std::string& path, const std::vector<Run>& runs, const std::vector<Figures>& figs,
                   const std::vector<std::pair<std::string, std::string>>& machine) {
  std::ostringstream o;
  o << "{\n  \"format\": \"vmmsim-bench 1\",\n  \"host_time\": \"process CPU time (user + system); per case the "
       "median of >= 20 ms segments of the measured window (after a 1 s simulated warm-up; the window's mean and "
       "best segment beside it), of the best of the repeated runs (the spread beside it); wall time alongside\",\n  \"machine\": {";
  for (std::size_t i = 0; i < machine.size(); ++i)
    o << (i ? ", " : "") << json_quoted(machine[i].first) << ": " << json_quoted(machine[i].second);
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
        "\"sim_s\": {}, \"sim_cycles\": {}, \"requests\": {}, \"host_run_cpu_s\": {}, \"host_run_system_s\": {}, "
        "\"host_run_wall_s\": {}, "
        "\"host_elab_s\": {}, \"host_finish_s\": {}, \"sim_cycles_per_host_s\": {}, \"requests_per_host_s\": {}, "
        "\"host_ns_per_request\": {}, \"ratio_to_bare_activation\": {}, \"decisions\": {}, "
        "\"host_ns_per_decision\": {}, \"decision_ratio_to_bare_activation\": {}, \"decisions_per_request\": {}, "
        "\"mean_host_ns_per_decision\": {}, \"x_real_time\": {}, "
        "\"mean_host_ns_per_request\": {}, \"min_host_ns_per_request\": {}, \"segments\": {}, "
        "\"repeats\": {}, \"host_ns_per_request_lo\": {}, \"host_ns_per_request_hi\": {}, "
        "\"x_real_time_mean\": {}, \"x_real_time_wall\": {}, \"loadavg\": {}, \"peak_rss_mib\": {}, "
        "\"peak_rss_run_mib\": {}, \"heap_mib\": {}, \"bytes_per_vcpu\": {}, "
        "\"warmup_sim_s\": {}, \"warmup_ns_per_request\": {}, \"warmup_x_real_time\": {}, \"replacements\": {}, "
        "\"loads\": {}, \"staged_loads\": {}, \"mean_load_downtime_us\": {}, \"vcd_bytes\": {}, \"vcd_cost\": {}}}",
        json_quoted(f.label), json_quoted(f.size), json_quoted(f.scheduler), f.vcd ? "true" : "false", f.cpus,
        f.vcpus, num(f.sim_s), f.sim_cycles, f.requests, num(f.cpu_s), num(f.system_s), num(f.wall_s), num(f.elab_s),
        num(f.finish_s), num(f.cycles_per_s), num(f.requests_per_s), num(f.ns_per_request), num(f.ratio),
        f.decisions, num(f.ns_per_decision), num(f.decision_ratio), num(f.decisions_per_request),
        num(f.mean_ns_per_decision), num(f.x_real_time), num(f.mean_ns_per_request), num(f.min_ns_per_request),
        f.segments, f.repeats, num(f.ns_lo), num(f.ns_hi), num(f.x_real_time_mean), num(f.x_real_time_wall),
        json_quoted(f.load), num(f.peak_rss_mib), num(f.peak_rss_run_mib), num(f.heap_mib), num(f.bytes_per_vcpu),
        num(f.warmup_sim_s), num(f.warmup_ns_per_request), num(f.warmup_x_real_time), f.replacements,
        f.loads, f.staged_loads, num(f.load_downtime_us), f.vcd_bytes, f.vcd_cost ? num(*f.vcd_cost) : "null");
  }
  o << "\n  ],\n  \"failed\": [";
  first = true;
  for (const Run& r : runs)
    if (r.failed) {
      o << (first ? "" : ", ") << json_quoted(r.label);
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
               "\"decisions_short\": {}, \"ir_long\": {}, \"sim_s_long\": {}, \"requests_long\": {}, "
               "\"decisions_long\": {}, \"ir_per_request\": {}, \"ir_per_decision\": {}, "
               "\"baseline_ir_per_activation\": {}, \"ratio\": {}, \"decision_ratio\": {}, "
               "\"ir_outside_policy_per_decision\": {}, \"outside_policy_decision_ratio\": {}, "
               "\"ir_outside_policy_per_request\": {}, \"outside_policy_request_ratio\": {}}}",
               json_quoted(g->case_label), g->ir_short, num(g->sim_short), g->req_short, g->dec_short, g->ir_long,
               num(g->sim_long), g->req_long, g->dec_long, num(g->ir_per_request), num(g->ir_per_decision),
               num(g->ir_per_activation), num(g->ratio), num(g->decision_ratio), num(g->ir_outside_per_decision),
               num(g->outside_decision_ratio), num(g->ir_outside_per_request), num(g->outside_request_ratio));
    }
    if (!gs.empty()) o << "\n  ],\n";
  }
  {
    std::vector<PolicyAlone> ps = policies_alone(runs);
    if (!ps.empty()) o << "  \"policy_alone\": [";
    for (std::size_t i = 0; i < ps.size(); ++i)
      o << (i ? ",\n    " : "\n    ")
        << fmt::format("{{\"case\": {}, \"host_ns_per_decision\": {}, \"decisions\": {}}}",
                       json_quoted(ps[i].case_label), num(ps[i].ns_per_decision), ps[i].decisions);
    if (!ps.empty()) o << "\n  ],\n";
  }
  o << "  \"targets\": [";
  first = true;
  for (const Check& c : checks(figs, runs)) {
    o << (first ? "\n" : ",\n");
    first = false;
    o << fmt::format("    {{\"target\": {}, \"value\": {}, \"limit\": {}, \"met\": {}, \"detail\": {}}}",
                     json_quoted(c.name), num(c.value), num(c.limit), c.met ? "true" : "false",
                     json_quoted(c.detail));
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
      // The record appended last.
      const Run* last = find(runs, "callgrind");
      for (const Callgrind& g : callgrinds(runs))
        if (last && g.case_label == last->record["case"].string())
          std::cout << fmt::format(
              "callgrind {}: {:.0f} instructions per request = {:.1f}x the bare activation ({:.0f} per activation), "
              "{:.0f} per decision = {:.1f}x; totals {} (requests {}, decisions {}) and {} (requests {}, decisions "
              "{})\n",
              g.case_label, g.ir_per_request, g.ratio, g.ir_per_activation, g.ir_per_decision, g.decision_ratio,
              g.ir_short, g.req_short, g.dec_short, g.ir_long, g.req_long, g.dec_long)
                    << (std::isfinite(g.ir_outside_per_decision)
                            ? fmt::format("  outside the policy: {:.0f} per request = {:.2f}x, {:.0f} per decision = "
                                          "{:.2f}x\n",
                                          g.ir_outside_per_request, g.outside_request_ratio,
                                          g.ir_outside_per_decision, g.outside_decision_ratio)
                            : "");
    } else if (line_label == "policy") {
      const Run* last = find(runs, "policy");
      if (last && !last->failed) {
        const std::string label = last->record["case"].string();
        const double own = last->r()["policy_ns_per_decision"].number(), bare = bare_ns(runs);
        std::string rest;
        if (const Run* c = find(runs, label); c && !c->failed) {
          const Figures f = figures_of(*c, bare);
          if (std::isfinite(f.ns_per_decision))
            rest = fmt::format("; the case {:.0f} ns per decision, besides the policy {:.0f} ns = {:.1f}x",
                               f.ns_per_decision, f.ns_per_decision - own, (f.ns_per_decision - own) / bare);
        }
        std::cout << fmt::format("policy alone {}: {:.0f} ns per decision = {:.1f}x bare ({} decisions replayed){}\n",
                                 label, own, own / bare, last->r()["decisions"].integer(), rest);
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
