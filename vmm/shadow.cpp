#include "vmm/shadow.h"

#include <exception>

#include <fmt/format.h>

#include "base/host_clock.h"

namespace vmmsim::vmm {
namespace {

constexpr const char* kKindNames[] = {"insert", "pick_next", "wake", "tick", "yield", "block", "remove", "priority"};
// The kinds with an answer to compare; the others only count.
constexpr bool kAnswered[] = {false, true, true, true, false, false, false, true};

// -1, 0 or 1 as a is below, equal to or above b (no subtraction: no overflow).
int order(std::int64_t a, std::int64_t b) { return (a > b) - (a < b); }

}  // namespace

Shadow::~Shadow() { destroy(); }

void Shadow::destroy() {
  void* instance = m_instance;
  m_instance = nullptr;
  if (!instance) return;
  try {  // what a dropped shadow's destroy throws changes nothing
    m_setup.image.ops->destroy(instance);
  } catch (...) {
  }
}

std::string Shadow::start(Setup setup, Cycles now) {
  m_setup = std::move(setup);
  m_param_array.clear();
  for (const auto& [key, value] : m_setup.params) m_param_array.push_back({key.c_str(), value});
  vmm_sched_config_t config{m_cpus, m_clock, m_param_array.data(), static_cast<std::uint32_t>(m_param_array.size())};
  char reason[256] = "";
  try {
    m_instance = m_setup.image.ops->create(&config, reason, sizeof reason);
  } catch (const std::exception& e) {
    return std::string("create threw: ") + e.what();
  } catch (...) {
    return "create threw an exception that is not a std::exception";
  }
  reason[sizeof reason - 1] = '\0';
  if (!m_instance) return reason[0] ? reason : "create failed";
  m_on = true;
  m_view.assign(m_vcpus.size(), View::Unknown);
  m_owner.assign(m_cpus, kNone);
  for (Count& c : m_counts) c = Count{};
  m_last_priority_vcpu = kNone;
  m_current = report::ShadowResult{};
  m_current.target = m_setup.target;
  m_current.requester = m_setup.requester;
  m_current.status = "running";
  m_current.from = now;
  m_current.tolerance = m_setup.tolerance;
  return "";
}

void Shadow::rejected(const std::string& target, const std::string& requester, std::string reason, Cycles now) {
  report::ShadowResult r;
  r.target = target;
  r.requester = requester;
  r.status = "rejected";
  r.reason = std::move(reason);
  r.from = r.to = now;
  m_done.push_back(std::move(r));
}

template <typename Call>
bool Shadow::call(const char* op, Call&& fn) {
  const HostClock::time_point begin = HostClock::now();
  try {
    fn();
  } catch (const std::exception& e) {
    drop(fmt::format("threw from {}: {}", op, e.what()));
    return false;
  } catch (...) {
    drop(fmt::format("threw from {}: an exception that is not a std::exception", op));
    return false;
  }
  const std::uint64_t ns = host_ns_since(begin);
  m_last_call_ns = ns;
  m_current.host_ns += ns;
  ++m_current.host_calls;
  // Checked after the call returns: one that never returns hangs the run,
  // as the active scheduler's would.
  if (m_setup.budget_ns != 0 && ns > m_setup.budget_ns) {
    drop(fmt::format("{} took {} ns of host time, over its budget of {} ns", op, ns, m_setup.budget_ns));
    return false;
  }
  return true;
}

void Shadow::drop(std::string reason) {
  m_current.reason = std::move(reason);
  stop("dropped", m_current.to);
}

void Shadow::stop(const char* status, Cycles now) {
  if (!m_on) return;
  report::ShadowResult r = results(now).back();
  r.status = status;
  m_on = false;
  destroy();
  m_done.push_back(std::move(r));
}

void Shadow::insert(const vmm_vcpu_info_t& info, Cycles now) {
  if (!m_on) return;
  m_current.to = now;
  ++m_counts[kInsert].calls;
  char reason[256] = "";
  int refused = 0;
  if (!call("insert", [&] { refused = m_setup.image.ops->insert(m_instance, &info, now, reason, sizeof reason); }))
    return;
  reason[sizeof reason - 1] = '\0';
  if (refused != 0) return drop(fmt::format("refused vCPU {}: {}", info.id, reason[0] ? reason : "refused"));
  m_view[static_cast<std::size_t>(info.id)] = info.runnable ? View::Runnable : View::Blocked;
  if (info.running_on != VMM_NO_CPU) m_owner[static_cast<std::size_t>(info.running_on)] = info.id;
}

void Shadow::disagreed(Kind kind, int cpu, Cycles now) {
  if (m_observers.wants(kShadowDisagreed))
    m_observers.shadow_disagreed(m_setup.image.name, kKindNames[kind], cpu, now);
  if (m_current.diverged) return;
  m_current.diverged = true;
  m_current.first_divergence = now;
  m_current.first_kind = kKindNames[kind];
  m_current.first_cpu = cpu;
}

void Shadow::agree(Kind kind, bool same, int cpu, Cycles now) {
  if (same)
    ++m_counts[kind].agreed;
  else
    disagreed(kind, cpu, now);
}

void Shadow::wake(VcpuId v, Cycles now, int active_cpu) {
  m_current.to = now;
  ++m_counts[kWake].calls;
  vmm_tickle_t t{VMM_NO_CPU, 0};
  if (!call("wake", [&] { t = m_setup.image.ops->wake(m_instance, v, now); })) return;
  m_view[static_cast<std::size_t>(v)] = View::Runnable;
  // Only the pCPU to kick is compared: out of range means nobody, as the VMM reads it.
  const int cpu = t.cpu >= 0 && static_cast<unsigned>(t.cpu) < m_cpus ? t.cpu : VMM_NO_CPU;
  agree(kWake, cpu == active_cpu, active_cpu, now);
}

void Shadow::block(VcpuId v, Cycles now) {
  m_current.to = now;
  ++m_counts[kBlock].calls;
  if (!call("block", [&] { m_setup.image.ops->block(m_instance, v, now); })) return;
  m_view[static_cast<std::size_t>(v)] = View::Blocked;
}

void Shadow::yield(VcpuId v, Cycles now) {
  m_current.to = now;
  ++m_counts[kYield].calls;
  call("yield", [&] { m_setup.image.ops->yield(m_instance, v, now); });
}

void Shadow::remove(VcpuId v, Cycles now) {
  m_current.to = now;
  ++m_counts[kRemove].calls;
  if (!call("remove", [&] { m_setup.image.ops->remove(m_instance, v, now); })) return;
  m_view[static_cast<std::size_t>(v)] = View::Gone;
  for (VcpuId& o : m_owner)
    if (o == v) o = kNone;
}

void Shadow::tick(unsigned cpu, Cycles now, bool active_resched) {
  m_current.to = now;
  ++m_counts[kTick].calls;
  // The active scheduler is ticked because it has a tick op; a shadow
  // without one answers "no reschedule", as not being called means.
  int r = 0;
  if (m_setup.image.ops->tick && !call("tick", [&] { r = m_setup.image.ops->tick(m_instance, cpu, now); })) return;
  agree(kTick, (r != 0) == active_resched, static_cast<int>(cpu), now);
}

std::string Shadow::invalid(unsigned cpu, const vmm_decision_t& d) const {
  if (d.next == VMM_IDLE) return "";
  if (d.next < 0 || static_cast<std::size_t>(d.next) >= m_vcpus.size())
    return fmt::format("chose unknown vCPU {} on cpu{}", d.next, cpu);
  const View view = m_view[static_cast<std::size_t>(d.next)];
  if (view == View::Unknown || view == View::Gone)
    return fmt::format("chose vCPU {} on cpu{}, which it does not hold", d.next, cpu);
  if (view != View::Runnable) return fmt::format("chose vCPU {} on cpu{}, which is blocked", d.next, cpu);
  for (unsigned c = 0; c < m_cpus; ++c)
    if (c != cpu && m_owner[c] == d.next)
      return fmt::format("chose vCPU {} on cpu{}, which it runs on cpu{}", d.next, cpu, c);
  if (d.slice == 0) return fmt::format("gave vCPU {} a zero-length slice on cpu{}", d.next, cpu);
  return "";
}

Cycles Shadow::waited(VcpuId v, Cycles now) const {
  const Vcpu& x = m_vcpus[static_cast<std::size_t>(v)];
  return x.state == RunState::Runnable && now > x.wait_since ? now - x.wait_since : 0;
}

void Shadow::pick_next(unsigned cpu, Cycles now, Cycles ran, VcpuId active_next, Cycles active_slice,
                       std::uint64_t active_host_ns) {
  m_current.to = now;
  ++m_counts[kPickNext].calls;
  // prev is the vCPU the shadow itself put on this pCPU: the active's prev
  // until the two first disagree here (docs/replacement.md).
  VcpuId prev = m_owner[cpu];
  vmm_decision_t d{VMM_IDLE, 0};
  if (!call("pick_next", [&] { d = m_setup.image.ops->pick_next(m_instance, cpu, now, prev, ran); })) return;
  // Both sides of one decision, for the cost per decision beside each other.
  m_current.pick_host_ns += m_last_call_ns;
  m_current.active_pick_host_ns += active_host_ns;
  ++m_current.host_picks;
  std::string why = invalid(cpu, d);
  if (!why.empty()) return drop(m_setup.image.name + " " + why);
  m_owner[cpu] = d.next;
  const VcpuId next = d.next == VMM_IDLE ? kNone : d.next;
  const Cycles gap = d.slice > active_slice ? d.slice - active_slice : active_slice - d.slice;
  if (next == active_next) ++m_current.same_next;
  const bool same = next == active_next && gap <= m_setup.tolerance;
  agree(kPickNext, same, static_cast<int>(cpu), now);
  // The active scheduler's answer is checked by the VMM after this call: an
  // invalid one (it is ejected for it) has no waiting time to compare.
  if (next == active_next || next == kNone || active_next < 0 || static_cast<std::size_t>(active_next) >= m_vcpus.size())
    return;
  const Cycles mine = waited(next, now), theirs = waited(active_next, now);
  if (mine > theirs)
    ++m_current.waited_longer;
  else if (mine < theirs)
    ++m_current.waited_shorter;
  else
    ++m_current.waited_equal;
}

void Shadow::priority(VcpuId v, std::int64_t active) {
  ++m_counts[kPriority].calls;
  std::int64_t mine = 0;
  if (!call("priority", [&] { mine = m_setup.image.ops->priority(m_instance, v); })) return;
  // Scales differ between schedulers (credit's 0..2, eevdf's deadlines):
  // what compares is the order two consecutive queries' vCPUs get.
  const bool held = mine == VMM_PRIORITY_HELD || active == VMM_PRIORITY_HELD;
  if (!held && m_last_priority_vcpu != kNone && m_last_priority_vcpu != v) {
    ++m_current.priority_pairs;
    const bool same =
        order(active, m_last_active_priority) == order(mine, m_last_shadow_priority);
    if (same)
      ++m_current.priority_concordant;
    else
      disagreed(kPriority, -1, m_current.to);
  }
  m_last_priority_vcpu = held ? kNone : v;
  m_last_active_priority = active;
  m_last_shadow_priority = mine;
}

std::vector<report::ShadowResult> Shadow::results(Cycles now) const {
  std::vector<report::ShadowResult> all = m_done;
  if (!m_on) return all;
  report::ShadowResult r = m_current;
  r.to = now;
  for (std::size_t k = 0; k < kKinds; ++k) {
    report::ShadowResult::Kind kind;
    kind.name = kKindNames[k];
    kind.calls = m_counts[k].calls;
    kind.answered = kAnswered[k];
    // Priority agrees per pair of queries, not per call.
    kind.compared = k == kPriority ? m_current.priority_pairs : kind.answered ? m_counts[k].calls : 0;
    kind.agreed = k == kPriority ? m_current.priority_concordant : m_counts[k].agreed;
    r.kinds.push_back(std::move(kind));
  }
  all.push_back(std::move(r));
  return all;
}

}  // namespace vmmsim::vmm
