/* wrong_abi: a plugin built against an ABI this vmmsim does not speak. The
 * table looks valid, but the loader must refuse it on abi_version alone and
 * call nothing in it: the layout behind a foreign version is unknown. */
#include <stdint.h>
#include <stdlib.h>

#include "schedulers/sched_abi.h"

/* Every op idles; none of them should ever run. */
static void *wrong_abi_create(const vmm_sched_config_t *config, char *err, size_t err_len) {
  static int instance;
  (void)config;
  (void)err;
  (void)err_len;
  return &instance;
}
static void wrong_abi_destroy(void *self) { (void)self; }
static int wrong_abi_insert(void *self, const vmm_vcpu_info_t *vcpu, vmm_cycles_t now, char *err,
                            size_t err_len) {
  (void)self;
  (void)vcpu;
  (void)now;
  (void)err;
  (void)err_len;
  return 0;
}
static void wrong_abi_vcpu_op(void *self, vmm_vcpu_id_t vcpu, vmm_cycles_t now) {
  (void)self;
  (void)vcpu;
  (void)now;
}
static vmm_tickle_t wrong_abi_wake(void *self, vmm_vcpu_id_t vcpu, vmm_cycles_t now) {
  (void)self;
  (void)vcpu;
  (void)now;
  vmm_tickle_t none = {VMM_NO_CPU, 0};
  return none;
}
static int wrong_abi_tick(void *self, uint32_t cpu, vmm_cycles_t now) {
  (void)self;
  (void)cpu;
  (void)now;
  return 0;
}
static vmm_decision_t wrong_abi_pick_next(void *self, uint32_t cpu, vmm_cycles_t now,
                                          vmm_vcpu_id_t prev, vmm_cycles_t ran) {
  (void)self;
  (void)cpu;
  (void)now;
  (void)prev;
  (void)ran;
  vmm_decision_t idle = {VMM_IDLE, VMM_FOREVER};
  return idle;
}
static int64_t wrong_abi_priority(void *self, vmm_vcpu_id_t vcpu) {
  (void)self;
  (void)vcpu;
  return 0;
}

static const vmm_sched_ops_t wrong_abi_ops = {
    .abi_version = VMMSIM_SCHED_ABI_VERSION + 1000,
    .name = "wrong_abi",
    .description = "a table from a future ABI: the loader must refuse it",
    .image_bytes = 0,
    .create = wrong_abi_create,
    .destroy = wrong_abi_destroy,
    .insert = wrong_abi_insert,
    .remove = wrong_abi_vcpu_op,
    .wake = wrong_abi_wake,
    .block = wrong_abi_vcpu_op,
    .yield = wrong_abi_vcpu_op,
    .tick = wrong_abi_tick,
    .pick_next = wrong_abi_pick_next,
    .priority = wrong_abi_priority,
    .dump = NULL,
};

__attribute__((visibility("default"))) const vmm_sched_ops_t *vmmsim_scheduler(void) {
  return &wrong_abi_ops;
}
