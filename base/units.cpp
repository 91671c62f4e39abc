#include "base/units.h"

#include <cctype>
#include <fmt/format.h>

#include "base/text.h"

namespace vmmsim {
namespace {

using u128 = unsigned __int128;

// A decimal number split into mantissa and power-of-ten scale: "1.25" ->
// {125, 2}. Kept exact so that unit conversion rounds only once.
struct Decimal {
  u128 mantissa = 0;
  unsigned scale = 0;
};

// Splits "12.5ms" into the number and the unit suffix.
bool split_number(std::string_view text, Decimal* number,
                  std::string_view* unit) {
  text = trim(text);
  std::size_t i = 0;
  bool digits = false, dot = false;
  Decimal d;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      digits = true;
      if (d.mantissa > (~u128{0}) / 100) return false;  // absurdly long
      d.mantissa = d.mantissa * 10 + static_cast<unsigned>(c - '0');
      if (dot) ++d.scale;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits || d.scale > 18) return false;
  *number = d;
  *unit = trim(text.substr(i));
  return true;
}

u128 pow10(unsigned n) {
  u128 p = 1;
  while (n--) p *= 10;
  return p;
}

// value * num / den, rounded to nearest; nullopt when it exceeds 64 bits.
std::optional<std::uint64_t> scale_exact(const Decimal& d, u128 num, u128 den) {
  den *= pow10(d.scale);
  if (num != 0 && d.mantissa > (~u128{0}) / num) return std::nullopt;
  u128 v = (d.mantissa * num + den / 2) / den;
  if (v > ~std::uint64_t{0}) return std::nullopt;
  return static_cast<std::uint64_t>(v);
}

}  // namespace

namespace {

enum class DurationFault { None, Malformed, FractionalCycles, Overflow };

std::optional<Cycles> duration_cycles(std::string_view text, Hertz clock, DurationFault* fault) {
  Decimal d;
  std::string_view unit;
  *fault = DurationFault::Malformed;
  if (!split_number(text, &d, &unit)) return std::nullopt;
  u128 num = 0, den = 1;
  if (unit.empty() || unit == "cycles" || unit == "cycle") {
    if (d.scale != 0) {
      *fault = DurationFault::FractionalCycles;
      return std::nullopt;
    }
    num = 1;
  } else if (unit == "ns") {
    num = clock, den = 1000000000ULL;
  } else if (unit == "us") {
    num = clock, den = 1000000ULL;
  } else if (unit == "ms") {
    num = clock, den = 1000ULL;
  } else if (unit == "s") {
    num = clock, den = 1;
  } else {
    return std::nullopt;
  }
  auto v = scale_exact(d, num, den);
  *fault = v ? DurationFault::None : DurationFault::Overflow;
  return v;
}

const char* duration_fault_text(DurationFault fault) {
  switch (fault) {
    case DurationFault::FractionalCycles: return "a whole number of cycles";
    case DurationFault::Overflow: return "a duration that fits in 64-bit cycles";
    default: return "a duration: a number with ns, us, ms, s or cycles (bare number = cycles)";
  }
}

}  // namespace

std::optional<Cycles> parse_duration(std::string_view text, Hertz clock, std::string* why) {
  DurationFault fault;
  auto v = duration_cycles(text, clock, &fault);
  if (!v && why) *why = duration_fault_text(fault);
  return v;
}

std::uint64_t period_ps(Hertz clock) {
  constexpr std::uint64_t kPicosPerSecond = 1000000000000ULL;
  return clock >= kPicosPerSecond ? 1 : (kPicosPerSecond + clock / 2) / clock;
}

Cycles kernel_horizon(Hertz clock) { return ~std::uint64_t{0} / period_ps(clock); }

Cycles max_duration(Hertz clock) { return kernel_horizon(clock) / 8; }

std::optional<Cycles> parse_simulated_duration(std::string_view text, Hertz clock, std::string* why) {
  DurationFault fault;
  auto v = duration_cycles(text, clock, &fault);
  const Cycles max = max_duration(clock);
  if (v && *v <= max) return v;
  if (why)
    *why = v || fault == DurationFault::Overflow
               ? fmt::format("a duration of at most {} cycles ({:.3f}s at {})", max, to_seconds(max, clock),
                             format_frequency(clock))
               : duration_fault_text(fault);
  return std::nullopt;
}

std::optional<TimeWindow> parse_time_window(std::string_view text, Hertz clock) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string from_text(text.substr(0, colon));
  const std::string_view to_text = text.substr(colon + 1);
  // "500:540ms": a bare FROM takes TO's unit.
  if (!from_text.empty() && from_text.find_first_not_of("0123456789.") == std::string::npos) {
    const auto unit = to_text.find_first_not_of("0123456789.");
    if (unit != std::string_view::npos) from_text += to_text.substr(unit);
  }
  auto from = parse_duration(from_text, clock, nullptr);
  auto to = parse_duration(to_text, clock, nullptr);
  if (!from || !to || *to <= *from) return std::nullopt;
  return TimeWindow{*from, *to};
}

std::optional<Bytes> parse_size(std::string_view text, std::string* why) {
  const char* allowed = "a size: a number with B, KiB, MiB or GiB (bare number = bytes)";
  Decimal d;
  std::string_view unit;
  if (!split_number(text, &d, &unit)) {
    if (why) *why = allowed;
    return std::nullopt;
  }
  u128 num;
  if (unit.empty() || unit == "B")
    num = 1;
  else if (unit == "KiB")
    num = u128{1} << 10;
  else if (unit == "MiB")
    num = u128{1} << 20;
  else if (unit == "GiB")
    num = u128{1} << 30;
  else {
    if (why) *why = allowed;
    return std::nullopt;
  }
  auto v = scale_exact(d, num, 1);
  if (!v || (num == 1 && d.scale != 0)) {
    if (why) *why = v ? "a whole number of bytes" : "a size that fits in 64 bits";
    return std::nullopt;
  }
  return v;
}

std::optional<Hertz> parse_frequency(std::string_view text, std::string* why) {
  const char* allowed = "a frequency: a number with Hz, kHz, MHz, GHz or THz (bare number = Hz)";
  Decimal d;
  std::string_view unit;
  if (!split_number(text, &d, &unit)) {
    if (why) *why = allowed;
    return std::nullopt;
  }
  u128 num;
  if (unit.empty() || unit == "Hz")
    num = 1;
  else if (unit == "kHz")
    num = 1000;
  else if (unit == "MHz")
    num = 1000000;
  else if (unit == "GHz")
    num = 1000000000;
  else if (unit == "THz")
    num = 1000000000000;
  else {
    if (why) *why = allowed;
    return std::nullopt;
  }
  auto v = scale_exact(d, num, 1);
  if (!v || *v == 0) {
    if (why) *why = "a frequency above 0 Hz that fits in 64 bits";
    return std::nullopt;
  }
  return v;
}

std::optional<std::uint64_t> parse_count(std::string_view text,
                                         std::string* why) {
  Decimal d;
  std::string_view unit;
  if (!split_number(text, &d, &unit) || !unit.empty() || d.scale != 0 ||
      d.mantissa > ~std::uint64_t{0}) {
    if (why) *why = "a whole number from 0 to 18446744073709551615";
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(d.mantissa);
}

std::optional<std::int64_t> parse_integer(std::string_view text,
                                          std::string* why) {
  text = trim(text);
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  auto magnitude = parse_count(text, nullptr);
  constexpr std::uint64_t limit = 9223372036854775807ULL;
  if (!magnitude || *magnitude > limit + (negative ? 1 : 0)) {
    if (why) *why = "a whole number (optionally negative)";
    return std::nullopt;
  }
  if (negative) return static_cast<std::int64_t>(0 - *magnitude);
  return static_cast<std::int64_t>(*magnitude);
}

double to_seconds(Cycles cycles, Hertz clock) {
  return static_cast<double>(cycles) / static_cast<double>(clock);
}

double to_milliseconds(Cycles cycles, Hertz clock) {
  return 1000.0 * to_seconds(cycles, clock);
}

std::string format_frequency(Hertz hz) {
  if (hz % 1000000000 == 0) return fmt::format("{}GHz", hz / 1000000000);
  if (hz % 1000000 == 0) return fmt::format("{}MHz", hz / 1000000);
  if (hz % 1000 == 0) return fmt::format("{}kHz", hz / 1000);
  return fmt::format("{}Hz", hz);
}

std::string format_size(Bytes bytes) {
  if (bytes != 0 && bytes % (1u << 20) == 0) return fmt::format("{}MiB", bytes >> 20);
  if (bytes != 0 && bytes % (1u << 10) == 0) return fmt::format("{}KiB", bytes >> 10);
  return fmt::format("{}B", bytes);
}

}  // namespace vmmsim
