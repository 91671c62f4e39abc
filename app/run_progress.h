// The progress line of `vmmsim run` on a terminal (docs/cli.md "Progress"):
// simulated time, its share of the time the run stops at, and the speed in
// simulated seconds per host second, redrawn in place on one line and
// cleared at the end. Host side only: it reads the simulated clock between
// chunks of the run (models::Platform::on_chunk) and changes no result.
#pragma once

#include <chrono>
#include <ostream>

#include "base/host_clock.h"
#include "base/units.h"

namespace vmmsim::app {

class RunProgress {
 public:
  // A run from `start` to `end` cycles at `clock`, drawn on `terminal`.
  RunProgress(std::ostream& terminal, Hertz clock, Cycles start, Cycles end);
  // Clears the line if it was drawn (also when the run ends in an error).
  ~RunProgress();
  RunProgress(const RunProgress&) = delete;
  RunProgress& operator=(const RunProgress&) = delete;

  // The simulation stands at `now`: redraws the line once the run has taken
  // a second of host time, then at most every kRedraw.
  void update(Cycles now);
  // Clears the line (idempotent): the report follows on a clean line.
  void clear();

  // A run shorter than this shows nothing.
  static constexpr std::chrono::milliseconds kQuietStart{1000};
  static constexpr std::chrono::milliseconds kRedraw{250};

 private:
  std::ostream& m_terminal;
  Hertz m_clock;
  Cycles m_start, m_end;
  HostClock::time_point m_started;
  HostClock::time_point m_drawn{};
  bool m_shown = false;
};

// Whether standard error is a terminal (isatty).
bool standard_error_is_terminal();

}  // namespace vmmsim::app
