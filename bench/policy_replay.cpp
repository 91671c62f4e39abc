#include "bench/policy_replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "base/input_error.h"
#include "bench/case_config.h"
#include "bench/figures.h"
#include "models/platform.h"
#include "schedulers/registry.h"
#include "sim/cycle_clock.h"

namespace vmmsim::bench {
namespace {

constexpr unsigned kRepeatMax = 1000;

enum class Op : std::uint8_t { Insert, Remove, Wake, Block, Yield, Tick, PickNext, Priority };
constexpr const char* kOpNames[] = {"insert", "remove", "wake",      "block",
                                    "yield",  "tick",   "pick_next", "priority"};

// One call and its answer. `who`: the vCPU (prev for pick_next; the
// insert's record for insert).
struct Call {
  Op op;
  std::int32_t who;
  std::uint32_t cpu;
  std::uint64_t now;
  std::uint64_t ran;      // pick_next's
  std::uint64_t answer;   // pick_next: next; wake: cpu; tick, priority: the value
  std::uint64_t answer2;  // pick_next: slice; wake: at
};

// An insert's vCPU info, deep: the VMM's arrays need not outlive the call.
struct Insert {
  vmm_vcpu_info_t info;
  std::vector<std::string> keys;
  std::vector<vmm_param_t> params;
  std::vector<std::uint8_t> affinity;
};

struct Config {
  vmm_sched_config_t config{};
  std::vector<std::string> keys;
  std::vector<vmm_param_t> params;
};

// The recording: process-wide, as the ops table's entry points are plain
// functions. One policy instance is recorded; a second create is an error
// (a case with replacements cannot be replayed as one instance).
struct Recording {
  const vmm_sched_ops_t* original = nullptr;
  vmm_sched_ops_t table{};
  void* self = nullptr;
  unsigned instances = 0;
  Config config;
  std::vector<std::unique_ptr<Insert>> inserts;
  std::vector<Call> calls;
};
Recording g_rec;

bool recorded(void* self) { return self == g_rec.self; }

void copy_params(const vmm_param_t* from, std::uint32_t count, std::vector<std::string>* keys,
                 std::vector<vmm_param_t>* params) {
  keys->clear();
  keys->reserve(count);  // never reallocated: the keys' c_str() stay valid
  params->clear();
  for (std::uint32_t i = 0; i < count; ++i) {
    keys->emplace_back(from[i].key);
    params->push_back(vmm_param_t{keys->back().c_str(), from[i].value});
  }
}

void install(const vmm_sched_ops_t* original) {
  g_rec.original = original;
  g_rec.table = *original;
  vmm_sched_ops_t& t = g_rec.table;
  t.create = [](const vmm_sched_config_t* config, char* err, std::size_t len) -> void* {
    void* self = g_rec.original->create(config, err, len);
    if (self && g_rec.instances++ == 0) {
      g_rec.self = self;
      g_rec.config.config = *config;
      copy_params(config->params, config->param_count, &g_rec.config.keys, &g_rec.config.params);
      g_rec.config.config.params = g_rec.config.params.data();
    }
    return self;
  };
  t.insert = [](void* self, const vmm_vcpu_info_t* info, vmm_cycles_t now, char* err,
                std::size_t len) {
    const int rc = g_rec.original->insert(self, info, now, err, len);
    if (recorded(self) && rc == 0) {
      auto in = std::make_unique<Insert>();
      in->info = *info;
      copy_params(info->vm_params, info->vm_param_count, &in->keys, &in->params);
      in->info.vm_params = in->params.data();
      if (info->affinity)
        in->affinity.assign(info->affinity, info->affinity + info->affinity_bytes);
      in->info.affinity = info->affinity ? in->affinity.data() : nullptr;
      g_rec.calls.push_back(
          Call{Op::Insert, static_cast<std::int32_t>(g_rec.inserts.size()), 0, now, 0, 0, 0});
      g_rec.inserts.push_back(std::move(in));
    }
    return rc;
  };
  t.remove = [](void* self, vmm_vcpu_id_t v, vmm_cycles_t now) {
    g_rec.original->remove(self, v, now);
    if (recorded(self)) g_rec.calls.push_back(Call{Op::Remove, v, 0, now, 0, 0, 0});
  };
  t.wake = [](void* self, vmm_vcpu_id_t v, vmm_cycles_t now) {
    const vmm_tickle_t t = g_rec.original->wake(self, v, now);
    if (recorded(self))
      g_rec.calls.push_back(Call{Op::Wake, v, 0, now, 0, static_cast<std::uint64_t>(t.cpu), t.at});
    return t;
  };
  t.block = [](void* self, vmm_vcpu_id_t v, vmm_cycles_t now) {
    g_rec.original->block(self, v, now);
    if (recorded(self)) g_rec.calls.push_back(Call{Op::Block, v, 0, now, 0, 0, 0});
  };
  t.yield = [](void* self, vmm_vcpu_id_t v, vmm_cycles_t now) {
    g_rec.original->yield(self, v, now);
    if (recorded(self)) g_rec.calls.push_back(Call{Op::Yield, v, 0, now, 0, 0, 0});
  };
  t.tick = [](void* self, std::uint32_t cpu, vmm_cycles_t now) {
    const int r = g_rec.original->tick(self, cpu, now);
    if (recorded(self))
      g_rec.calls.push_back(Call{Op::Tick, 0, cpu, now, 0, static_cast<std::uint64_t>(r), 0});
    return r;
  };
  t.pick_next = [](void* self, std::uint32_t cpu, vmm_cycles_t now, vmm_vcpu_id_t prev,
                   vmm_cycles_t ran) {
    const vmm_decision_t d = g_rec.original->pick_next(self, cpu, now, prev, ran);
    if (recorded(self))
      g_rec.calls.push_back(
          Call{Op::PickNext, prev, cpu, now, ran, static_cast<std::uint64_t>(d.next), d.slice});
    return d;
  };
  t.priority = [](void* self, vmm_vcpu_id_t v) {
    const std::int64_t p = g_rec.original->priority(self, v);
    if (recorded(self))
      g_rec.calls.push_back(Call{Op::Priority, v, 0, 0, 0, static_cast<std::uint64_t>(p), 0});
    return p;
  };
  // An entry the policy leaves out stays out: the VMM reads its absence
  // (no tick: no tick is simulated).
  const vmm_sched_ops_t& o = *original;
  if (!o.remove) t.remove = nullptr;
  if (!o.wake) t.wake = nullptr;
  if (!o.block) t.block = nullptr;
  if (!o.yield) t.yield = nullptr;
  if (!o.tick) t.tick = nullptr;
  if (!o.priority) t.priority = nullptr;
  sched::interpose_builtin(original->name, &g_rec.table);
}

// Replays calls [from, to) on `self`. With kCheck, returns the index of the
// first call whose answer differs from the recorded one (`to` if none).
template <bool kCheck>
std::size_t replay(const vmm_sched_ops_t& ops, void* self, std::size_t from, std::size_t to) {
  char err[256];
  for (std::size_t i = from; i < to; ++i) {
    const Call& c = g_rec.calls[i];
    std::uint64_t a = 0, b = 0;
    switch (c.op) {
      case Op::Insert:
        if (ops.insert(self, &g_rec.inserts[static_cast<std::size_t>(c.who)]->info, c.now, err,
                       sizeof err) != 0)
          return i;
        break;
      case Op::Remove:
        ops.remove(self, c.who, c.now);
        break;
      case Op::Wake: {
        const vmm_tickle_t t = ops.wake(self, c.who, c.now);
        a = static_cast<std::uint64_t>(t.cpu);
        b = t.at;
        break;
      }
      case Op::Block:
        ops.block(self, c.who, c.now);
        break;
      case Op::Yield:
        ops.yield(self, c.who, c.now);
        break;
      case Op::Tick:
        a = static_cast<std::uint64_t>(ops.tick(self, c.cpu, c.now));
        break;
      case Op::PickNext: {
        const vmm_decision_t d = ops.pick_next(self, c.cpu, c.now, c.who, c.ran);
        a = static_cast<std::uint64_t>(d.next);
        b = d.slice;
        break;
      }
      case Op::Priority:
        a = static_cast<std::uint64_t>(ops.priority(self, c.who));
        break;
    }
    if (kCheck && (a != c.answer || b != c.answer2)) return i;
  }
  return to;
}

}  // namespace

int policy_replay(const std::vector<std::string>& args) {
  CaseOptions opts;
  opts.command = "policy";
  unsigned repeat = 5;
  std::string warmup_text = "1s";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw InputError("policy: " + a + " needs a value");
      return args[++i];
    };
    if (a == "--repeat") {
      const std::string& v = value();
      const bool digits =
          !v.empty() && v.size() <= 4 && v.find_first_not_of("0123456789") == std::string::npos;
      repeat = digits ? static_cast<unsigned>(std::stoul(v)) : 0;
      if (repeat < 1 || repeat > kRepeatMax)
        throw InputError(
            fmt::format("policy: --repeat {}: a whole number from 1 to {}", v, kRepeatMax));
    } else if (a == "--warmup") {
      warmup_text = value();
    } else if (!parse_case_option(args, &i, &opts)) {
      throw InputError("policy: unknown option " + a +
                       "; expected --until, --set, --each-vm, --warmup, --repeat");
    }
  }
  if (opts.config_path.empty())
    throw InputError(
        "usage: vmmsim_bench policy CONFIG [--until D] [--warmup D] [--repeat N] [--set K=V]... "
        "[--each-vm K=V]...");
  // As in `case`: --until is the measured window, after the warm-up.
  if (opts.until.empty()) opts.until = "10s";
  config::Config cfg = load_case_config(opts);
  std::string why;
  auto warmup = parse_duration(warmup_text, cfg.platform.clock, &why);
  if (!warmup) throw InputError("policy: --warmup " + warmup_text + ": " + why);
  if (*warmup > kForever - cfg.until)
    throw InputError("policy: --warmup " + warmup_text + ": too long with --until");
  const vmm_sched_ops_t* ops = sched::find_builtin(cfg.vmm.scheduler);
  if (!ops) throw InputError("policy: vmm.scheduler " + cfg.vmm.scheduler + " is not a built-in");
  if (!cfg.swaps.empty() || !cfg.shadows.empty() || cfg.controller)
    throw InputError("policy: " + cfg.file +
                     " replaces or shadows its scheduler; the replay needs one instance");
  install(ops);

  CycleClock::set_kernel_resolution();
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  std::size_t warm_calls = 0;
  {
    models::Platform platform("platform", cfg);
    platform.events().advance(*warmup);
    warm_calls = g_rec.calls.size();
    platform.events().advance(cfg.until);
  }
  sched::interpose_builtin(ops->name, nullptr);
  // From here an error is printed, not thrown: after a run of SystemC's
  // threads, AddressSanitizer misreads an exception's stack (and says so).
  auto fail = [](const std::string& why) {
    std::cerr << "vmmsim_bench: policy: " << why << "\n";
    return 2;
  };
  if (g_rec.instances != 1)
    return fail(fmt::format("the run created {} instances of {}; the replay needs one",
                            g_rec.instances, ops->name));

  std::map<Op, std::uint64_t> by_op;
  for (std::size_t i = warm_calls; i < g_rec.calls.size(); ++i) ++by_op[g_rec.calls[i].op];
  const std::uint64_t decisions = by_op.count(Op::PickNext) ? by_op[Op::PickNext] : 0;
  if (decisions == 0)
    return fail(fmt::format(
        "{} made no decision after the warm-up; there is nothing to measure per decision",
        ops->name));
  // The first replay checks every answer; the timed ones only call.
  std::vector<double> ns_per_decision;
  for (unsigned r = 0; r <= repeat; ++r) {
    char err[256] = {};
    void* self = ops->create(&g_rec.config.config, err, sizeof err);
    if (!self) return fail(fmt::format("{} create failed on replay: {}", ops->name, err));
    if (r == 0) {
      const std::size_t at = replay<true>(*ops, self, 0, g_rec.calls.size());
      if (at != g_rec.calls.size()) {
        ops->destroy(self);
        return fail(fmt::format("the replay of {} diverged at call {} of {} ({})", ops->name, at,
                                g_rec.calls.size(),
                                kOpNames[static_cast<int>(g_rec.calls[at].op)]));
      }
    } else {
      replay<false>(*ops, self, 0, warm_calls);
      const double c0 = cpu_seconds();
      replay<false>(*ops, self, warm_calls, g_rec.calls.size());
      const double spent = cpu_seconds() - c0;
      ns_per_decision.push_back(spent * 1e9 / static_cast<double>(decisions));
    }
    ops->destroy(self);
  }
  std::vector<double> sorted = ns_per_decision;  // the runs stay in their order
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  std::string runs, kinds;
  for (double v : ns_per_decision) runs += fmt::format("{}{:.2f}", runs.empty() ? "" : ", ", v);
  for (const auto& [op, n] : by_op)
    kinds +=
        fmt::format("{}\"{}\": {}", kinds.empty() ? "" : ", ", kOpNames[static_cast<int>(op)], n);
  std::cout << fmt::format(
      "{{\"kind\": \"policy\", \"config\": {}, \"scheduler\": {}, \"calls\": {}, "
      "\"warmup_calls\": {}, \"decisions\": {}, \"calls_by_op\": {{{}}}, "
      "\"policy_ns_per_decision\": {:.3f}, "
      "\"runs_ns_per_decision\": [{}]}}\n",
      json_quoted(cfg.file), json_quoted(ops->name), g_rec.calls.size() - warm_calls, warm_calls,
      decisions, kinds, median, runs);
  return 0;
}

}  // namespace vmmsim::bench
