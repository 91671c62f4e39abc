/* hostile_strings: a plugin whose create() always fails with a reason full
 * of what an output must never carry raw: a double quote, a comma, a line
 * break, a terminal escape sequence and bytes that are not UTF-8. The VMM
 * reports the reason in every output; each format escapes it its own way
 * (docs/robustness.md, "Names in outputs"). Its other operations are never
 * called. */
#include <stdio.h>

#include "schedulers/sched_abi.h"

static void *hostile_create(const vmm_sched_config_t *config, char *err, size_t err_len) {
  (void)config;
  if (err && err_len) snprintf(err, err_len, "hostile: \"quoted\", comma\nline two \x1b[2J bytes \xff\xfe end");
  return NULL;
}
static void hostile_destroy(void *self) { (void)self; }
static int hostile_insert(void *self, const vmm_vcpu_info_t *vcpu, vmm_cycles_t now, char *err,
                          size_t err_len) {
  (void)self, (void)vcpu, (void)now, (void)err, (void)err_len;
  return 1;
}
static void hostile_vcpu(void *self, vmm_vcpu_id_t vcpu, vmm_cycles_t now) {
  (void)self, (void)vcpu, (void)now;
}
static vmm_tickle_t hostile_wake(void *self, vmm_vcpu_id_t vcpu, vmm_cycles_t now) {
  (void)self, (void)vcpu, (void)now;
  vmm_tickle_t none = {VMM_NO_CPU, 0};
  return none;
}
static vmm_decision_t hostile_pick_next(void *self, uint32_t cpu, vmm_cycles_t now, vmm_vcpu_id_t prev,
                                        vmm_cycles_t ran) {
  (void)self, (void)cpu, (void)now, (void)prev, (void)ran;
  vmm_decision_t idle = {VMM_IDLE, VMM_FOREVER};
  return idle;
}
static int64_t hostile_priority(void *self, vmm_vcpu_id_t vcpu) {
  (void)self, (void)vcpu;
  return 0;
}

static const vmm_sched_ops_t hostile_ops = {
    .abi_version = VMMSIM_SCHED_ABI_VERSION,
    .name = "hostile",
    .description = "create() fails with a reason that needs escaping in every output",
    .create = hostile_create,
    .destroy = hostile_destroy,
    .insert = hostile_insert,
    .remove = hostile_vcpu,
    .wake = hostile_wake,
    .block = hostile_vcpu,
    .yield = hostile_vcpu,
    .pick_next = hostile_pick_next,
    .priority = hostile_priority,
};

__attribute__((visibility("default"))) const vmm_sched_ops_t *vmmsim_scheduler(void) { return &hostile_ops; }
