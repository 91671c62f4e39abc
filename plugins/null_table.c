/* null_table: the entry point exists but returns no table; the loader must
 * refuse the plugin instead of dereferencing NULL. */
#include <stdlib.h>

#include "schedulers/sched_abi.h"

__attribute__((visibility("default"))) const vmm_sched_ops_t *vmmsim_scheduler(void) {
  return NULL;
}
