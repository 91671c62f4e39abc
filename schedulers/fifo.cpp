// fifo: run to completion in arrival order, the baseline every other policy
// is compared against. One global queue; a vCPU keeps its pCPU until it
// blocks, yields or exits. See docs/schedulers.md.
#include <string>
#include <vector>

#include "schedulers/id_list.h"
#include "schedulers/policy.h"
#include "schedulers/registry.h"

namespace vmmsim::sched {
namespace {

// The image a VMM loads for this policy: a nominal size, about its code.
constexpr std::uint64_t kImageBytes = 4 * 1024;

class Fifo final : public Policy {
  friend class Policy;  // calls the hooks directly, not virtually (policy.h)

 public:
  explicit Fifo(const vmm_sched_config_t& config) : Policy(config) {}

  // Earlier in the queue runs sooner; a running vCPU keeps the place it had.
  std::int64_t priority(VcpuId v) const override { return known(v) ? -m_vcpus[v].arrival : 0; }

  std::string dump() const override {
    std::string s = "queued=" + std::to_string(m_queue.size());
    if (!m_queue.empty()) s += " head=" + std::to_string(m_queue.front());
    return s;
  }

 private:
  struct VcpuState {
    std::int64_t arrival = 0;  // queue order: front has the lowest
    bool yielded = false;      // goes to the back instead of the front
  };

  void on_insert(const vmm_vcpu_info_t& info, Cycles /*now*/) override {
    if (static_cast<std::size_t>(info.id) >= m_vcpus.size()) m_vcpus.resize(info.id + 1);
    m_vcpus[info.id] = VcpuState{};
    m_links.resize(m_vcpus.size());
  }

  void enqueue(VcpuId v, Cycles /*now*/) override {
    m_vcpus[v].arrival = m_next_back++;
    m_queue.push_back(m_links, v);
  }

  void dequeue(VcpuId v) override { m_queue.erase(m_links, v); }

  // Descheduled without yielding (a pause, a cease for replacement): it was
  // first in line, so it stays first.
  void requeue(VcpuId prev, Cycles now) override {
    VcpuState& s = m_vcpus[prev];
    if (s.yielded) {
      s.yielded = false;
      enqueue(prev, now);
      return;
    }
    s.arrival = m_next_front--;
    m_queue.push_front(m_links, prev);
  }

  vmm_decision_t select(unsigned /*cpu*/, Cycles /*now*/) override {
    if (m_queue.empty()) return vmm_decision_t{kIdle, VMM_FOREVER};
    return vmm_decision_t{m_queue.pop_front(m_links), VMM_FOREVER};
  }

  void on_yield(VcpuId v, Cycles /*now*/) override {
    if (running_on(v) != kNoCpu) m_vcpus[v].yielded = true;
  }
  void on_block(VcpuId v, Cycles /*now*/) override { m_vcpus[v].yielded = false; }

  std::vector<VcpuState> m_vcpus;
  IdLinks m_links;  // by vCPU id: the places in m_queue
  IdList m_queue;
  std::int64_t m_next_back = 1;   // arrivals at the back count up
  std::int64_t m_next_front = 0;  // returns to the front count down
};

}  // namespace

const vmm_sched_ops_t& fifo_ops() {
  static const vmm_sched_ops_t ops = policy_ops<Fifo>(
      "fifo", "run to completion in arrival order (baseline)", kImageBytes, nullptr, 0, nullptr, 0);
  return ops;
}

}  // namespace vmmsim::sched
