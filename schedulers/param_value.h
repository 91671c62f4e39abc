// A scheduler parameter's value from text (a [sched.NAME] or [vm.NAME] key,
// or a KEY=VALUE of a load request), checked against its spec: one rule for
// the config and the VMM, so that the documented range's edges are accepted
// by both at any clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/units.h"
#include "schedulers/sched_abi.h"

namespace vmmsim::sched {

// Microseconds (a spec's unit for durations) as cycles, rounded to the
// nearest as parse_duration rounds "Nus".
std::int64_t us_to_cycles(std::int64_t us, Hertz clock);

// The spec's default: durations in cycles at `clock`.
std::int64_t param_default(const vmm_param_spec_t& spec, Hertz clock);

// The value of `text` (durations in cycles), or nullopt with `expected` set
// to what is allowed ("a duration from 100us to 10000000us").
std::optional<std::int64_t> param_value(const vmm_param_spec_t& spec, std::string_view text, Hertz clock,
                                        std::string* expected);

}  // namespace vmmsim::sched
