// rr: round robin over one global FIFO run queue. The head runs for one
// quantum; a descheduled vCPU that is still runnable and a waking vCPU go to
// the tail. A vCPU that blocks or exits hands its pCPU over at once (the VMM
// calls pick_next then). See docs/schedulers.md.
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "schedulers/id_list.h"
#include "schedulers/policy.h"
#include "schedulers/registry.h"

namespace vmmsim::sched {
namespace {

// Duration specs are in microseconds; the policy receives cycles.
// The image a VMM loads for this policy: a nominal size, about its code.
constexpr std::uint64_t kImageBytes = 6 * 1024;
constexpr std::int64_t kQuantumDefaultUs = 10'000;  // 10 ms
constexpr std::int64_t kQuantumMinUs = 1;           // below a context switch: stress studies
constexpr std::int64_t kQuantumMaxUs = 10'000'000;  // 10 s: effectively fifo

const vmm_param_spec_t kParams[] = {
    {"quantum", VMM_PARAM_DURATION, kQuantumDefaultUs, kQuantumMinUs, kQuantumMaxUs,
     "time a vCPU runs before the next in the queue gets the pCPU"},
};

class RoundRobin final : public Policy {
  friend class Policy;  // calls the hooks directly, not virtually (policy.h)

 public:
  explicit RoundRobin(const vmm_sched_config_t& config)
      : Policy(config), m_quantum(static_cast<Cycles>(config_param("quantum"))) {
    if (config_param("quantum") <= 0)
      throw std::invalid_argument("rr: quantum must be at least one cycle");
  }

  // Nearer the head runs sooner; a running vCPU keeps the place it had.
  std::int64_t priority(VcpuId v) const override { return known(v) ? -m_vcpus[v].queued_at : 0; }

  std::string dump() const override {
    std::string s =
        "quantum=" + std::to_string(m_quantum) + " queued=" + std::to_string(m_queue.size());
    if (!m_queue.empty()) s += " head=" + std::to_string(m_queue.front());
    return s;
  }

 private:
  struct VcpuState {
    std::int64_t queued_at = 0;  // tail sequence number when queued
  };

  void on_insert(const vmm_vcpu_info_t& info, Cycles /*now*/) override {
    if (static_cast<std::size_t>(info.id) >= m_vcpus.size()) m_vcpus.resize(info.id + 1);
    m_vcpus[info.id] = VcpuState{};
    m_links.resize(m_vcpus.size());
  }

  void enqueue(VcpuId v, Cycles /*now*/) override {
    m_vcpus[v].queued_at = m_next_seq++;
    m_queue.push_back(m_links, v);
  }

  void dequeue(VcpuId v) override { m_queue.erase(m_links, v); }

  vmm_decision_t select(unsigned /*cpu*/, Cycles /*now*/) override {
    // An idle pCPU sleeps until a wake tickles it.
    if (m_queue.empty()) return vmm_decision_t{kIdle, VMM_FOREVER};
    return vmm_decision_t{m_queue.pop_front(m_links), m_quantum};
  }

  const Cycles m_quantum;
  std::vector<VcpuState> m_vcpus;
  IdLinks m_links;  // by vCPU id: the places in m_queue
  IdList m_queue;
  std::int64_t m_next_seq = 0;
};

}  // namespace

const vmm_sched_ops_t& rr_ops() {
  static const vmm_sched_ops_t ops =
      policy_ops<RoundRobin>("rr", "round robin with a fixed quantum, one global queue", kImageBytes, kParams,
                             std::size(kParams), nullptr, 0);
  return ops;
}

}  // namespace vmmsim::sched
