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

void Policy::set_owner(unsigned cpu, VcpuId v) {
  m_current[cpu] = v;
  m_idle_untickled.set(cpu, v == kIdle);
  owner_changed(cpu, v);
}

int Policy::idle_untickled_cpu() const {
  return m_idle_untickled.first();
}

void Policy::insert(const vmm_vcpu_info_t& info, Cycles now) {
  if (info.id < 0) throw std::invalid_argument("negative vCPU id");
  auto id = static_cast<std::size_t>(info.id);
  if (id >= m_vcpus.size()) m_vcpus.resize(id + 1);
  if (m_vcpus[id].present) throw std::invalid_argument("vCPU inserted twice");
  if (info.running_on != kNoCpu &&
      (info.running_on < 0 || static_cast<unsigned>(info.running_on) >= m_cpus ||
       m_current[info.running_on] != kIdle))
    throw std::invalid_argument("vCPU inserted as running on a pCPU that is not free");
  on_insert(info, now);
  m_vcpus[id].present = true;
  m_vcpus[id].affinity = CpuSet{};
  if (info.affinity) {
    m_vcpus[id].affinity.assign(m_cpus, false);
    for (unsigned c = 0; c < m_cpus && c / 8 < info.affinity_bytes; ++c)
      m_vcpus[id].affinity.set(c, (info.affinity[c / 8] >> (c % 8)) & 1u);
  }
  m_vcpus[id].runnable = info.runnable != 0;
  if (info.running_on != kNoCpu) {
    m_vcpus[id].cpu = info.running_on;
    set_owner(static_cast<unsigned>(info.running_on), info.id);
  } else if (m_vcpus[id].runnable) {
    enqueue(info.id, now);
  }
}

void Policy::remove(VcpuId v, Cycles /*now*/) {
  if (!known(v)) return;
  VcpuState& s = m_vcpus[v];
  if (s.cpu != kNoCpu)
    set_owner(static_cast<unsigned>(s.cpu), kIdle);
  else if (s.runnable)
    dequeue(v);
  on_remove(v);
  s = VcpuState{};
}

vmm_tickle_t Policy::wake(VcpuId v, Cycles now) {
  if (!known(v)) return vmm_tickle_t{kNoCpu, 0};
  VcpuState& s = m_vcpus[v];
  if (s.runnable) return vmm_tickle_t{kNoCpu, 0};
  s.runnable = true;
  on_wake(v, now);
  if (s.cpu != kNoCpu) return vmm_tickle_t{kNoCpu, 0};  // still on its pCPU
  enqueue(v, now);
  vmm_tickle_t t = tickle_for(v, now);
  if (t.cpu != kNoCpu && m_current[t.cpu] == kIdle)
    m_idle_untickled.erase(static_cast<unsigned>(t.cpu));
  return t;
}

vmm_tickle_t Policy::tickle_for(VcpuId /*v*/, Cycles now) {
  return tickle_now(idle_untickled_cpu(), now);
}

void Policy::block(VcpuId v, Cycles now) {
  if (!known(v)) return;
  VcpuState& s = m_vcpus[v];
  if (!s.runnable) return;
  s.runnable = false;
  if (s.cpu == kNoCpu) dequeue(v);
  on_block(v, now);
}

void Policy::yield(VcpuId v, Cycles now) {
  if (known(v)) on_yield(v, now);
}

vmm_decision_t Policy::pick_next(unsigned cpu, Cycles now, VcpuId prev, Cycles ran) {
  if (prev != kIdle && known(prev) && m_vcpus[prev].cpu == static_cast<int>(cpu)) {
    charge(prev, cpu, ran, now);
    m_vcpus[prev].cpu = kNoCpu;
    if (m_vcpus[prev].runnable) requeue(prev, now);
  }
  set_owner(cpu, kIdle);
  vmm_decision_t d = select(cpu, now);
  if (d.next != kIdle) {
    m_vcpus[d.next].cpu = static_cast<int>(cpu);
    set_owner(cpu, d.next);
  }
  return d;
}

namespace detail {

void fill_common_ops(vmm_sched_ops_t* ops) {
  ops->destroy = [](void* p) { delete static_cast<Policy*>(p); };
  ops->insert = [](void* p, const vmm_vcpu_info_t* info, vmm_cycles_t now, char* err,
                   std::size_t len) -> int {
    try {
      static_cast<Policy*>(p)->insert(*info, now);
      return 0;
    } catch (const std::exception& e) {
      copy_error(e.what(), err, len);
      return 1;
    }
  };
  ops->remove = [](void* p, vmm_vcpu_id_t v, vmm_cycles_t now) {
    static_cast<Policy*>(p)->remove(v, now);
  };
  ops->wake = [](void* p, vmm_vcpu_id_t v, vmm_cycles_t now) {
    return static_cast<Policy*>(p)->wake(v, now);
  };
  ops->block = [](void* p, vmm_vcpu_id_t v, vmm_cycles_t now) {
    static_cast<Policy*>(p)->block(v, now);
  };
  ops->yield = [](void* p, vmm_vcpu_id_t v, vmm_cycles_t now) {
    static_cast<Policy*>(p)->yield(v, now);
  };
  ops->tick = [](void* p, std::uint32_t cpu, vmm_cycles_t now) -> int {
    return static_cast<Policy*>(p)->tick(cpu, now) ? 1 : 0;
  };
  ops->pick_next = [](void* p, std::uint32_t cpu, vmm_cycles_t now, vmm_vcpu_id_t prev,
                      vmm_cycles_t ran) {
    return static_cast<Policy*>(p)->pick_next(cpu, now, prev, ran);
  };
  ops->priority = [](void* p, vmm_vcpu_id_t v) -> std::int64_t {
    return static_cast<Policy*>(p)->priority(v);
  };
  ops->dump = [](void* p, char* buf, std::size_t len) -> std::size_t {
    std::string s = static_cast<Policy*>(p)->dump();
    copy_error(s.c_str(), buf, len);
    return s.size();
  };
}

}  // namespace detail
}  // namespace vmmsim::sched
