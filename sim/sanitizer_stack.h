// AddressSanitizer and SystemC's coroutines. libsystemc tells ASan about
// each switch between coroutine stacks (__sanitizer_start_switch_fiber),
// but it knows no bounds for the main stack: back on it, ASan takes the
// main stack to be [0, 0). An exception thrown there afterwards (bad input
// found at the end of a run, a write error at commit) then cannot have the
// unwound frames unpoisoned ("ASan is ignoring requested
// __asan_handle_no_return"), and their stale redzones give false reports
// later. After each return from the kernel, the main stack's real bounds
// are given back to ASan. Nothing at all without ASan.
#pragma once

namespace vmmsim::sim {

void restore_main_stack_bounds();

}  // namespace vmmsim::sim
