/* no_entry: a shared object that is no scheduler plugin. It exports a
 * function, but under a near miss of the entry's name: the loader looks up
 * exactly "vmmsim_scheduler" and must refuse this file. */
#include <stdlib.h>

#include "schedulers/sched_abi.h"

__attribute__((visibility("default"))) const vmm_sched_ops_t *vmmsim_sched(void) { return NULL; }
