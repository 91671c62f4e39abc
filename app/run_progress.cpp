#include "app/run_progress.h"

#include <unistd.h>

#include <fmt/format.h>

namespace vmmsim::app {

RunProgress::RunProgress(std::ostream& terminal, Hertz clock, Cycles start, Cycles end)
    : m_terminal(terminal), m_clock(clock), m_start(start), m_end(end), m_started(HostClock::now()) {}

RunProgress::~RunProgress() { clear(); }

void RunProgress::update(Cycles now) {
  const HostClock::time_point host = HostClock::now();
  if (host - m_started < kQuietStart || (m_shown && host - m_drawn < kRedraw)) return;
  m_drawn = host;
  m_shown = true;
  const double simulated = to_seconds(now - m_start, m_clock);
  const double host_s = std::chrono::duration<double>(host - m_started).count();
  std::string line = fmt::format("vmmsim: simulated {:.3f} s", to_seconds(now, m_clock));
  if (m_end != kForever && m_end > m_start)
    line += fmt::format(" of {:.3f} s ({:.0f}%)", to_seconds(m_end, m_clock),
                        100.0 * static_cast<double>(now - m_start) / static_cast<double>(m_end - m_start));
  line += fmt::format(", {:.3g} simulated s per host s", simulated / host_s);
  // \r to the line's start, the text, then erase what a longer line left (EL).
  m_terminal << '\r' << line << "\033[K" << std::flush;
}

void RunProgress::clear() {
  if (!m_shown) return;
  m_terminal << "\r\033[K" << std::flush;
  m_shown = false;
}

bool standard_error_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace vmmsim::app
