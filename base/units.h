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

// The parsers below return nullopt and fill `why` with what is allowed when
// the text is not a valid value; they never throw.

// "2ms", "500us", "1.5s", "300ns", "1200" (bare number = cycles),
// "1200cycles". Overflow of 64-bit cycles is an error, not a wrap-around.
std::optional<Cycles> parse_duration(std::string_view text, Hertz clock,
                                     std::string* why);
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
