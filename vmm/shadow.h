// Shadow evaluation (docs/replacement.md "Shadow evaluation"): a second
// instance of a candidate scheduler hears every call the VMM makes on the
// active one, right after it, and its answers are compared, never applied.
// It is a measuring instrument: it costs no simulated time, takes no slot
// and no image-area room, and nothing the guests see depends on it. A
// shadow that throws, answers invalidly or overruns its host-time budget is
// dropped with the reason. Plain C++ (no SystemC): the VMM calls it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "report/results.h"
#include "schedulers/sched_abi.h"
#include "vmm/observer.h"
#include "vmm/request.h"
#include "vmm/scheduler_image.h"
#include "vmm/vcpu.h"

namespace vmmsim::vmm {

class Shadow {
 public:
  // What starting one needs: the opened image, its parameters (defaults
  // filled in, checked against its specs) and the shadow's own settings.
  struct Setup {
    std::string target;
    std::string requester;
    SchedulerImage image;
    std::map<std::string, std::int64_t> params;
    Cycles tolerance = 0;
    std::uint64_t budget_ns = 0;  // per call; 0 = none
  };

  // `vcpus`: the VMM's, read for the waiting times at disagreements;
  // `observers` are told of each disagreement (the timeline's shadow track).
  Shadow(const std::vector<Vcpu>& vcpus, unsigned cpus, Hertz clock, const Observers& observers)
      : m_vcpus(vcpus), m_cpus(cpus), m_clock(clock), m_observers(observers) {}
  ~Shadow();
  Shadow(const Shadow&) = delete;
  Shadow& operator=(const Shadow&) = delete;

  // The hook sites test this first: one predictable branch when none is on.
  bool on() const { return m_on; }
  const std::string& target() const { return m_setup.target; }

  // Creates the instance; "" or why (then nothing is on).
  std::string start(Setup setup, Cycles now);
  // A live vCPU, as migrate_into inserts it; a refusal drops the shadow.
  void insert(const vmm_vcpu_info_t& info, Cycles now);
  // Ends the session: "ended", "promoted" or "running" (the run's end).
  void stop(const char* status, Cycles now);
  // A request to start one that was refused: listed with the reason.
  void rejected(const std::string& target, const std::string& requester, std::string reason, Cycles now);

  // The mirrored calls, each after the active scheduler's with its answer.
  void wake(VcpuId v, Cycles now, int active_cpu);
  void block(VcpuId v, Cycles now);
  void yield(VcpuId v, Cycles now);
  void remove(VcpuId v, Cycles now);
  void tick(unsigned cpu, Cycles now, bool active_resched);
  // `active_host_ns`: the host time the active scheduler's pick_next took.
  void pick_next(unsigned cpu, Cycles now, Cycles ran, VcpuId active_next, Cycles active_slice,
                 std::uint64_t active_host_ns);
  void priority(VcpuId v, std::int64_t active);

  // Every session so far, the one on (if any) as it stands at `now`.
  std::vector<report::ShadowResult> results(Cycles now) const;

 private:
  enum class View : std::uint8_t { Unknown, Runnable, Blocked, Gone };
  enum Kind : std::size_t { kInsert, kPickNext, kWake, kTick, kYield, kBlock, kRemove, kPriority, kKinds };
  struct Count {
    std::uint64_t calls = 0, agreed = 0;
  };

  // Runs one call of the shadow's table, timed; false (and the shadow is
  // dropped) if it threw or overran its budget.
  template <typename Call>
  bool call(const char* op, Call&& fn);
  void drop(std::string reason);
  void disagreed(Kind kind, int cpu, Cycles now);
  void agree(Kind kind, bool same, int cpu, Cycles now);
  std::string invalid(unsigned cpu, const vmm_decision_t& d) const;
  Cycles waited(VcpuId v, Cycles now) const;
  void destroy();

  const std::vector<Vcpu>& m_vcpus;
  const unsigned m_cpus;
  const Hertz m_clock;
  const Observers& m_observers;
  bool m_on = false;
  Setup m_setup;
  std::vector<vmm_param_t> m_param_array;
  void* m_instance = nullptr;
  std::vector<View> m_view;      // its view of each vCPU
  std::vector<VcpuId> m_owner;   // per pCPU: its own last answer there
  report::ShadowResult m_current;
  std::uint64_t m_last_call_ns = 0;  // of the last call that returned
  Count m_counts[kKinds];
  VcpuId m_last_priority_vcpu = kNone;
  std::int64_t m_last_active_priority = 0, m_last_shadow_priority = 0;
  std::vector<report::ShadowResult> m_done;
};

}  // namespace vmmsim::vmm
