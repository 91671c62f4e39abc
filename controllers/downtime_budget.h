// The controller's downtime budget (docs/controller.md "Downtime budget"):
// at most `per_second` cycles of downtime per second of simulated time,
// counted over the last `window`. A switch is allowed only if the downtime
// of the sequences that started in that window, plus its own estimate,
// stays within budget. Plain C++.
#pragma once

#include <string>
#include <vector>

#include "base/units.h"
#include "report/results.h"

namespace vmmsim::controllers {

class DowntimeBudget {
 public:
  DowntimeBudget(Cycles per_second, Cycles window, Hertz clock);
  bool on() const { return m_per_second > 0; }
  // Downtime of the replacement sequences that started in (now - window, now],
  // one under way counted so far.
  Cycles spent(const std::vector<report::ReplacementResult>& replacements, Cycles now) const;
  // "" if a switch estimated at `estimate` fits, else why not ("downtime
  // budget: ... spent in the last ... + ... estimated > ... allowed").
  std::string refusal(Cycles spent, Cycles estimate) const;

 private:
  Cycles m_per_second, m_window;
  Hertz m_clock;
  Cycles m_allowed;  // in any `window`: per_second × window / clock
};

}  // namespace vmmsim::controllers
