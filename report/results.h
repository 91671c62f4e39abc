// What a run measured: the content of the report and of --json
// (docs/results.md). Plain data, filled by the platform at the end of a run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/histogram.h"
#include "base/units.h"
#include "report/fair_share.h"

namespace vmmsim::report {

struct VcpuResult {
  std::string vm;
  unsigned index = 0;
  Cycles arrival = 0;
  Cycles cpu = 0;  // guest cycles on a pCPU, cache refill included
  Cycles refill = 0;
  Histogram wait;  // runnable-not-running intervals
  std::optional<Cycles> response;    // first dispatch - arrival
  std::optional<Cycles> turnaround;  // finish - arrival
  std::uint64_t dispatches = 0;
  std::uint64_t context_switches = 0;
  std::uint64_t migrations = 0;
  std::uint64_t jobs = 0;             // periodic jobs (`every`) finished
  std::uint64_t deadline_misses = 0;  // jobs finished after their period's end
  Histogram lateness;                 // per job: finish - deadline (0 if met)
  // Live replacements: from its pCPU ceasing under it, or its wake being
  // held, until it ran again (an open stall counts to the end of the run).
  Cycles swap_stall = 0;
  Cycles swap_stall_max = 0;  // the longest single stall
  // The priority the active scheduler gave it in feedback; none if never.
  struct Priority {
    std::int64_t last = 0, min = 0, max = 0;
  };
  std::optional<Priority> priority;
};

struct VmResult {
  std::string name;
  bool service = false;
  unsigned vcpus = 0;
  std::uint32_t weight = 256;
  Cycles cpu = 0;
  double share = 0;     // of all pCPU capacity over the run
  double entitled = 0;  // what weight-proportional sharing would give (demand ignored)
  double demand = 0;    // what it would have used had it never waited (report/fair_share.h)
  double fair = 0;      // its weighted max-min share of the guests' capacity, demand-capped
  std::uint64_t deadline_misses = 0;  // sum over its vCPUs
  Histogram input_latency;
  Histogram wait;  // all its vCPUs' waits
  Cycles swap_stall = 0;      // sum over its vCPUs
  Cycles swap_stall_max = 0;  // the longest stall of any of its vCPUs
};

struct PcpuResult {
  Cycles guest = 0, vmm = 0, idle = 0, ceased = 0;
};

// One scheduler control request and, if it ran, its replacement sequence.
struct ReplacementResult {
  std::string kind;       // load, unload, eject
  std::string requester;  // service, cli, watchdog
  std::string target;     // as requested
  std::string from, to;   // active scheduler before / after
  std::string policy;     // keep-old, unload-old, unload-after, auto (loads)
  std::string source;     // where the image was loaded from: an [image_source.NAME] or "memory"; "" no load
  Cycles requested_at = 0;
  bool ok = false;
  std::string reason;     // why it failed, or why the scheduler was ejected
  bool sequence = false;  // the cease ... resume sequence ran
  Cycles started_at = 0;  // first cease
  Cycles cease = 0, drain = 0, unload = 0, load = 0, migrate = 0, activate = 0;
  Cycles downtime = 0;    // first cease to first resume
  // VMM time on one pCPU while the guests run, not downtime: the old image's
  // unload under unload-after (from the resume until it is gone) ...
  Cycles unload_after = 0;
  // ... or, for a request without a sequence, `unload` is that of an
  // inactive image. The pCPU that paid either; -1 none.
  int unload_cpu = -1;
  std::vector<std::string> evicted;  // kept images unloaded to make room (in the unload phase)
  // A load whose image was staged earlier: no load phase (and no create in
  // the downtime unless the load named parameters of its own).
  bool staged = false;
  // A stage: from its start until the image was loaded and its instance
  // created — VMM time on pCPU stage_cpu while the guests run, not
  // downtime; -1 none.
  Cycles stage = 0;
  int stage_cpu = -1;
  Bytes tx_retired = 0, rx_retired = 0;
  unsigned vcpus_migrated = 0;
  // The run ended during this request: the phases so far, the one under
  // way up to the end; downtime likewise.
  bool in_progress = false;
  // What it cost the guests: vCPUs whose stall began in it, the longest of
  // those stalls, wakes held while offline, PIT ticks dropped meanwhile.
  unsigned vcpus_stalled = 0;
  Cycles stall_max = 0;
  std::uint64_t wakes_held = 0;
  std::uint64_t ticks_while_ceased = 0;
};

// One VM within an epoch (see Results::epochs).
struct EpochVmResult {
  Cycles cpu = 0;
  double share = 0;         // of all pCPU capacity over the epoch
  Histogram wait;           // waits that ended in the epoch
  Histogram input_latency;  // keystrokes whose reader was dispatched in the epoch
};

// The time one scheduler was active: from its activation to the next one
// (the next replacement's downtime is the end of this epoch) or the run's end.
struct EpochResult {
  std::uint32_t slot = 0;
  std::string scheduler;
  Cycles from = 0, to = 0;
  std::vector<EpochVmResult> vms;  // in Results::vms order
};

struct FaultResult {
  std::string vm;
  unsigned vcpu = 0;       // the faulting vCPU
  Cycles at = 0;           // the fault
  Cycles halted_at = 0;    // the VM's vCPUs left the run queues
  unsigned vcpus_halted = 0;
};

// A loaded scheduler image at the end of the run: its slot, where it is in
// the image area and its size.
struct SlotResult {
  std::uint32_t slot = 0;
  std::string name;
  std::uint64_t address = 0;
  Bytes bytes = 0;
};

struct ImageAreaResult {
  std::uint64_t base = 0;
  Bytes capacity = 0;
  Bytes used = 0;
};

// One shadow session (docs/replacement.md "Shadow evaluation"): a candidate
// scheduler that heard every request the active one heard; its answers were
// compared, never applied. Rejected requests to start one are listed too.
struct ShadowResult {
  std::string target;     // as requested
  std::string requester;  // "service" or "cli"
  std::string status;     // "ended", "running" (at the run's end), "promoted", "dropped" or "rejected"
  std::string reason;     // dropped or rejected: why
  Cycles from = 0, to = 0;
  Cycles tolerance = 0;    // pick_next slices within this agree
  // Per request kind: calls mirrored; for the answered kinds (pick_next,
  // wake, tick, priority) how many answers agreed.
  struct Kind {
    std::string name;
    std::uint64_t calls = 0;
    std::uint64_t compared = 0;  // answers compared: calls, or for priority the query pairs
    std::uint64_t agreed = 0;
    bool answered = false;
  };
  std::vector<Kind> kinds;
  std::uint64_t same_next = 0;  // pick_next: the same vCPU (the slice aside)
  bool diverged = false;
  Cycles first_divergence = 0;
  std::string first_kind;      // the request kind of the first disagreement
  int first_cpu = -1;          // its pCPU (-1: none, e.g. a priority query)
  // At pick_next disagreements on the vCPU where both chose one: the shadow's
  // pick had waited longer / shorter / as long as the active's.
  std::uint64_t waited_longer = 0, waited_shorter = 0, waited_equal = 0;
  // Priority: consecutive queries about two different vCPUs that both
  // schedulers order the same way (pairs with a held answer are left out).
  std::uint64_t priority_pairs = 0, priority_concordant = 0;
  // Host time the shadow's calls took (shown only with --host-cost).
  std::uint64_t host_ns = 0, host_calls = 0;
  // Per decision, the two side by side: pick_next calls both answered, and
  // the host time each scheduler's pick_next took over them.
  std::uint64_t host_picks = 0, pick_host_ns = 0, active_pick_host_ns = 0;
};

// One decision of the switching controller (docs/controller.md): a rule
// whose metric crossed its threshold at a window's end, the action it asked
// for and what that cost, or why the controller refused it.
struct ControllerDecision {
  std::string rule;
  Cycles window_from = 0, window_to = 0;  // the window whose metric triggered it
  Cycles decided_at = 0;                  // the service VM's evaluation ended: the request's time
  std::string metric;
  std::string vm;      // the VM whose value it was; "" machine-wide
  double value = 0;    // in the metric's unit (cycles for latencies and downtime)
  bool above = true;   // the rule fires above (else below) its threshold
  double threshold = 0;
  std::string action;  // as written (a plugin's: its verb and request words)
  std::string note;    // a plugin's own words for its action; "" for a rule
  // done, failed (the loader refused it or it failed: reason), in-progress,
  // queued (behind other requests at the run's end), refused (by the
  // controller's downtime budget: reason).
  std::string status;
  std::string reason;
  Cycles estimated_downtime = 0;  // what the controller expected (the loader's plan now)
  Cycles downtime = 0;            // what it cost (its replacement's downtime)
  int replacement = -1;           // its index in Results::replacements; -1 none
};

// A rule as the run resolved it, and how often each outcome happened.
struct ControllerRuleResult {
  std::string name, metric, scope, action;  // scope "all" or a VM name
  Cycles window = 0, min_dwell = 0;
  bool above = true;
  double threshold = 0, rearm = 0;
  bool hysteresis = false;
  std::uint64_t fired = 0;           // actions requested
  std::uint64_t held_dwell = 0;      // triggered within min_dwell of the last activation
  std::uint64_t held_busy = 0;       // triggered while a request of the controller was with the loader
  std::uint64_t refused_budget = 0;  // triggered, but the switch would pass the downtime budget
};

struct ControllerResult {
  Cycles evaluation_cost = 0;   // service VM cycles per evaluation
  std::uint64_t evaluations = 0;
  std::uint64_t windows_missed = 0;  // ended while the service VM could not read them (see docs)
  Cycles service_cycles = 0;    // service VM guest cycles the evaluations took
  Cycles downtime_budget = 0;   // per second; 0 none
  Cycles budget_window = 0;
  std::vector<ControllerRuleResult> rules;  // a plugin's is the last, named "plugin:NAME"
  std::vector<ControllerDecision> decisions;
  // A controller plugin (docs/controller.md "Controller plugins"): its
  // path, its name, and why and when it was disabled ("" and none while on).
  std::string plugin, plugin_name, plugin_disabled;
  std::optional<Cycles> plugin_disabled_at;
};

struct Results {
  std::string config_file;
  std::string scheduler;
  unsigned cpus = 0;
  Hertz clock = 0;
  Cycles elapsed = 0;
  bool all_finished = false;  // every guest program ended before `until`
  // Stopped early (Ctrl-C, SIGTERM): the results cover `elapsed` only.
  bool partial = false;
  std::string partial_reason;
  std::vector<VcpuResult> vcpus;
  std::vector<VmResult> vms;
  std::vector<PcpuResult> pcpus;
  std::vector<std::pair<std::string, std::uint64_t>> requests;  // by kind
  std::uint64_t feedback_done = 0, feedback_rejected = 0, feedback_invalid = 0, feedback_deferred = 0;
  std::uint64_t pit_ticks = 0;
  Bytes console_written = 0, console_transmitted = 0, console_received = 0;
  double jain_fairness = 1.0;  // over guest VMs' share / fair share (demand-aware)
  double jain_entitled = 1.0;  // over guest VMs' share / entitled share (weights only)
  double fair_capacity = 0;    // what the fair shares divide: guest + idle pCPU time, of all
  std::string activation;      // the activation mechanism
  std::vector<ReplacementResult> replacements;
  std::vector<FaultResult> faults;
  std::vector<EpochResult> epochs;  // by active scheduler, in time order
  std::vector<SlotResult> slots;    // the loaded images at the end, by slot
  ImageAreaResult image_area;
  std::vector<ShadowResult> shadows;  // empty unless a shadow was requested
  std::optional<ControllerResult> controller;  // with a [controller] only
  bool host_cost = false;  // run --host-cost: host ns per call in the reports
};

}  // namespace vmmsim::report
