// arinc653: the ARINC 653 cyclic schedule, after Xen
// xen/common/sched/arinc653.c (DornerWorks). A major frame is cut into minor
// frames (windows), each owned by one vCPU for a fixed time, and repeats for
// ever. The owner runs only inside its window; when it is not runnable its
// window stays idle (time partitioning, not work conserving). The windows are
// the vCPUs with a non-zero `window` in vCPU-id order; whatever is left of the
// major frame after them is idle. One pCPU (0) runs the schedule, as Xen runs
// one per cpupool. No tick op: each slice ends at its window's end, as Xen's
// do_schedule sets its timer there, and the VMM times idle slices too, so
// the PIT rate changes no decision (docs/policies/arinc653.md).
#include <algorithm>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "schedulers/policy.h"
#include "schedulers/registry.h"

namespace vmmsim::sched {
namespace {

// The image a VMM loads for this policy: a nominal size, about its code.
constexpr std::uint64_t kImageBytes = 8 * 1024;
constexpr unsigned kSchedulingCpu = 0;  // the one pCPU that runs the schedule
// Duration specs are in microseconds; the policy receives cycles.
constexpr std::int64_t kMaxUs = 10'000'000;  // 10 s

const vmm_param_spec_t kParams[] = {
    {"major_frame", VMM_PARAM_DURATION, 0, 0, kMaxUs,
     "length of the repeating schedule (0: the sum of the windows); idle after the windows"},
};

const vmm_param_spec_t kVmParams[] = {
    {"window", VMM_PARAM_DURATION, 0, 0, kMaxUs,
     "arinc653: minor frame of each vCPU of the VM in every major frame (0: never runs)"},
};

class Arinc653 final : public Policy {
  friend class Policy;  // calls the hooks directly, not virtually (policy.h)

 public:
  explicit Arinc653(const vmm_sched_config_t& config)
      : Policy(config), m_major_frame(static_cast<Cycles>(config_param("major_frame"))) {
    if (config_param("major_frame") < 0)
      throw std::invalid_argument("arinc653: major_frame must not be negative");
  }

  // The owner of the window of the last decision runs; nobody else may.
  std::int64_t priority(VcpuId v) const override {
    // Outside its window a vCPU is held on purpose (the watchdog must not count it).
    return m_window && m_window->index < m_windows.size() && m_windows[m_window->index].owner == v
               ? 1
               : VMM_PRIORITY_HELD;
  }

  std::string dump() const override {
    std::string s = "major_frame=" + std::to_string(frame_length()) +
                    " windows=" + std::to_string(m_windows.size());
    if (m_window) {
      s += " frame=" + std::to_string(m_window->frame) + " window=";
      s += m_window->index < m_windows.size() ? std::to_string(m_window->index) : "idle";
      s += " idle_windows=" + std::to_string(m_idle_windows);
    }
    return s;
  }

 private:
  struct Window {
    VcpuId owner;
    Cycles length;
    Cycles end;  // offset in the major frame where it ends
  };
  // Where `now` falls: which major frame, which window (m_windows.size() = the
  // idle rest of the frame) and how long until that window ends.
  struct Position {
    Cycles frame;
    std::size_t index;
    Cycles left;
  };
  // The window position() found last, in absolute cycles [start, end).
  struct Cursor {
    bool valid = false;
    Cycles frame = 0;
    std::size_t index = 0;
    Cycles start = 0, end = 0;
  };

  Cycles windows_length() const { return m_windows.empty() ? 0 : m_windows.back().end; }
  Cycles frame_length() const { return m_major_frame ? m_major_frame : windows_length(); }

  // Where `now` falls. Decisions come window after window, so the window
  // of the last answer or the one after it is checked first (no division);
  // otherwise the frame is divided out and the window found by binary search.
  Position position(Cycles now) const {
    if (m_cursor.valid && now >= m_cursor.start && now < m_cursor.end)
      return Position{m_cursor.frame, m_cursor.index, m_cursor.end - now};
    return locate(now);
  }
  [[gnu::noinline]] Position locate(Cycles now) const {
    if (m_cursor.valid && now >= m_cursor.end) {
      step_cursor();
      if (now < m_cursor.end) return Position{m_cursor.frame, m_cursor.index, m_cursor.end - now};
    }
    const Cycles major = frame_length();
    const Cycles since = now - *m_epoch;
    const Cycles offset = since % major;
    auto it = std::upper_bound(m_windows.begin(), m_windows.end(), offset,
                               [](Cycles o, const Window& w) { return o < w.end; });
    const Cycles end = it == m_windows.end() ? major : it->end;
    const auto index = static_cast<std::size_t>(it - m_windows.begin());
    const Cycles frame_start = now - offset;
    m_cursor = Cursor{true, since / major, index, frame_start + (index == 0 ? 0 : m_windows[index - 1].end),
                      frame_start + end};
    return Position{m_cursor.frame, index, end - offset};
  }
  // The cursor to the window after its own: the next window, the idle rest
  // of the frame (if the windows do not fill it), or the next frame's first.
  void step_cursor() const {
    const std::size_t n = m_windows.size();
    const Cycles frame_start = m_cursor.end - (m_cursor.index < n ? m_windows[m_cursor.index].end : frame_length());
    m_cursor.start = m_cursor.end;
    if (m_cursor.index + 1 < n) {
      ++m_cursor.index;
      m_cursor.end = frame_start + m_windows[m_cursor.index].end;
    } else if (m_cursor.index + 1 == n && windows_length() < frame_length()) {
      m_cursor.index = n;
      m_cursor.end = frame_start + frame_length();
    } else {
      ++m_cursor.frame;
      m_cursor.index = 0;
      m_cursor.end = m_cursor.start + m_windows[0].end;
    }
  }

  void rebuild(Cycles now) {
    Cycles end = 0;
    for (Window& w : m_windows) w.end = end += w.length;
    // As Xen's arinc653_sched_set: a changed schedule starts a new major frame.
    if (m_epoch) m_epoch = now;
    m_cursor.valid = false;
  }

  // --- hooks ---

  void on_insert(const vmm_vcpu_info_t& info, Cycles now) override {
    std::int64_t window = param(info.vm_params, info.vm_param_count, "window", 0);
    if (window < 0)
      throw std::invalid_argument("arinc653: VM " + std::to_string(info.vm) +
                                  ": window must not be negative");
    if (window == 0) return;  // never scheduled
    const Cycles length = static_cast<Cycles>(window);
    if (m_major_frame && windows_length() + length > m_major_frame)
      throw std::invalid_argument("arinc653: VM " + std::to_string(info.vm) + ": the windows (" +
                                  std::to_string(windows_length() + length) +
                                  " cycles with this one) exceed major_frame " +
                                  std::to_string(m_major_frame) + " cycles");
    // Windows follow vCPU-id order: VM declaration order, then vCPU index.
    auto at = std::upper_bound(m_windows.begin(), m_windows.end(), info.id,
                               [](VcpuId id, const Window& w) { return id < w.owner; });
    m_windows.insert(at, Window{info.id, length, 0});
    rebuild(now);
  }

  // Runnable vCPUs need no queue: the schedule names who runs when.
  void enqueue(VcpuId /*v*/, Cycles /*now*/) override {}
  void dequeue(VcpuId /*v*/) override {}

  vmm_decision_t select(unsigned cpu, Cycles now) override {
    if (cpu != kSchedulingCpu || m_windows.empty()) return vmm_decision_t{kIdle, VMM_FOREVER};
    if (!m_epoch) m_epoch = now;  // the schedule starts at the first decision
    Position p = position(now);
    bool new_window = !m_window || p.frame != m_window->frame || p.index != m_window->index;
    m_window = p;
    if (p.index < m_windows.size()) {
      VcpuId owner = m_windows[p.index].owner;
      // A removed owner leaves its window idle, as a blocked one does.
      if (known(owner) && runnable(owner) && running_on(owner) == kNoCpu && allowed(owner, cpu))
        return vmm_decision_t{owner, p.left};
      if (new_window) ++m_idle_windows;
    }
    return vmm_decision_t{kIdle, p.left};  // idle until the window ends
  }

  // Only the owner of the current window may need the pCPU now.
  vmm_tickle_t tickle_for(VcpuId v, Cycles now) override {
    if (m_windows.empty() || current(kSchedulingCpu) != kIdle) return vmm_tickle_t{kNoCpu, 0};
    if (!m_epoch) return tickle_now(static_cast<int>(kSchedulingCpu), now);  // start the schedule
    Position p = position(now);
    if (p.index < m_windows.size() && m_windows[p.index].owner == v)
      return tickle_now(static_cast<int>(kSchedulingCpu), now);
    return vmm_tickle_t{kNoCpu, 0};
  }

  const Cycles m_major_frame;        // 0: the sum of the windows
  std::vector<Window> m_windows;     // in vCPU-id order
  std::optional<Cycles> m_epoch;     // start of the first major frame
  std::optional<Position> m_window;  // of the last decision on pCPU 0
  mutable Cursor m_cursor;  // a cache of a function of the schedule and `now` (reset by rebuild())
  std::uint64_t m_idle_windows = 0;  // windows whose owner was not runnable at their start
};

}  // namespace

const vmm_sched_ops_t& arinc653_ops() {
  static const vmm_sched_ops_t ops = policy_ops<Arinc653>(
      "arinc653", "ARINC 653 cyclic schedule: fixed windows in a repeating major frame (Xen)",
      kImageBytes, kParams, std::size(kParams), kVmParams, std::size(kVmParams));
  return ops;
}

}  // namespace vmmsim::sched
