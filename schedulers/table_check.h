// The checks an ops table passes before the VMM calls anything in it, the
// same for a built-in and for a plugin (docs/plugins.md, "What the loader
// checks"). Plain C++: no SystemC.
#pragma once

#include <cstdint>
#include <string>

#include "schedulers/sched_abi.h"

namespace vmmsim::sched {

// Bounds of a table, so that a hostile or corrupt one is refused before
// anything loops over it or prints it.
inline constexpr std::uint32_t kMaxParams = 256;        // per array: params, vm_params
inline constexpr std::size_t kMaxNameChars = 64;        // name and each key
inline constexpr std::size_t kMaxTextChars = 256;       // description and each help
// A duration spec (microseconds) converts to cycles in 64 bits at any clock
// up to 1 THz: 2^64 ps / 8, as base/units.h's max_duration.
inline constexpr std::int64_t kMaxDurationMicros = 2305843009213;

// "" if the table may be used; otherwise what is wrong with it, as a phrase
// that follows "its ops table ...": "has no 'create'", "has param_count 300;
// expected at most 256", ... Reads at most the bounds above from any string.
// The caller has checked abi_version: the layout is known.
std::string table_defect(const vmm_sched_ops_t& ops);

}  // namespace vmmsim::sched
