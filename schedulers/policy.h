// The C++ side of the ops table: a built-in policy (or a plugin written in
// C++) derives from Policy and gets the C table from policy_ops<T>().
//
// Policy keeps the bookkeeping every policy needs, so that each policy file
// reads as the policy alone: which vCPUs are runnable, which pCPU each runs
// on, which pCPUs are idle. A derived policy implements the queue hooks.
//
// Calls. The VMM makes one indirect call per request, through the C table
// (the mechanism modelled). Behind it, policy_ops<P> runs the bookkeeping
// instantiated for P itself, so every hook is a direct call, inlined where
// the compiler sees fit, not a virtual one: P is `final` and lets Policy
// call its hooks (`friend class Policy;`). The hooks stay virtual for code
// that holds a Policy (the default Self of the operations).
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
  // calls the hooks below through Self, the policy's own type (Policy: as
  // virtual calls). Below the class.
  template <class Self = Policy>
  void insert(const vmm_vcpu_info_t& info, Cycles now);
  template <class Self = Policy>
  void remove(VcpuId v, Cycles now);
  template <class Self = Policy>
  vmm_tickle_t wake(VcpuId v, Cycles now);
  template <class Self = Policy>
  void block(VcpuId v, Cycles now);
  template <class Self = Policy>
  void yield(VcpuId v, Cycles now);
  template <class Self = Policy>
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
  virtual void on_remove(VcpuId /*v*/, Cycles /*now*/) {}
  // cpu's owner is now v (kIdle: nobody), after insert, pick_next or remove.
  // Policies that keep pCPUs ordered by their owner's key update it here.
  // A kIdle is followed, before any other hook, by select (pick_next) or
  // on_remove (remove): bvt, rtds, credit2 and eevdf finish it there, so
  // that a decision with a next owner moves its pCPU once.
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
  // v's pCPUs; size 0 when it may run on every pCPU (unrestricted).
  const CpuSet& affinity(VcpuId v) const { return m_vcpus[v].affinity; }
  // The pCPUs vmm_vcpu_info_t::affinity names (size 0: every pCPU), as
  // affinity() will hold them once the vCPU is inserted.
  CpuSet affinity_of(const vmm_vcpu_info_t& info) const;
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
  template <class Self>
  void set_owner(unsigned cpu, VcpuId v);
  // prev, descheduled and still runnable, back in the queue: requeue, or
  // enqueue where Self keeps the default (then no virtual call either).
  template <class Self>
  void requeue_as(Self& self, VcpuId prev, Cycles now);
  // insert's bookkeeping before on_insert (checks, throws) and after it.
  void admit(const vmm_vcpu_info_t& info);
  void record_inserted(const vmm_vcpu_info_t& info);

  // A copy: the VMM's parameter array need not outlive create().
  std::vector<std::pair<std::string, std::int64_t>> m_params;
  unsigned m_cpus;
  Hertz m_clock;
  std::vector<VcpuState> m_vcpus;
  std::vector<VcpuId> m_current;
  CpuSet m_idle_untickled;
};

// --- the operations, for any Self derived from Policy ---

template <class Self>
void Policy::set_owner(unsigned cpu, VcpuId v) {
  m_current[cpu] = v;
  m_idle_untickled.set(cpu, v == kIdle);
  static_cast<Self&>(*this).owner_changed(cpu, v);
}

template <class Self>
void Policy::requeue_as(Self& self, VcpuId prev, Cycles now) {
  if constexpr (!std::is_same_v<Self, Policy> &&
                std::is_same_v<decltype(&Self::requeue), decltype(&Policy::requeue)>)
    self.enqueue(prev, now);  // Self keeps the default
  else
    self.requeue(prev, now);
}

template <class Self>
void Policy::insert(const vmm_vcpu_info_t& info, Cycles now) {
  Self& self = static_cast<Self&>(*this);
  admit(info);
  self.on_insert(info, now);
  record_inserted(info);
  if (info.running_on != kNoCpu)
    set_owner<Self>(static_cast<unsigned>(info.running_on), info.id);
  else if (m_vcpus[info.id].runnable)
    self.enqueue(info.id, now);
}

template <class Self>
void Policy::remove(VcpuId v, Cycles now) {
  if (!known(v)) return;
  Self& self = static_cast<Self&>(*this);
  VcpuState& s = m_vcpus[v];
  if (s.cpu != kNoCpu)
    set_owner<Self>(static_cast<unsigned>(s.cpu), kIdle);
  else if (s.runnable)
    self.dequeue(v);
  self.on_remove(v, now);
  s = VcpuState{};
}

template <class Self>
vmm_tickle_t Policy::wake(VcpuId v, Cycles now) {
  if (!known(v)) return vmm_tickle_t{kNoCpu, 0};
  Self& self = static_cast<Self&>(*this);
  VcpuState& s = m_vcpus[v];
  if (s.runnable) return vmm_tickle_t{kNoCpu, 0};
  s.runnable = true;
  self.on_wake(v, now);
  if (s.cpu != kNoCpu) return vmm_tickle_t{kNoCpu, 0};  // still on its pCPU
  self.enqueue(v, now);
  vmm_tickle_t t = self.tickle_for(v, now);
  if (t.cpu != kNoCpu && m_current[t.cpu] == kIdle)
    m_idle_untickled.erase(static_cast<unsigned>(t.cpu));
  return t;
}

template <class Self>
void Policy::block(VcpuId v, Cycles now) {
  if (!known(v)) return;
  Self& self = static_cast<Self&>(*this);
  VcpuState& s = m_vcpus[v];
  if (!s.runnable) return;
  s.runnable = false;
  if (s.cpu == kNoCpu) self.dequeue(v);
  self.on_block(v, now);
}

template <class Self>
void Policy::yield(VcpuId v, Cycles now) {
  if (known(v)) static_cast<Self&>(*this).on_yield(v, now);
}

template <class Self>
vmm_decision_t Policy::pick_next(unsigned cpu, Cycles now, VcpuId prev, Cycles ran) {
  Self& self = static_cast<Self&>(*this);
  if (prev != kIdle && known(prev) && m_vcpus[prev].cpu == static_cast<int>(cpu)) {
    self.charge(prev, cpu, ran, now);
    m_vcpus[prev].cpu = kNoCpu;
    if (m_vcpus[prev].runnable) requeue_as(self, prev, now);
  }
  set_owner<Self>(cpu, kIdle);
  vmm_decision_t d = self.select(cpu, now);
  if (d.next != kIdle) {
    m_vcpus[d.next].cpu = static_cast<int>(cpu);
    set_owner<Self>(cpu, d.next);
  }
  return d;
}

// --- the C table ---

namespace detail {
inline void copy_error(const char* what, char* err, std::size_t len) {
  if (err && len) {
    std::strncpy(err, what, len - 1);
    err[len - 1] = '\0';
  }
}
// The instance behind the table's void*: create() returns a Policy*.
template <class P>
P& self(void* p) {
  return static_cast<P&>(*static_cast<Policy*>(p));
}
}  // namespace detail

// Builds the ops table of policy P (constructed from the config; P is final
// and declares `friend class Policy;`). `image_bytes`: what the policy's
// image occupies in the VMM's image area.
template <class P>
vmm_sched_ops_t policy_ops(const char* name, const char* description, std::uint64_t image_bytes,
                           const vmm_param_spec_t* params, std::uint32_t param_count,
                           const vmm_param_spec_t* vm_params, std::uint32_t vm_param_count) {
  static_assert(std::is_final_v<P>, "a policy is final: its hooks are then called directly");
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
  ops.destroy = [](void* p) { delete &detail::self<P>(p); };
  ops.insert = [](void* p, const vmm_vcpu_info_t* info, vmm_cycles_t now, char* err,
                  std::size_t len) -> int {
    try {
      detail::self<P>(p).template insert<P>(*info, now);
      return 0;
    } catch (const std::exception& e) {
      detail::copy_error(e.what(), err, len);
      return 1;
    }
  };
  ops.remove = [](void* p, vmm_vcpu_id_t v, vmm_cycles_t now) {
    detail::self<P>(p).template remove<P>(v, now);
  };
  ops.wake = [](void* p, vmm_vcpu_id_t v, vmm_cycles_t now) {
    return detail::self<P>(p).template wake<P>(v, now);
  };
  ops.block = [](void* p, vmm_vcpu_id_t v, vmm_cycles_t now) {
    detail::self<P>(p).template block<P>(v, now);
  };
  ops.yield = [](void* p, vmm_vcpu_id_t v, vmm_cycles_t now) {
    detail::self<P>(p).template yield<P>(v, now);
  };
  // A policy that does not override tick has no periodic accounting: the
  // VMM need not call it on every pCPU at every PIT tick.
  if constexpr (std::is_same_v<decltype(&P::tick), decltype(&Policy::tick)>) {
    ops.tick = nullptr;
  } else {
    ops.tick = [](void* p, std::uint32_t cpu, vmm_cycles_t now) -> int {
      return detail::self<P>(p).tick(cpu, now) ? 1 : 0;
    };
  }
  ops.pick_next = [](void* p, std::uint32_t cpu, vmm_cycles_t now, vmm_vcpu_id_t prev,
                     vmm_cycles_t ran) {
    return detail::self<P>(p).template pick_next<P>(cpu, now, prev, ran);
  };
  ops.priority = [](void* p, vmm_vcpu_id_t v) -> std::int64_t {
    return detail::self<P>(p).priority(v);
  };
  ops.dump = [](void* p, char* buf, std::size_t len) -> std::size_t {
    std::string s = detail::self<P>(p).dump();
    detail::copy_error(s.c_str(), buf, len);
    return s.size();
  };
  return ops;
}

}  // namespace vmmsim::sched
