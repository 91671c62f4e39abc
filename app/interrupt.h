// Ctrl-C (SIGINT), SIGTERM and SIGHUP during `vmmsim run` (and in each of
// `vmmsim compare`'s runs, app/child_pool.h): the first signal
// only sets a flag, which the platform checks between chunks of simulated
// time, so the run stops where it is and still writes its report, marked
// partial; the second removes the outputs' temporary files (every one
// registered, base/temporary_files.h) and ends the process at once
// (docs/robustness.md "Interrupted runs and atomic outputs"). The same signal
// again within 200 ms counts as the first: timeout(1) delivers it twice.
#pragma once

#include <csignal>
#include <cstdint>
#include <string>

namespace vmmsim::app {

// The signals that stop a run: SIGINT, SIGTERM and SIGHUP (a closed terminal).
inline constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

// Installs the handlers (OutputFile registers its temporary files itself).
void catch_interrupts();
// For commands with no partial result to give (`trace gen`, `trace
// import`): the first stop signal removes the temporary files and ends the
// process with that signal, as the second one does in a run.
void abort_on_interrupts();
// 0, or the number of the first signal received.
const volatile std::sig_atomic_t* interrupt_signal();
// "SIGINT", "SIGTERM", "SIGHUP".
std::string signal_name(int signal);

// The same signal again within this time of the first is the same request
// delivered twice (timeout(1) signals the command, then its process group).
inline constexpr std::int64_t kSameRequestNs = 200'000'000;
// CLOCK_MONOTONIC in ns; async-signal-safe.
std::int64_t monotonic_ns();

}  // namespace vmmsim::app
