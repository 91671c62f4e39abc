// throwing_entry: a plugin whose entry point throws a C++ exception before it
// returns any table. The loader must refuse it (docs/robustness.md).
#include <stdexcept>

#include "schedulers/sched_abi.h"

extern "C" __attribute__((visibility("default"))) const vmm_sched_ops_t* vmmsim_scheduler(void) {
  throw std::runtime_error("throwing_entry: no table today");
}
