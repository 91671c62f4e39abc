#include "vmm/vcpu_waits.h"

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

}  // namespace vmmsim::vmm
