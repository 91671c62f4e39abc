// Live scheduler replacement (DESIGN.md §4): the SchedulerLoader's plan for
// a load, unload or ejection, and the sequence that carries it out — cease
// every processor, retire the console's traffic, unload, load, migrate,
// activate, resume, and under unload-after the old image's unload while the
// guests run — each phase timed in cycles and traced.
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include "config/config.h"
#include "devices/console.h"
#include "devices/memory.h"
#include "report/results.h"
#include "sim/cycle_clock.h"
#include "vmm/request.h"
#include "vmm/scheduler_manager.h"
#include "workload/trace_program.h"

namespace vmmsim::vmm {

class Vmm;

// UnloadAfter follows Resume: the guests run again meanwhile (not downtime).
enum class Phase : std::uint8_t { None, Cease, Drain, Unload, Load, Migrate, Activate, Resume, UnloadAfter };
const char* phase_name(Phase p);  // "none", "cease", ..., "unload-after"

// A request for the loader: from the service VM, the command line or the
// watchdog.
struct ControlOp {
  enum class Kind { Load, Unload, Eject, Stage } kind = Kind::Load;
  workload::ControlRequest request;  // an ejection's target: the offender, named when it misbehaved
  std::string requester;        // service, cli, watchdog
  VcpuId service_vcpu = kNone;  // blocked until the answer, if the service VM asked
  Cycles requested_at = 0;
  std::string reason;           // an ejection's cause
  // The feedback a command-line request was counted with when it came
  // (nobody waits for its answer): a refusal turns it into Rejected.
  std::optional<Status> counted;
  // The pCPU that pays VMM work outside the downtime (a stage's transfer, a
  // background unload); -1: the service vCPU's, else cpu0.
  int work_cpu = -1;
};

// The op, and the request the VMM counts, of a control request as written.
ControlOp::Kind control_op_kind(workload::ControlRequest::Kind kind);
RequestKind control_request_kind(ControlOp::Kind kind);

class Replacement : public sc_core::sc_module {
 public:
  sc_core::sc_signal<std::uint8_t> phase_signal;  // Phase, for observers (the soak checker)
  report::VcdSignal phase_trace;                   // the same, traced (--vcd)

  Replacement(sc_core::sc_module_name name, const CycleClock& clock, Vmm& vmm, SchedulerManager& manager,
              devices::Console& console, devices::Memory& memory, const config::Config& config);

  // Loads the default scheduler into slot 0 at boot (no sequence, no time).
  void boot();
  // Queues a request; requests run one after another, in arrival order.
  void submit(ControlOp op);
  bool busy() const { return m_busy || !m_queue.empty(); }
  // What the request would cost the guests if it were served now: the
  // downtime of its sequence by the plan the loader would make
  // (vmm/replacement_estimate.cpp); 0 if it would be refused or needs no sequence.
  Cycles estimate_downtime(const ControlOp& op);
  std::uint32_t default_slot() const { return m_default_slot; }
  const std::vector<report::ReplacementResult>& results() const { return m_results; }
  // The request being served, if any, with its phases so far (the current
  // one up to now): a run may end in the middle of a sequence.
  std::optional<report::ReplacementResult> in_progress() const;

 private:
  // What the sequence will do, decided before anything is ceased.
  struct Plan {
    bool sequence = true;              // false: unload of an inactive scheduler
    std::optional<std::uint32_t> unload_inactive;  // no sequence: this kept image leaves
    std::uint32_t target = 0;          // the slot to activate
    bool load_target = false;          // its image must be loaded first
    bool stage = false;                // a stage: load it and create its instance, activate nothing
    bool staged = false;               // a load of a staged image: its instance is ready
    bool set_params = false;           // a kept image: its fresh instance takes `params`
    SchedulerImage image;              // the image to load into `target`
    std::map<std::string, std::int64_t> params;
    std::string source;                // where the image is loaded from (report)
    Cycles load_cycles = 0;            // what loading it costs, from that source
    bool unload_old = false;           // the active scheduler's image goes before the load
    bool unload_after = false;         // ... or after the resume, while the guests run
    std::vector<std::uint32_t> evict;  // kept images unloaded to make room
    // What the sequence evicted, kept to load again if the new scheduler
    // fails to start (a failure loses nothing), and the activation order then.
    struct Evicted {
      std::uint32_t slot;
      SchedulerImage image;
      std::map<std::string, std::int64_t> params;
    };
    std::vector<Evicted> evicted;
    std::vector<std::uint32_t> history;
  };

  void run();  // the SC_THREAD
  void perform(const ControlOp& op);
  bool plan(const ControlOp& op, Plan* p, std::string* why);
  bool plan_load(const ControlOp& op, Plan* p, std::string* why);
  bool plan_unload(const ControlOp& op, Plan* p, std::string* why);
  bool plan_stage(const ControlOp& op, Plan* p, std::string* why);
  bool plan_revert(std::uint32_t leaving, Plan* p, std::string* why);
  bool reload_default(Plan* p, std::string* why);
  // Slots and image bytes for the image in *p under `policy` ([0028]).
  bool make_room(workload::LoadPolicy policy, Plan* p, std::string* why);
  bool image_source(const std::string& source, Plan* p, std::string* why) const;
  void unload_inactive(std::uint32_t slot);  // its image leaves the area and its slot
  // Unloads an inactive image as VMM work on one pCPU while the guests run;
  // returns the cycles from now until it is gone, *cpu the pCPU that paid.
  Cycles unload_in_background(const ControlOp& op, std::uint32_t slot, int* cpu);
  unsigned unload_cpu(const ControlOp& op) const;
  // The stage: the image's transfer as VMM work on the requester's pCPU, then
  // its instance created, while the guests run (vmm/stage.cpp).
  void stage(const ControlOp& op, Plan& p, report::ReplacementResult& r);
  // Kept and staged images in the order `auto` evicts them: staged ones
  // (never active) first, then the least recently active.
  std::vector<std::uint32_t> eviction_order() const;
  void sequence(const ControlOp& op, Plan& p, report::ReplacementResult& r);
  // The activate phase; false if the new scheduler failed to start (rolled back).
  bool activate(Plan& p, std::uint32_t area, report::ReplacementResult& r);
  void enter(Phase phase);
  // Waits `cycles`, at most to the horizon (a product of costs may pass it).
  void spend(Cycles cycles) {
    if (cycles) wait(m_clock.span(std::min(cycles, m_clock.horizon() - m_clock.now())));
  }

  Vmm& m_vmm;
  SchedulerManager& m_manager;
  devices::Console& m_console;
  devices::Memory& m_memory;
  const config::Config& m_config;
  const CycleClock& m_clock;
  std::uint32_t m_default_slot = 0;
  std::vector<std::uint32_t> m_history;  // slots in activation order; back() is active
  std::deque<ControlOp> m_queue;
  bool m_busy = false;
  sc_core::sc_event m_submitted;
  sc_core::sc_event m_drained;
  sc_core::sc_event m_unloaded;  // a background unload's, or a stage's, VMM work ended
  devices::Console::Retirement m_retired;
  std::vector<report::ReplacementResult> m_results;
  // The request under way, its plan and its result: members, not locals of
  // the thread, so that a run ending in the middle of one frees them.
  std::optional<ControlOp> m_op;
  std::optional<Plan> m_plan;
  std::optional<report::ReplacementResult> m_result;
  Phase m_phase = Phase::None;
  Cycles m_phase_at = 0;  // when m_phase was entered
};

const char* policy_name(workload::LoadPolicy p);

}  // namespace vmmsim::vmm
