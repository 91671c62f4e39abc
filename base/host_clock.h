// Host (wall-clock) time, for figures that are about the simulator itself
// and never reproducible: the progress line, a shadow's cost per call.
#pragma once

#include <chrono>
#include <cstdint>

namespace vmmsim {

using HostClock = std::chrono::steady_clock;

inline std::uint64_t host_ns_since(HostClock::time_point begin) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(HostClock::now() - begin).count());
}

}  // namespace vmmsim
