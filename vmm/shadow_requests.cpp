// Starting, ending and promoting the shadow scheduler (vmm/shadow.h) on a
// service VM's sched-shadow / sched-unshadow, the command line's --shadow
// and a sched-load of its target. Part of vmm::Vmm.
#include <fmt/format.h>

#include "vmm/scheduler_params.h"
#include "vmm/vmm.h"

namespace vmmsim::vmm {
namespace {

constexpr std::uint64_t kDefaultBudgetNs = 10'000'000;  // 10 ms of host time per call
constexpr Hertz kNanosecondClock = 1'000'000'000;       // host durations parse as nanoseconds

// The shadow's own keys out of `request.params`, the scheduler's into
// s->params (resolve_scheduler_params, as a load's); "" or why.
std::string shadow_setup(const workload::ControlRequest& request, const config::Config& config, Shadow::Setup* s) {
  s->budget_ns = kDefaultBudgetNs;
  std::vector<std::pair<std::string, std::string>> scheduler_words;
  for (const auto& [key, text] : request.params) {
    if (key != "tolerance" && key != "host_budget") {
      scheduler_words.emplace_back(key, text);
      continue;
    }
    std::string why;
    auto v = parse_duration(text, key == "tolerance" ? config.platform.clock : kNanosecondClock, &why);
    if (!v) return fmt::format("{}={}: expected {}", key, text, why);
    (key == "tolerance" ? s->tolerance : s->budget_ns) = *v;
  }
  std::string why;
  resolve_scheduler_params(s->image, scheduler_words, config, &s->params, &why,
                           "a shadow also takes tolerance= and host_budget=");
  return why;
}

}  // namespace

std::string Vmm::start_shadow(const workload::ControlRequest& request, const char* requester) {
  const Cycles now = m_clock.now();
  std::string why;
  if (m_shadow.on()) {
    why = fmt::format("{} is already in shadow; expected sched-unshadow first (one shadow at a time)",
                      m_shadow.target());
    m_shadow.rejected(request.target, requester, why, now);
    return why;
  }
  Shadow::Setup setup;
  setup.target = request.target;
  setup.requester = requester;
  if (open_image(request.target, &setup.image, &why)) why = shadow_setup(request, m_config, &setup);
  if (why.empty()) why = m_shadow.start(std::move(setup), now);
  if (!why.empty()) {
    m_shadow.rejected(request.target, requester, why, now);
    return why;
  }
  // Every live vCPU, as migrate_into gives them to a new scheduler: its run
  // state, the pCPU it is on, its VM's parameters and affinity.
  for (const Vcpu& v : m_vcpus) {
    if (v.state == RunState::Exited || v.state == RunState::Halted) continue;
    int on = VMM_NO_CPU;
    for (std::size_t c = 0; c < m_dispatch.size(); ++c)
      if (m_dispatch[c].owner == v.id()) on = static_cast<int>(c);
    const auto& params = m_vm_params[v.vm()];
    const std::vector<std::uint8_t>& affinity = m_config.vms[v.vm()].affinity;
    const bool runnable = v.state == RunState::Runnable || v.state == RunState::Running;
    vmm_vcpu_info_t info{v.id(),
                         v.vm(),
                         v.index(),
                         runnable ? 1 : 0,
                         v.state == RunState::Running ? on : VMM_NO_CPU,
                         params.data(),
                         static_cast<std::uint32_t>(params.size()),
                         affinity.empty() ? nullptr : affinity.data(),
                         static_cast<std::uint32_t>(affinity.size())};
    m_shadow.insert(info, now);
    if (!m_shadow.on()) break;  // refused: dropped with the reason
  }
  return "";
}

std::string Vmm::end_shadow(const char* requester) {
  if (!m_shadow.on()) {
    std::string why = "no shadow is on; expected sched-shadow first";
    m_shadow.rejected("", requester, why, m_clock.now());
    return why;
  }
  m_shadow.stop("ended", m_clock.now());
  return "";
}

void Vmm::promote_shadow(const workload::ControlRequest& load) {
  // Its state does not carry over: the load creates a fresh instance.
  if (m_shadow.on() && load.target == m_shadow.target()) m_shadow.stop("promoted", m_clock.now());
}

std::vector<report::ShadowResult> Vmm::shadow_results() const { return m_shadow.results(m_clock.now()); }

std::string Vmm::shadow_control(const workload::ControlRequest& request, const char* requester) {
  return request.kind == workload::ControlRequest::Kind::Shadow ? start_shadow(request, requester)
                                                                : end_shadow(requester);
}

}  // namespace vmmsim::vmm
