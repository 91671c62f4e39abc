#include "schedulers/param_value.h"

#include <fmt/format.h>

namespace vmmsim::sched {

std::int64_t us_to_cycles(std::int64_t us, Hertz clock) {
  const __int128 scaled = static_cast<__int128>(us) * clock;
  return static_cast<std::int64_t>((scaled + (us < 0 ? -500000 : 500000)) / 1000000);
}

std::int64_t param_default(const vmm_param_spec_t& spec, Hertz clock) {
  return spec.kind == VMM_PARAM_DURATION ? us_to_cycles(spec.default_value, clock) : spec.default_value;
}

std::optional<std::int64_t> param_value(const vmm_param_spec_t& spec, std::string_view text, Hertz clock,
                                        std::string* expected) {
  if (spec.kind == VMM_PARAM_DURATION) {
    // The range in cycles, rounded as the value is: "100us" is within 100us..
    auto v = parse_duration(text, clock, nullptr);
    if (v && static_cast<__int128>(*v) >= us_to_cycles(spec.min, clock) &&
        static_cast<__int128>(*v) <= us_to_cycles(spec.max, clock))
      return static_cast<std::int64_t>(*v);
    *expected = fmt::format("a duration from {}us to {}us", spec.min, spec.max);
    return std::nullopt;
  }
  auto v = parse_integer(text, nullptr);
  if (v && *v >= spec.min && *v <= spec.max) return v;
  *expected = fmt::format("a whole number from {} to {}", spec.min, spec.max);
  return std::nullopt;
}

}  // namespace vmmsim::sched
