// Units of the simulation: every time is in CPU cycles of the platform clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vmmsim {

using Cycles = std::uint64_t;  // CPU cycles of the platform clock
using Bytes = std::uint64_t;
using Hertz = std::uint64_t;

// A slice that never expires (run to completion).
inline constexpr Cycles kForever = ~Cycles{0};

// a + b, or kForever where the sum would wrap.
// (The add's carry decides: an add and a conditional move, no compare.)
inline constexpr Cycles saturating_add(Cycles a, Cycles b) {
  Cycles sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? kForever : sum;
}
// a * n, or kForever where the product would wrap.
inline constexpr Cycles saturating_mul(Cycles a, std::uint64_t n) { return n != 0 && a > kForever / n ? kForever : a * n; }

// Simulated time ends where SystemC's does: its kernel runs at a 1 ps
// resolution (sim/cycle_clock.h) and counts time in 64 bits, so the last
// instant is 2^64 - 1 ps (213.5 days) at any clock.
// The clock period in whole picoseconds, as the kernel counts a cycle.
std::uint64_t period_ps(Hertz clock);
// The last cycle SystemC time represents at `clock`.
Cycles kernel_horizon(Hertz clock);
// The longest duration a config, a trace or the command line may give,
// costs and `until` included: an eighth of the horizon (26.7 days), so that
// `until` plus the costs of one VM exit and entry (five durations) stays
// within SystemC time, and within 64-bit cycles at 1 THz.
Cycles max_duration(Hertz clock);

// The parsers below return nullopt and fill `why` with what is allowed when
// the text is not a valid value; they never throw.

// "2ms", "500us", "1.5s", "300ns", "1200" (bare number = cycles),
// "1200cycles". Overflow of 64-bit cycles is an error, not a wrap-around.
std::optional<Cycles> parse_duration(std::string_view text, Hertz clock,
                                     std::string* why);
// parse_duration, and at most max_duration(clock): a time the simulation
// schedules (a cost, a period, `until`). `why` then names the largest value.
std::optional<Cycles> parse_simulated_duration(std::string_view text, Hertz clock,
                                               std::string* why);
// A time window FROM:TO, TO after FROM: "0:100ms", "1.5s:2s", "500:540ms"
// (a bare FROM takes TO's unit), "0:5000000" (bare numbers = cycles). The
// window of `run --window` and `compare --window`.
struct TimeWindow {
  Cycles from = 0, to = 0;
};
std::optional<TimeWindow> parse_time_window(std::string_view text, Hertz clock);
// "64KiB", "1MiB", "4096" (bare number = bytes), "512B".
std::optional<Bytes> parse_size(std::string_view text, std::string* why);
// "1GHz", "2.4GHz", "100MHz", "1THz", "1193182Hz", "1000" (bare number = Hz).
std::optional<Hertz> parse_frequency(std::string_view text, std::string* why);
// A non-negative decimal integer that fits in 64 bits.
std::optional<std::uint64_t> parse_count(std::string_view text,
                                         std::string* why);
// A signed decimal integer.
std::optional<std::int64_t> parse_integer(std::string_view text,
                                          std::string* why);

// Conversions between cycles and seconds (for display only).
double to_seconds(Cycles cycles, Hertz clock);
double to_milliseconds(Cycles cycles, Hertz clock);

// Human-readable forms used when writing the resolved configuration back.
std::string format_frequency(Hertz hz);
std::string format_size(Bytes bytes);

}  // namespace vmmsim
