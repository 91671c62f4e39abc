// bvt: Borrowed Virtual Time (Duda & Cheriton, SOSP'99), after Xen 2.0
// xen/common/sched_bvt.c. Each vCPU accrues actual virtual time (avt) at the
// inverse of its weight; the runnable vCPU with the lowest effective virtual
// time (evt = avt - warp while warping) runs. Deviations from Xen, both in
// docs/schedulers.md: one global queue for all pCPUs (Xen 2.0 pinned domains
// to per-CPU queues), and the slice converts MCUs to cycles (Xen added an MCU
// count to nanoseconds).
#include <algorithm>
#include <functional>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "schedulers/cpu_heap.h"
#include "schedulers/indexed_heap.h"
#include "schedulers/policy.h"
#include "schedulers/registry.h"

namespace vmmsim::sched {
namespace {

// Virtual time: MCUs run x mcu_advance. 64 bits never wrap in a simulation.
using VirtualTime = std::int64_t;

// The image a VMM loads for this policy: a nominal size, about its code.
constexpr std::uint64_t kImageBytes = 12 * 1024;
constexpr std::int64_t kMcuUs = 100;  // minimum charging unit, 100 us as in Xen
// mcu_advance = kAdvanceScale / weight; 2^12 * 5^4 keeps common weight ratios
// exact (256 -> 10000, 512 -> 5000, 1000 -> 2560).
constexpr VirtualTime kAdvanceScale = 2'560'000;
constexpr std::int64_t kWeightDefault = 256;
constexpr std::int64_t kWeightMax = 65535;
constexpr std::int64_t kCtxAllowDefaultUs = 5'000;   // context-switch allowance, 5 ms
constexpr Cycles kAloneSliceFactor = 10;             // Xen's slice with nobody else queued
constexpr std::int64_t kMaxDurationUs = 10'000'000;  // 10 s

// Duration specs are in microseconds; the policy receives cycles.
const vmm_param_spec_t kParams[] = {
    {"ctx_allow", VMM_PARAM_DURATION, kCtxAllowDefaultUs, kMcuUs, 1'000'000,
     "context-switch allowance: the least a vCPU runs before a waking one preempts it"},
};

const vmm_param_spec_t kVmParams[] = {
    {"weight", VMM_PARAM_INTEGER, kWeightDefault, 1, kWeightMax,
     "CPU share of each vCPU of the VM, relative to other vCPUs"},
    {"warp", VMM_PARAM_DURATION, 0, 0, kMaxDurationUs,
     "how far a woken vCPU jumps ahead, in its own CPU time (0: no warp)"},
    {"warp_limit", VMM_PARAM_DURATION, 0, 0, kMaxDurationUs,
     "L: longest a vCPU stays warped after a wake (0: unlimited)"},
    {"unwarp_min", VMM_PARAM_DURATION, 0, 0, kMaxDurationUs,
     "U: least time unwarped after hitting L before it may warp again"},
};

class Bvt final : public Policy {
  friend class Policy;  // calls the hooks directly, not virtually (policy.h)

 public:
  explicit Bvt(const vmm_sched_config_t& config)
      : Policy(config),
        m_mcu(clock() * kMcuUs / 1'000'000),
        m_ctx_allow(static_cast<Cycles>(config_param("ctx_allow"))),
        m_dispatched(config.cpus, 0),
        m_by_evt(config.cpus) {
    if (m_mcu == 0) throw std::invalid_argument("bvt: the clock is too slow for a 100 us MCU");
    if (config_param("ctx_allow") <= 0)
      throw std::invalid_argument("bvt: ctx_allow must be at least one cycle");
  }

  // Lower evt runs sooner.
  std::int64_t priority(VcpuId v) const override { return known(v) ? -m_vcpus[v].evt : 0; }

  std::string dump() const override {
    return "svt=" + std::to_string(svt()) + " queued=" + std::to_string(m_queue.size());
  }

 private:
  struct VcpuState {
    VirtualTime avt = 0;  // actual virtual time
    VirtualTime evt = 0;  // effective virtual time, the queue order
    VirtualTime mcu_advance = kAdvanceScale / kWeightDefault;
    VirtualTime warp = 0;            // in virtual time
    Cycles warp_limit = 0;           // L; 0 means unlimited
    Cycles unwarp_min = 0;           // U
    bool warpback = false;           // may warp (set on wake, cleared on block or at L)
    Cycles warped = 0;               // last wake, when warping began
    std::optional<Cycles> unwarped;  // when a warp last ended or was refused
    bool counted_in_svt = false;     // runnable: its avt takes part in SVT
  };

  // --- virtual time ---

  VirtualTime min_runnable_avt() const { return value_of(m_runnable_avt.top_key()); }
  VirtualTime svt() const { return m_runnable_avt.empty() ? m_svt : min_runnable_avt(); }
  // Kept so that SVT survives a moment with nobody runnable.
  void note_svt() {
    if (!m_runnable_avt.empty()) m_svt = std::max(m_svt, min_runnable_avt());
  }
  void count_in_svt(VcpuId v) {
    m_runnable_avt.set(static_cast<unsigned>(v), integer_key(m_vcpus[v].avt, static_cast<std::uint64_t>(v)));
    m_vcpus[v].counted_in_svt = true;
    note_svt();
  }
  void uncount_from_svt(VcpuId v) {
    if (!m_vcpus[v].counted_in_svt) return;
    m_runnable_avt.erase(static_cast<unsigned>(v));
    m_vcpus[v].counted_in_svt = false;
    note_svt();
  }

  // Xen's __calc_evt: warp while within L of the wake and U past the last unwarp.
  void calc_evt(VcpuState& s, Cycles now) {
    if (!s.warpback) {
      s.evt = s.avt;
      return;
    }
    bool within_limit = s.warp_limit == 0 || now - s.warped < s.warp_limit;
    bool rested = !s.unwarped || now - *s.unwarped > s.unwarp_min;
    if (within_limit && rested) {
      s.evt = s.avt - s.warp;
    } else {
      s.evt = s.avt;
      s.unwarped = now;
      s.warpback = false;
    }
  }

  // "Warp by this much of the VM's own CPU time": cycles -> MCUs -> virtual time.
  VirtualTime to_virtual(Cycles cycles, VirtualTime mcu_advance) const {
    return static_cast<VirtualTime>(cycles / m_mcu) * mcu_advance +
           static_cast<VirtualTime>(cycles % m_mcu) * mcu_advance / static_cast<VirtualTime>(m_mcu);
  }

  // --- hooks ---

  void on_insert(const vmm_vcpu_info_t& info, Cycles now) override {
    auto vm_param = [&](const char* key, std::int64_t fallback) {
      return param(info.vm_params, info.vm_param_count, key, fallback);
    };
    std::int64_t weight = vm_param("weight", kWeightDefault);
    if (weight < 1 || weight > kWeightMax)
      throw std::invalid_argument("bvt: VM " + std::to_string(info.vm) + ": weight " +
                                  std::to_string(weight) + " is out of range 1..65535");
    for (const char* key : {"warp", "warp_limit", "unwarp_min"})
      if (vm_param(key, 0) < 0)
        throw std::invalid_argument("bvt: VM " + std::to_string(info.vm) + ": " + key +
                                    " must not be negative");

    if (static_cast<std::size_t>(info.id) >= m_vcpus.size()) {
      m_vcpus.resize(info.id + 1);
      m_queue.grow(static_cast<unsigned>(m_vcpus.size()));
      m_runnable_avt.grow(static_cast<unsigned>(m_vcpus.size()));
    }
    VcpuState& s = m_vcpus[info.id];
    s = VcpuState{};
    s.mcu_advance = kAdvanceScale / weight;
    s.warp = to_virtual(static_cast<Cycles>(vm_param("warp", 0)), s.mcu_advance);
    s.warp_limit = static_cast<Cycles>(vm_param("warp_limit", 0));
    s.unwarp_min = static_cast<Cycles>(vm_param("unwarp_min", 0));
    s.avt = s.evt = svt();  // a newcomer starts level with the others
    if (info.runnable) count_in_svt(info.id);
    if (info.running_on != kNoCpu) m_dispatched[info.running_on] = now;
  }

  void enqueue(VcpuId v, Cycles /*now*/) override {
    m_queue.set(static_cast<unsigned>(v), integer_key(m_vcpus[v].evt, m_next_seq++));
  }

  void dequeue(VcpuId v) override { m_queue.erase(static_cast<unsigned>(v)); }

  void charge(VcpuId prev, unsigned /*cpu*/, Cycles ran, Cycles now) override {
    VcpuState& s = m_vcpus[prev];
    bool counted = s.counted_in_svt;
    if (counted) uncount_from_svt(prev);
    Cycles mcus = ran / m_mcu + (ran % m_mcu != 0);  // a started MCU is charged whole
    s.avt += static_cast<VirtualTime>(mcus) * s.mcu_advance;
    calc_evt(s, now);
    if (counted) count_in_svt(prev);
  }

  vmm_decision_t select(unsigned cpu, Cycles now) override {
    m_dispatched[cpu] = now;
    if (m_queue.empty()) {
      place_unplaced();
      return vmm_decision_t{kIdle, VMM_FOREVER};  // a wake tickles it
    }
    const VirtualTime next_evt = value_of(m_queue.top_key());
    const auto next = static_cast<VcpuId>(m_queue.pop());
    if (m_queue.empty()) return vmm_decision_t{next, kAloneSliceFactor * m_ctx_allow};
    // Run until next's evt passes next_prime's, plus the allowance. Xen added
    // this MCU count to nanoseconds; here MCUs become cycles.
    const VirtualTime next_prime_evt = value_of(m_queue.top_key());
    auto mcus = static_cast<Cycles>((next_prime_evt - next_evt) / m_vcpus[next].mcu_advance);
    Cycles limit = (VMM_FOREVER - 1 - m_ctx_allow) / m_mcu;  // never reaches VMM_FOREVER
    return vmm_decision_t{next, std::min(mcus, limit) * m_mcu + m_ctx_allow};
  }

  // An idle pCPU, else the one running the largest evt; its owner keeps the
  // pCPU for at least ctx_allow since its dispatch.
  vmm_tickle_t tickle_for(VcpuId /*v*/, Cycles now) override {
    int idle = idle_untickled_cpu();
    if (idle != kNoCpu) return tickle_now(idle, now);
    int victim = m_by_evt.top();  // idle pCPUs are not in it: tickled, they pick soon
    if (victim == kNoCpu) return vmm_tickle_t{kNoCpu, 0};
    return vmm_tickle_t{victim, std::max(now, m_dispatched[victim] + m_ctx_allow)};
  }

  void on_wake(VcpuId v, Cycles now) override {
    VcpuState& s = m_vcpus[v];
    s.avt = std::max(s.avt, svt());  // a long sleep earns no credit
    s.warpback = true;
    s.warped = now;
    calc_evt(s, now);
    count_in_svt(v);
    if (int cpu = running_on(v); cpu != kNoCpu) m_by_evt.set(static_cast<unsigned>(cpu), s.evt);
  }

  // A pCPU left idle by pick_next or remove leaves m_by_evt at select's
  // idle decision or on_remove, the next hook of either: a decision that
  // finds a next owner moves the pCPU once, not out and in (m_by_evt is
  // read by wakes only).
  void owner_changed(unsigned cpu, VcpuId v) override {
    if (v == kIdle) {
      m_unplaced = static_cast<int>(cpu);
      return;
    }
    if (m_unplaced == static_cast<int>(cpu)) m_unplaced = kNoCpu;
    m_by_evt.set(cpu, m_vcpus[v].evt);
  }
  void place_unplaced() {
    if (m_unplaced == kNoCpu) return;
    m_by_evt.erase(static_cast<unsigned>(m_unplaced));
    m_unplaced = kNoCpu;
  }

  void on_block(VcpuId v, Cycles /*now*/) override {
    m_vcpus[v].warpback = false;
    uncount_from_svt(v);
  }

  void on_remove(VcpuId v, Cycles /*now*/) override {
    place_unplaced();
    uncount_from_svt(v);
  }

  const Cycles m_mcu;        // one MCU in cycles
  const Cycles m_ctx_allow;  // cycles
  std::vector<VcpuState> m_vcpus;
  std::vector<Cycles> m_dispatched;  // per pCPU: when its owner was dispatched
  // Busy pCPUs by their owner's evt, largest first (ties: lowest pCPU): the
  // victim of a wake in O(1), kept in O(log pCPUs) per dispatch.
  CpuHeap<VirtualTime, std::greater<VirtualTime>> m_by_evt;
  // Keyed by integer_key: compared without a branch (a branch on a virtual time is a coin toss).
  VcpuHeap<IntegerKey> m_queue;         // queued (runnable, not running) by evt, then who came first
  VcpuHeap<IntegerKey> m_runnable_avt;  // by avt, then vCPU id: SVT is the minimum
  VirtualTime m_svt = 0;
  int m_unplaced = kNoCpu;  // left idle by owner_changed, not yet out of m_by_evt
  std::uint64_t m_next_seq = 0;
};

}  // namespace

const vmm_sched_ops_t& bvt_ops() {
  static const vmm_sched_ops_t ops =
      policy_ops<Bvt>("bvt", "Borrowed Virtual Time (Duda & Cheriton SOSP'99, Xen 2.0 sched_bvt)",
                      kImageBytes, kParams, std::size(kParams), kVmParams, std::size(kVmParams));
  return ops;
}

}  // namespace vmmsim::sched
