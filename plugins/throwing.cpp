// throwing: a scheduler plugin in C++ whose operations throw on purpose, to
// show that the VMM contains an exception escaping a plugin (docs/plugins.md,
// docs/robustness.md "Plugin faults").
//
// It is round robin (one FIFO queue, fixed quantum). The operation that its
// `op` parameter names throws a std::runtime_error on every call made at or
// after cycle `at` (create and destroy, which are not told the time, throw
// whenever they are chosen; priority uses the last time it was told):
//   0 none  1 create  2 insert  3 wake  4 block  5 yield  6 tick
//   7 pick_next  8 priority  9 remove  10 destroy
// Queue operations are O(n): this file is about faults, not speed.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <string>
#include <vector>

#include "schedulers/sched_abi.h"

namespace {

enum Op : std::int64_t {
  kNone, kCreate, kInsert, kWake, kBlock, kYield, kTick, kPickNext, kPriority, kRemove, kDestroy
};
constexpr const char* kOpNames[] = {"none", "create", "insert", "wake", "block", "yield",
                                    "tick", "pick_next", "priority", "remove", "destroy"};

const vmm_param_spec_t kParams[] = {
    {"quantum", VMM_PARAM_DURATION, 10000, 1, 10000000, "round-robin time slice"},
    {"op", VMM_PARAM_INTEGER, kPickNext, kNone, kDestroy,
     "the operation that throws: 0 none, 1 create, 2 insert, 3 wake, 4 block, 5 yield, 6 tick, "
     "7 pick_next, 8 priority, 9 remove, 10 destroy"},
    {"at", VMM_PARAM_DURATION, 0, 0, INT64_MAX / 1000000000, "simulated time from which it throws"},
};

std::int64_t find_param(const vmm_sched_config_t* config, const char* key, std::int64_t fallback) {
  for (std::uint32_t i = 0; i < config->param_count; ++i)
    if (std::strcmp(config->params[i].key, key) == 0) return config->params[i].value;
  return fallback;
}

struct Vcpu {
  bool present = false;
  bool runnable = false;
  std::int32_t cpu = VMM_NO_CPU;
};

struct Throwing {
  vmm_cycles_t quantum = 0;
  std::int64_t op = kNone;
  vmm_cycles_t at = 0;
  vmm_cycles_t last_now = 0;
  std::vector<Vcpu> vcpus;                 // by vCPU id
  std::deque<vmm_vcpu_id_t> queue;         // FIFO
  std::vector<vmm_vcpu_id_t> current;      // per pCPU: its owner, or VMM_IDLE
  std::vector<bool> tickled;               // per pCPU: idle and already asked to pick

  // Throws if `which` is the chosen operation and its time has come.
  void maybe_throw(Op which, vmm_cycles_t now) {
    last_now = std::max(last_now, now);
    if (op == which && now >= at)
      throw std::runtime_error(std::string("throwing: ") + kOpNames[which] + " failed at cycle " +
                               std::to_string(now));
  }
  bool known(vmm_vcpu_id_t v) const {
    return v >= 0 && static_cast<std::size_t>(v) < vcpus.size() && vcpus[static_cast<std::size_t>(v)].present;
  }
  void dequeue(vmm_vcpu_id_t v) { queue.erase(std::remove(queue.begin(), queue.end(), v), queue.end()); }
};

Throwing* self_of(void* self) { return static_cast<Throwing*>(self); }

void* create(const vmm_sched_config_t* config, char* err, std::size_t err_len) {
  if (find_param(config, "op", kPickNext) == kCreate) throw std::runtime_error("throwing: create failed");
  if (config->cpus == 0) {
    std::snprintf(err, err_len, "throwing: needs at least one pCPU");
    return nullptr;
  }
  auto* s = new Throwing;
  s->quantum = static_cast<vmm_cycles_t>(find_param(config, "quantum", 10000));
  s->op = find_param(config, "op", kPickNext);
  s->at = static_cast<vmm_cycles_t>(find_param(config, "at", 0));
  s->current.assign(config->cpus, VMM_IDLE);
  s->tickled.assign(config->cpus, false);
  return s;
}

void destroy(void* self) {
  Throwing* s = self_of(self);
  bool throws = s->op == kDestroy;
  delete s;
  if (throws) throw std::runtime_error("throwing: destroy failed");
}

int insert(void* self, const vmm_vcpu_info_t* info, vmm_cycles_t now, char* err, std::size_t err_len) {
  Throwing* s = self_of(self);
  s->maybe_throw(kInsert, now);
  const std::int32_t cpu = info->running_on;  // a parked owner after a swap
  if (info->id < 0 || info->id >= (1 << 20) || s->known(info->id) ||
      (cpu != VMM_NO_CPU && (cpu < 0 || static_cast<std::size_t>(cpu) >= s->current.size() ||
                             s->current[static_cast<std::size_t>(cpu)] != VMM_IDLE))) {
    std::snprintf(err, err_len, "throwing: bad insert of vCPU %d", static_cast<int>(info->id));
    return 1;
  }
  if (static_cast<std::size_t>(info->id) >= s->vcpus.size()) s->vcpus.resize(static_cast<std::size_t>(info->id) + 1);
  Vcpu& v = s->vcpus[static_cast<std::size_t>(info->id)];
  v = Vcpu{true, info->runnable != 0, cpu};
  if (cpu != VMM_NO_CPU)
    s->current[static_cast<std::size_t>(cpu)] = info->id;
  else if (v.runnable)
    s->queue.push_back(info->id);
  return 0;
}

void remove(void* self, vmm_vcpu_id_t id, vmm_cycles_t now) {
  Throwing* s = self_of(self);
  s->maybe_throw(kRemove, now);
  if (!s->known(id)) return;
  Vcpu& v = s->vcpus[static_cast<std::size_t>(id)];
  if (v.cpu != VMM_NO_CPU) s->current[static_cast<std::size_t>(v.cpu)] = VMM_IDLE;
  s->dequeue(id);
  v = Vcpu{};
}

vmm_tickle_t wake(void* self, vmm_vcpu_id_t id, vmm_cycles_t now) {
  Throwing* s = self_of(self);
  s->maybe_throw(kWake, now);
  if (!s->known(id) || s->vcpus[static_cast<std::size_t>(id)].runnable) return {VMM_NO_CPU, 0};
  Vcpu& v = s->vcpus[static_cast<std::size_t>(id)];
  v.runnable = true;
  if (v.cpu != VMM_NO_CPU) return {VMM_NO_CPU, 0};
  s->queue.push_back(id);
  for (std::size_t c = 0; c < s->current.size(); ++c)
    if (s->current[c] == VMM_IDLE && !s->tickled[c]) {
      s->tickled[c] = true;
      return {static_cast<std::int32_t>(c), now};
    }
  return {VMM_NO_CPU, 0};
}

void block(void* self, vmm_vcpu_id_t id, vmm_cycles_t now) {
  Throwing* s = self_of(self);
  s->maybe_throw(kBlock, now);
  if (!s->known(id)) return;
  s->vcpus[static_cast<std::size_t>(id)].runnable = false;
  s->dequeue(id);
}

void yield(void* self, vmm_vcpu_id_t, vmm_cycles_t now) { self_of(self)->maybe_throw(kYield, now); }

int tick(void* self, std::uint32_t, vmm_cycles_t now) {
  self_of(self)->maybe_throw(kTick, now);
  return 0;
}

vmm_decision_t pick_next(void* self, std::uint32_t cpu, vmm_cycles_t now, vmm_vcpu_id_t, vmm_cycles_t) {
  Throwing* s = self_of(self);
  s->maybe_throw(kPickNext, now);
  if (cpu >= s->current.size()) return {VMM_IDLE, VMM_FOREVER};
  vmm_vcpu_id_t leaving = s->current[cpu];
  if (leaving != VMM_IDLE) {
    Vcpu& l = s->vcpus[static_cast<std::size_t>(leaving)];
    l.cpu = VMM_NO_CPU;
    if (l.runnable) s->queue.push_back(leaving);
  }
  s->current[cpu] = VMM_IDLE;
  s->tickled[cpu] = false;
  if (s->queue.empty()) return {VMM_IDLE, VMM_FOREVER};
  vmm_vcpu_id_t next = s->queue.front();
  s->queue.pop_front();
  s->vcpus[static_cast<std::size_t>(next)].cpu = static_cast<std::int32_t>(cpu);
  s->current[cpu] = next;
  return {next, s->quantum};
}

std::int64_t priority(void* self, vmm_vcpu_id_t id) {
  Throwing* s = self_of(self);
  s->maybe_throw(kPriority, s->last_now);
  return -static_cast<std::int64_t>(id);
}

const vmm_sched_ops_t kOps = {
    VMMSIM_SCHED_ABI_VERSION,
    "throwing",
    "round robin whose chosen operation throws a C++ exception (containment tests)",
    8 * 1024,  // a nominal image: a C++ .so's size varies with the build type
    kParams,
    sizeof kParams / sizeof kParams[0],
    nullptr,
    0,
    create,
    destroy,
    insert,
    remove,
    wake,
    block,
    yield,
    tick,
    pick_next,
    priority,
    nullptr,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const vmm_sched_ops_t* vmmsim_scheduler(void) { return &kOps; }
