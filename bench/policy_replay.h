// vmmsim_bench policy: what a built-in policy's own code costs per
// scheduling decision, apart from the simulator around it.
//
// A run of the case records every call the VMM makes into the policy's ops
// table (create, insert, wake, block, yield, tick, pick_next, priority,
// remove) with its arguments and its answer. The calls are then replayed,
// in order, on fresh instances of the same policy in a tight loop: the
// replay's host time per pick_next is the policy alone, with the caches to
// itself (a lower bound on its share of the run). Every answer must repeat
// the recorded one, or the replay reports where it diverged.
#pragma once

#include <string>
#include <vector>

namespace vmmsim::bench {

// `vmmsim_bench policy CONFIG --set vmm.scheduler=NAME [--until D]
// [--warmup D] [--repeat N] [--set K=V]... [--each-vm K=V]...`: records a
// run of --warmup (default 1 s) then --until (default 10 s: the calls
// measured, as in `case`), replays it --repeat times (default 5) and prints
// one JSON line. Exit 2 on bad input, on a run that makes no decision after
// the warm-up or loads a second instance, and on a replay that diverges.
int policy_replay(const std::vector<std::string>& args);

}  // namespace vmmsim::bench
