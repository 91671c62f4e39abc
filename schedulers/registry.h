// Built-in schedulers, registered by name (`vmmsim list` shows them).
#pragma once

#include <string_view>
#include <vector>

#include "schedulers/sched_abi.h"

namespace vmmsim::sched {

// In the order `vmmsim list` shows them.
const std::vector<const vmm_sched_ops_t*>& builtin_schedulers();
// nullptr if no built-in has that name.
const vmm_sched_ops_t* find_builtin(std::string_view name);

// For a tool that watches the calls into one built-in (vmmsim_bench policy):
// from now on find_builtin(name) answers `table` instead, a copy of the
// built-in's with its entry points wrapped. One per process; nullptr undoes it.
void interpose_builtin(std::string_view name, const vmm_sched_ops_t* table);

// Each policy file defines one of these.
const vmm_sched_ops_t& fifo_ops();
const vmm_sched_ops_t& rr_ops();
const vmm_sched_ops_t& bvt_ops();
const vmm_sched_ops_t& credit_ops();
const vmm_sched_ops_t& credit2_ops();
const vmm_sched_ops_t& rtds_ops();
const vmm_sched_ops_t& arinc653_ops();
const vmm_sched_ops_t& eevdf_ops();

}  // namespace vmmsim::sched
