#include "schedulers/policy.h"

#include <stdexcept>

namespace vmmsim::sched {

std::int64_t param(const vmm_param_t* params, std::uint32_t count, const char* key,
                   std::int64_t fallback) {
  for (std::uint32_t i = 0; i < count; ++i)
    if (std::strcmp(params[i].key, key) == 0) return params[i].value;
  return fallback;
}

Policy::Policy(const vmm_sched_config_t& config)
    : m_cpus(config.cpus), m_clock(config.clock_hz), m_current(config.cpus, kIdle) {
  if (m_cpus == 0) throw std::invalid_argument("a scheduler needs at least one pCPU");
  for (std::uint32_t i = 0; i < config.param_count; ++i)
    m_params.emplace_back(config.params[i].key, config.params[i].value);
  m_idle_untickled.assign(m_cpus, true);
}

std::int64_t Policy::config_param(const char* key) const {
  for (const auto& [k, value] : m_params)
    if (k == key) return value;
  return 0;
}

int Policy::idle_untickled_cpu() const {
  return m_idle_untickled.first();
}

void Policy::admit(const vmm_vcpu_info_t& info) {
  if (info.id < 0) throw std::invalid_argument("negative vCPU id");
  auto id = static_cast<std::size_t>(info.id);
  if (id >= m_vcpus.size()) m_vcpus.resize(id + 1);
  if (m_vcpus[id].present) throw std::invalid_argument("vCPU inserted twice");
  if (info.running_on != kNoCpu &&
      (info.running_on < 0 || static_cast<unsigned>(info.running_on) >= m_cpus ||
       m_current[info.running_on] != kIdle))
    throw std::invalid_argument("vCPU inserted as running on a pCPU that is not free");
}

void Policy::record_inserted(const vmm_vcpu_info_t& info) {
  auto id = static_cast<std::size_t>(info.id);
  m_vcpus[id].present = true;
  m_vcpus[id].affinity = affinity_of(info);
  m_vcpus[id].runnable = info.runnable != 0;
  if (info.running_on != kNoCpu) m_vcpus[id].cpu = info.running_on;
}

CpuSet Policy::affinity_of(const vmm_vcpu_info_t& info) const {
  CpuSet mask;
  if (!info.affinity) return mask;
  mask.assign(m_cpus, false);
  for (unsigned c = 0; c < m_cpus && c / 8 < info.affinity_bytes; ++c)
    mask.set(c, (info.affinity[c / 8] >> (c % 8)) & 1u);
  return mask;
}

vmm_tickle_t Policy::tickle_for(VcpuId /*v*/, Cycles now) {
  return tickle_now(idle_untickled_cpu(), now);
}

}  // namespace vmmsim::sched
