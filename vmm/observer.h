// Watchers of the VMM, outside its decisions: the randomized soak's
// invariant checker (docs/robustness.md), the --timeline and the VCD's
// vm_*_running signals (models/timeline_observer.h, models/vcd_observer.h).
// The VMM tells every observer added (Vmm::add_observer) what happened at
// each hook below that it overrides, and knows nothing of what they write; a
// hook that no observer added overrides costs its site one predictable
// branch (a VCD, which wants only vm_running, adds no call per dispatch).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "base/units.h"
#include "report/results.h"
#include "vmm/request.h"

namespace vmmsim::vmm {

// The hooks below but after_request (that one is watches_requests()), as
// bits: the ones an observer is told of.
enum Hook : unsigned {
  kAfterReplacement = 1u << 0,
  kDispatched = 1u << 1,
  kWentOffline = 1u << 2,
  kParked = 1u << 3,
  kCeased = 1u << 4,
  kRunqueue = 1u << 5,
  kWaited = 1u << 6,
  kInputServed = 1u << 7,
  kVmRunning = 1u << 8,
  kShadowDisagreed = 1u << 9,
};
constexpr unsigned kHookCount = 10;
constexpr unsigned kEveryHook = (1u << kHookCount) - 1;

class Observer {
 public:
  // An observer that watches requests sees every request, PIT ticks
  // included: while one is added the VMM simulates every tick (vmm/ticks.cpp),
  // which costs host time under a policy without a tick op. Tracers that
  // need no tick do not watch requests. `hooks`: those it is told of,
  // overridden_hooks<Derived>() (every hook if not given). Fixed for the
  // observer's life.
  explicit Observer(bool watches_requests, unsigned hooks = kEveryHook)
      : m_watches_requests(watches_requests), m_hooks(hooks) {}
  virtual ~Observer() = default;
  bool watches_requests() const { return m_watches_requests; }
  unsigned hooks() const { return m_hooks; }

  // `r` has been handled and answered with `fb`; the VMM's state is
  // settled. Only to observers that watch requests.
  virtual void after_request(const Request& /*r*/, const Feedback& /*fb*/) {}
  // A replacement request is done (its result is the last one reported).
  virtual void after_replacement(const report::ReplacementResult& /*r*/) {}

  // A decision on `cpu` at `at`: it runs `next` from now on (kNone: it
  // idles), placed by the scheduler `scheduler` in slot `slot`, which gives
  // it `priority`. A decision that keeps the owner is told too (then `next`
  // has been running since an earlier decision, or since the pCPU resumed).
  virtual void dispatched(unsigned /*cpu*/, VcpuId /*next*/, std::uint32_t /*slot*/,
                          const std::string& /*scheduler*/, std::int64_t /*priority*/, Cycles /*at*/) {}
  // The processors have all ceased for a replacement sequence whose first
  // cease was at `first_cease`: told then (before the owners' `parked`),
  // long before the sequence is done (after_replacement).
  virtual void went_offline(Cycles /*first_cease*/) {}
  // `cpu`'s owner stopped running at `at` without a decision: the pCPU
  // ceased under it for a replacement (it stays the owner, parked).
  virtual void parked(unsigned /*cpu*/, Cycles /*at*/) {}
  // `cpu` was ceased, a replacement's downtime, from `from` to `to`: told
  // when the processors resume.
  virtual void ceased(unsigned /*cpu*/, Cycles /*from*/, Cycles /*to*/) {}
  // At each change of a vCPU's run state: the runnable vCPUs not on a pCPU.
  virtual void runqueue(Cycles /*at*/, std::uint64_t /*waiting*/) {}
  // A wait of one of `vm`'s vCPUs ended (at its dispatch): `wait` cycles.
  virtual void waited(std::size_t /*vm*/, Cycles /*wait*/) {}
  // A keystroke reached its reader in `vm`: `latency` from keystroke to dispatch.
  virtual void input_served(std::size_t /*vm*/, Cycles /*latency*/) {}
  // The first of `vm`'s vCPUs went onto a pCPU (`running` 1), or the last
  // one off (0); not every dispatch: the VCD's one consumer wants crossings.
  virtual void vm_running(std::size_t /*vm*/, unsigned /*running*/, Cycles /*at*/) {}
  // The scheduler in shadow (`target`) answered a `kind` request (pick_next,
  // wake, tick, priority) otherwise than the active one, on `cpu` (-1: none).
  virtual void shadow_disagreed(const std::string& /*target*/, const char* /*kind*/, int /*cpu*/, Cycles /*at*/) {}

 private:
  const bool m_watches_requests;
  const unsigned m_hooks;
};

// The hooks `T` overrides (an override's member pointer is T's or a base's,
// not Observer's): what T passes to Observer's constructor. T is final: a
// class derived from it could override more than T's constructor says.
template <class T>
constexpr unsigned overridden_hooks() {
  static_assert(std::is_base_of_v<Observer, T> && std::is_final_v<T>, "the hooks of a final observer");
  auto own = [](auto member, auto base, unsigned hook) {
    return std::is_same_v<decltype(member), decltype(base)> ? 0u : hook;
  };
  return own(&T::after_replacement, &Observer::after_replacement, kAfterReplacement) |
         own(&T::dispatched, &Observer::dispatched, kDispatched) |
         own(&T::went_offline, &Observer::went_offline, kWentOffline) | own(&T::parked, &Observer::parked, kParked) |
         own(&T::ceased, &Observer::ceased, kCeased) | own(&T::runqueue, &Observer::runqueue, kRunqueue) |
         own(&T::waited, &Observer::waited, kWaited) |
         own(&T::input_served, &Observer::input_served, kInputServed) |
         own(&T::vm_running, &Observer::vm_running, kVmRunning) |
         own(&T::shadow_disagreed, &Observer::shadow_disagreed, kShadowDisagreed);
}

// The VMM's observers and the fan-out of each hook to those told of it, in
// the order they were added. wants(hook) and watch_requests() are the one
// branch of a hook site.
class Observers {
 public:
  // What an observer is told of is read when it is added: removing one
  // reads no other, which its owner may have destroyed already after the run.
  void add(Observer* o) {
    if (o->watches_requests()) m_watchers.push_back(o);
    for (unsigned h = 0; h < kHookCount; ++h)
      if (o->hooks() & (1u << h)) m_told[h].push_back(o);
    settle();
  }
  void remove(Observer* o) {
    auto drop = [o](std::vector<Observer*>& list) { list.erase(std::remove(list.begin(), list.end(), o), list.end()); };
    drop(m_watchers);
    for (auto& list : m_told) drop(list);
    settle();
  }
  bool wants(Hook hook) const { return (m_wanted & hook) != 0; }
  bool watch_requests() const { return m_watch_requests; }
  // Told of a hook or of requests: kept with m_wanted, so that a request
  // asks one flag (Vmm::observed).
  bool any() const { return m_any; }
  // Of the decision and wake paths' hooks, told of a VM's running count
  // alone, and no request watched (a VCD's observer): those paths test
  // that one site (Vmm::running_watched_alone).
  bool running_only() const { return m_running_only; }

  void after_request(const Request& r, const Feedback& fb) const {
    for (Observer* o : m_watchers) o->after_request(r, fb);
  }
  void after_replacement(const report::ReplacementResult& r) const {
    for (Observer* o : told(kAfterReplacement)) o->after_replacement(r);
  }
  void dispatched(unsigned cpu, VcpuId next, std::uint32_t slot, const std::string& scheduler,
                  std::int64_t priority, Cycles at) const {
    for (Observer* o : told(kDispatched)) o->dispatched(cpu, next, slot, scheduler, priority, at);
  }
  void went_offline(Cycles first_cease) const {
    for (Observer* o : told(kWentOffline)) o->went_offline(first_cease);
  }
  void parked(unsigned cpu, Cycles at) const {
    for (Observer* o : told(kParked)) o->parked(cpu, at);
  }
  void ceased(unsigned cpu, Cycles from, Cycles to) const {
    for (Observer* o : told(kCeased)) o->ceased(cpu, from, to);
  }
  void runqueue(Cycles at, std::uint64_t waiting) const {
    for (Observer* o : told(kRunqueue)) o->runqueue(at, waiting);
  }
  void waited(std::size_t vm, Cycles wait) const {
    for (Observer* o : told(kWaited)) o->waited(vm, wait);
  }
  void input_served(std::size_t vm, Cycles latency) const {
    for (Observer* o : told(kInputServed)) o->input_served(vm, latency);
  }
  void vm_running(std::size_t vm, unsigned running, Cycles at) const {
    for (Observer* o : told(kVmRunning)) o->vm_running(vm, running, at);
  }
  void shadow_disagreed(const std::string& target, const char* kind, int cpu, Cycles at) const {
    for (Observer* o : told(kShadowDisagreed)) o->shadow_disagreed(target, kind, cpu, at);
  }

 private:
  const std::vector<Observer*>& told(Hook hook) const {
    return m_told[static_cast<unsigned>(__builtin_ctz(hook))];
  }
  void settle() {
    m_watch_requests = !m_watchers.empty();
    m_wanted = 0;
    for (unsigned h = 0; h < kHookCount; ++h)
      if (!m_told[h].empty()) m_wanted |= 1u << h;
    m_any = m_wanted != 0 || m_watch_requests;
    constexpr unsigned kRequestPath = kDispatched | kRunqueue | kWaited | kInputServed | kVmRunning;
    m_running_only = !m_watch_requests && (m_wanted & kRequestPath) == kVmRunning;
  }

  std::vector<Observer*> m_watchers;  // those that watch requests
  std::array<std::vector<Observer*>, kHookCount> m_told;  // per hook, those told of it
  unsigned m_wanted = 0;  // the hooks someone is told of
  bool m_watch_requests = false;
  bool m_any = false;
  bool m_running_only = false;
};

}  // namespace vmmsim::vmm
