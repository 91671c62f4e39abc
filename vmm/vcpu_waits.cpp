#include "vmm/vcpu_waits.h"

#include <algorithm>

namespace vmmsim::vmm {

void VcpuWaits::log(VcpuId id, Cycles wait) {
  m_log[m_logged++] = Logged{static_cast<std::size_t>(id), wait};
  if (m_logged == kLog) add_logged();
}

void VcpuWaits::add_logged() const {
  // Each add's two lines are asked for ahead of it: the histogram's first
  // line 16 samples ahead, then, 8 ahead, the counter's line it points to.
  constexpr std::size_t kFirstLine = 16, kCounter = 8;
  for (std::size_t i = 0; i < m_logged; ++i) {
    if (i + kFirstLine < m_logged) __builtin_prefetch(&m_histograms[m_log[i + kFirstLine].vcpu]);
    if (i + kCounter < m_logged) m_histograms[m_log[i + kCounter].vcpu].prefetch(m_log[i + kCounter].wait);
    m_histograms[m_log[i].vcpu].add(m_log[i].wait);
  }
  m_logged = 0;
}

Histogram VcpuWaits::of(VcpuId id) const {
  add_logged();
  const auto v = static_cast<std::size_t>(id);
  if (m_closed.empty()) return m_histograms[v];
  Histogram all = m_closed[v];
  all.merge(m_histograms[v]);
  return all;
}

std::uint64_t VcpuWaits::sum_of(VcpuId id) const {
  add_logged();
  const auto v = static_cast<std::size_t>(id);
  return m_histograms[v].sum() + (m_closed.empty() ? 0 : m_closed[v].sum());
}

std::vector<Histogram> VcpuWaits::open_by_vm() const {
  add_logged();
  std::vector<Histogram> by_vm(m_vms);
  for (std::size_t v = 0; v < m_histograms.size(); ++v) by_vm[m_vm_of[v]].merge(m_histograms[v]);
  return by_vm;
}

std::vector<Histogram> VcpuWaits::close_epoch() {
  std::vector<Histogram> by_vm = open_by_vm();
  // An epoch with no wait keeps nothing: the one a run opens and closes at
  // its start leaves m_closed empty, so a run with no swap keeps one
  // histogram per vCPU and reads it as it is.
  if (std::all_of(by_vm.begin(), by_vm.end(), [](const Histogram& h) { return h.count() == 0; })) return by_vm;
  if (m_closed.empty()) m_closed.resize(m_histograms.size());
  for (std::size_t v = 0; v < m_histograms.size(); ++v) {
    m_closed[v].merge(m_histograms[v]);
    m_histograms[v] = Histogram{};
  }
  return by_vm;
}

}  // namespace vmmsim::vmm
