#include "controllers/downtime_budget.h"

#include <fmt/format.h>

namespace vmmsim::controllers {
namespace {

std::string ms(Cycles c, Hertz clock) {
  return fmt::format("{:.3f} ms", to_milliseconds(c, clock));
}

}  // namespace

DowntimeBudget::DowntimeBudget(Cycles per_second, Cycles window, Hertz clock)
    : m_per_second(per_second), m_window(window), m_clock(clock) {
  const unsigned __int128 allowed = static_cast<unsigned __int128>(per_second) * window / clock;
  m_allowed = allowed > kForever ? kForever : static_cast<Cycles>(allowed);
}

Cycles DowntimeBudget::spent(const std::vector<report::ReplacementResult>& replacements,
                             Cycles now) const {
  Cycles spent = 0;
  for (const report::ReplacementResult& r : replacements)
    if (r.sequence && saturating_add(r.started_at, m_window) > now)
      spent = saturating_add(spent, r.downtime);
  return spent;
}

std::string DowntimeBudget::refusal(Cycles spent, Cycles estimate) const {
  if (!on() || saturating_add(spent, estimate) <= m_allowed) return "";
  return fmt::format(
      "downtime budget: {} spent in the last {} + {} estimated > {} allowed ({} per second)",
      ms(spent, m_clock), ms(m_window, m_clock), ms(estimate, m_clock), ms(m_allowed, m_clock),
      ms(m_per_second, m_clock));
}

}  // namespace vmmsim::controllers
