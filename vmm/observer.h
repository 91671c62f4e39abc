// Watchers of the VMM, outside its decisions: the randomized soak's
// invariant checker (docs/robustness.md), the --timeline and the VCD's
// vm_*_running signals (models/timeline_observer.h, models/vcd_observer.h).
// The VMM tells every observer added (Vmm::add_observer) what happened at
// each hook below and knows nothing of what they write; with none added, a
// hook site costs one predictable branch.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "base/units.h"
#include "report/results.h"
#include "vmm/request.h"

namespace vmmsim::vmm {

class Observer {
 public:
  // An observer that watches requests sees every request, PIT ticks
  // included: while one is added the VMM simulates every tick (vmm/ticks.cpp),
  // which costs host time under a policy without a tick op. Tracers that
  // need no tick do not watch requests. Fixed for the observer's life.
  explicit Observer(bool watches_requests) : m_watches_requests(watches_requests) {}
  virtual ~Observer() = default;
  bool watches_requests() const { return m_watches_requests; }

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
  // One of `vm`'s vCPUs went onto or off a pCPU: `running` are on one now.
  virtual void vm_running(std::size_t /*vm*/, unsigned /*running*/, Cycles /*at*/) {}
  // The scheduler in shadow (`target`) answered a `kind` request (pick_next,
  // wake, tick, priority) otherwise than the active one, on `cpu` (-1: none).
  virtual void shadow_disagreed(const std::string& /*target*/, const char* /*kind*/, int /*cpu*/, Cycles /*at*/) {}

 private:
  const bool m_watches_requests;
};

// The VMM's observers and the fan-out of each hook, in the order they were
// added. any() and watch_requests() are the one branch of a hook site.
class Observers {
 public:
  void add(Observer* o) {
    m_all.push_back(o);
    if (o->watches_requests()) m_watchers.push_back(o);
    settle();
  }
  void remove(Observer* o) {
    m_all.erase(std::remove(m_all.begin(), m_all.end(), o), m_all.end());
    m_watchers.erase(std::remove(m_watchers.begin(), m_watchers.end(), o), m_watchers.end());
    settle();
  }
  bool any() const { return m_any; }
  bool watch_requests() const { return m_watch_requests; }

  void after_request(const Request& r, const Feedback& fb) const {
    for (Observer* o : m_watchers) o->after_request(r, fb);
  }
  void after_replacement(const report::ReplacementResult& r) const {
    for (Observer* o : m_all) o->after_replacement(r);
  }
  void dispatched(unsigned cpu, VcpuId next, std::uint32_t slot, const std::string& scheduler,
                  std::int64_t priority, Cycles at) const {
    for (Observer* o : m_all) o->dispatched(cpu, next, slot, scheduler, priority, at);
  }
  void went_offline(Cycles first_cease) const {
    for (Observer* o : m_all) o->went_offline(first_cease);
  }
  void parked(unsigned cpu, Cycles at) const {
    for (Observer* o : m_all) o->parked(cpu, at);
  }
  void ceased(unsigned cpu, Cycles from, Cycles to) const {
    for (Observer* o : m_all) o->ceased(cpu, from, to);
  }
  void runqueue(Cycles at, std::uint64_t waiting) const {
    for (Observer* o : m_all) o->runqueue(at, waiting);
  }
  void waited(std::size_t vm, Cycles wait) const {
    for (Observer* o : m_all) o->waited(vm, wait);
  }
  void input_served(std::size_t vm, Cycles latency) const {
    for (Observer* o : m_all) o->input_served(vm, latency);
  }
  void vm_running(std::size_t vm, unsigned running, Cycles at) const {
    for (Observer* o : m_all) o->vm_running(vm, running, at);
  }
  void shadow_disagreed(const std::string& target, const char* kind, int cpu, Cycles at) const {
    for (Observer* o : m_all) o->shadow_disagreed(target, kind, cpu, at);
  }

 private:
  void settle() {
    m_any = !m_all.empty();
    m_watch_requests = !m_watchers.empty();
  }

  std::vector<Observer*> m_all;
  std::vector<Observer*> m_watchers;  // those that watch requests
  bool m_any = false;
  bool m_watch_requests = false;
};

}  // namespace vmmsim::vmm
