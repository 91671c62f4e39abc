// The C++ side of the ops table: a built-in policy (or a plugin written in
// C++) derives from Policy and gets the C table from policy_ops<T>().
//
// Policy keeps the bookkeeping every policy needs, so that each policy file
// reads as the policy alone: which vCPUs are runnable, which pCPU each runs
// on, which pCPUs are idle. A derived policy implements the queue hooks.
#pragma once

#include <cstring>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/units.h"
#include "schedulers/cpu_set.h"
#include "schedulers/sched_abi.h"

namespace vmmsim::sched {

using VcpuId = vmm_vcpu_id_t;
inline constexpr VcpuId kIdle = VMM_IDLE;
inline constexpr int kNoCpu = VMM_NO_CPU;

// Looks up a parameter (defaults already filled in by the VMM).
std::int64_t param(const vmm_param_t* params, std::uint32_t count, const char* key,
                   std::int64_t fallback);

class Policy {
 public:
  explicit Policy(const vmm_sched_config_t& config);
  virtual ~Policy() = default;
  Policy(const Policy&) = delete;
  Policy& operator=(const Policy&) = delete;

  // The operations of the ops table; each keeps the common bookkeeping and
  // calls the hooks below.
  void insert(const vmm_vcpu_info_t& info, Cycles now);
  void remove(VcpuId v, Cycles now);
  vmm_tickle_t wake(VcpuId v, Cycles now);
  void block(VcpuId v, Cycles now);
  void yield(VcpuId v, Cycles now);
  vmm_decision_t pick_next(unsigned cpu, Cycles now, VcpuId prev, Cycles ran);
  virtual bool tick(unsigned /*cpu*/, Cycles /*now*/) { return false; }
  virtual std::int64_t priority(VcpuId /*v*/) const { return 0; }
  virtual std::string dump() const { return {}; }
  // The policy's own view, for checkers (the soak): does it hold v, and
  // as runnable?
  bool holds(VcpuId v) const { return known(v); }
  bool holds_runnable(VcpuId v) const { return known(v) && m_vcpus[v].runnable; }
  int placed_on(VcpuId v) const { return known(v) ? m_vcpus[v].cpu : kNoCpu; }

 protected:
  // A new vCPU: read the VM's parameters (throw std::invalid_argument with the
  // reason if they are out of range).
  virtual void on_insert(const vmm_vcpu_info_t& info, Cycles now) = 0;
  // Put a runnable, not running vCPU in the queue (after wake or insert).
  virtual void enqueue(VcpuId v, Cycles now) = 0;
  // Take a queued vCPU out (it blocked or is removed).
  virtual void dequeue(VcpuId v) = 0;
  // prev ran `ran` cycles on cpu and is being descheduled: charge it.
  virtual void charge(VcpuId /*prev*/, unsigned /*cpu*/, Cycles /*ran*/, Cycles /*now*/) {}
  // prev is still runnable after being descheduled: queue it again.
  virtual void requeue(VcpuId prev, Cycles now) { enqueue(prev, now); }
  // Choose and dequeue the next owner of cpu (kIdle if none), and its slice.
  virtual vmm_decision_t select(unsigned cpu, Cycles now) = 0;
  // Which pCPU should reconsider after v woke; default: an idle one.
  virtual vmm_tickle_t tickle_for(VcpuId v, Cycles now);
  virtual void on_block(VcpuId /*v*/, Cycles /*now*/) {}
  virtual void on_yield(VcpuId /*v*/, Cycles /*now*/) {}
  virtual void on_wake(VcpuId /*v*/, Cycles /*now*/) {}
  virtual void on_remove(VcpuId /*v*/) {}
  // cpu's owner is now v (kIdle: nobody), after insert, pick_next or remove.
  // Policies that keep pCPUs ordered by their owner's key update it here.
  virtual void owner_changed(unsigned /*cpu*/, VcpuId /*v*/) {}

  unsigned cpus() const { return m_cpus; }
  Hertz clock() const { return m_clock; }
  std::int64_t config_param(const char* key) const;
  bool runnable(VcpuId v) const { return m_vcpus[v].runnable; }
  int running_on(VcpuId v) const { return m_vcpus[v].cpu; }
  // The vCPU's affinity (vmm_vcpu_info_t::affinity): may it run on `cpu`?
  bool allowed(VcpuId v, unsigned cpu) const {
    const CpuSet& a = m_vcpus[v].affinity;
    return a.size() == 0 || a.test(cpu);
  }
  // May v run on every pCPU? (Then the wake paths need not check affinity.)
  bool unrestricted(VcpuId v) const { return m_vcpus[v].affinity.size() == 0; }
  // v's pCPUs; only meaningful when !unrestricted(v).
  const CpuSet& affinity(VcpuId v) const { return m_vcpus[v].affinity; }
  VcpuId current(unsigned cpu) const { return m_current[cpu]; }
  std::size_t vcpu_slots() const { return m_vcpus.size(); }
  bool known(VcpuId v) const {
    return v >= 0 && static_cast<std::size_t>(v) < m_vcpus.size() && m_vcpus[v].present;
  }
  // An idle pCPU nobody has asked to reschedule yet, or kNoCpu.
  int idle_untickled_cpu() const;
  vmm_tickle_t tickle_now(int cpu, Cycles now) const { return vmm_tickle_t{cpu, now}; }

 private:
  struct VcpuState {
    bool present = false;
    bool runnable = false;
    int cpu = kNoCpu;
    CpuSet affinity;  // size 0 = every pCPU
  };
  void set_owner(unsigned cpu, VcpuId v);

  // A copy: the VMM's parameter array need not outlive create().
  std::vector<std::pair<std::string, std::int64_t>> m_params;
  unsigned m_cpus;
  Hertz m_clock;
  std::vector<VcpuState> m_vcpus;
  std::vector<VcpuId> m_current;
  CpuSet m_idle_untickled;
};

// The C trampolines shared by every C++ policy.
namespace detail {
inline void copy_error(const char* what, char* err, std::size_t len) {
  if (err && len) {
    std::strncpy(err, what, len - 1);
    err[len - 1] = '\0';
  }
}
void fill_common_ops(vmm_sched_ops_t* ops);
}  // namespace detail

// Builds the ops table of policy P (constructed from the config).
// `image_bytes`: what the policy's image occupies in the VMM's image area.
template <class P>
vmm_sched_ops_t policy_ops(const char* name, const char* description, std::uint64_t image_bytes,
                           const vmm_param_spec_t* params, std::uint32_t param_count,
                           const vmm_param_spec_t* vm_params, std::uint32_t vm_param_count) {
  vmm_sched_ops_t ops{};
  ops.abi_version = VMMSIM_SCHED_ABI_VERSION;
  ops.name = name;
  ops.description = description;
  ops.image_bytes = image_bytes;
  ops.params = params;
  ops.param_count = param_count;
  ops.vm_params = vm_params;
  ops.vm_param_count = vm_param_count;
  ops.create = [](const vmm_sched_config_t* config, char* err, std::size_t len) -> void* {
    try {
      return static_cast<Policy*>(new P(*config));
    } catch (const std::exception& e) {
      detail::copy_error(e.what(), err, len);
      return nullptr;
    }
  };
  detail::fill_common_ops(&ops);
  // A policy that does not override tick has no periodic accounting: the
  // VMM need not call it on every pCPU at every PIT tick.
  if (std::is_same_v<decltype(&P::tick), decltype(&Policy::tick)>) ops.tick = nullptr;
  return ops;
}

}  // namespace vmmsim::sched
