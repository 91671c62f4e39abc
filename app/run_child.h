// One simulation in a child process of `vmmsim compare` or `vmmsim sweep
// run`: its results.json, timeline.json, resolved.ini and report.txt in a
// folder of its own, written all or nothing, and errors.txt after them when
// it has something to say (docs/compare.md "Outputs", docs/sweeps.md).
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "app/child_pool.h"
#include "base/units.h"
#include "config/config.h"

namespace vmmsim::app {

// The timelines of a run: `window` only when it was given (compare or
// sweep plan --window), else `window` plus the neighbourhood of the run's
// first replacement (docs/compare.md "Timelines").
struct RunWindow {
  TimeWindow window;
  bool given = false;
};

// Without --window, the timelines hold this window and the first
// replacement's neighbourhood.
inline constexpr const char* kDefaultWindow = "0:100ms";

// EX_IOERR: an output could not be written, as `vmmsim run`.
inline constexpr int kWriteFailed = 74;

// The child: `load` gives the run's config (bad input found there is the
// run's own, reported like any other), then the run is simulated into
// `dir`. A stop signal ends it early, as it does `vmmsim run`: it writes the
// results of the time simulated so far, marked partial, and exits with 128 +
// signal. Exits with the run's code: 0, 2 bad input, 70, 71, 74.
[[noreturn]] void run_child(const std::function<config::Config()>& load,
                            const std::filesystem::path& dir, const RunWindow& window,
                            const ChildPool& pool);

}  // namespace vmmsim::app
