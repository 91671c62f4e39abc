/* bad_table: a plugin whose ops table is wrong on purpose, one defect at a
 * time, to show that the loader checks the whole table before it calls
 * anything in it, and that the VMM terminates every err buffer it hands out
 * (docs/plugins.md, "What the loader checks").
 *
 * The environment variable VMMSIM_BAD_TABLE picks the defect; the entry point
 * reads it at every call, so one process can load several variants:
 *   (unset) or "none"   a valid table (idles every pCPU)
 *   null_params         params NULL with param_count 2
 *   null_vm_params      vm_params NULL with vm_param_count 1
 *   null_key            a parameter with a NULL key
 *   null_help           a parameter with a NULL help
 *   huge_count          param_count 100000 (the array holds 2)
 *   min_above_max       a range 10..5
 *   default_outside     default 50 in the range 1..10
 *   duplicate_key       the key "quantum" twice
 *   bad_kind            a kind that is neither integer nor duration
 *   negative_duration   a duration range from -5us
 *   empty_name          name ""
 *   long_name           a name of 65 characters
 *   name_escape         a name with an escape sequence in it
 *   key_space           a key with a space in it
 *   no_description      description NULL
 *   err_create          create fails and fills err to its end, no NUL
 *   err_insert          insert fails and fills err to its end, no NUL
 *   huge_idle_slice     a valid table whose pick_next idles for 2^62 cycles,
 *                       past the end of SystemC time
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schedulers/sched_abi.h"

static const vmm_param_spec_t good_params[] = {
    {"quantum", VMM_PARAM_DURATION, 10000, 1, 10000000, "unused: every decision idles"},
    {"seed", VMM_PARAM_INTEGER, 1, 0, 100, "unused"},
};
static const vmm_param_spec_t null_key_params[] = {
    {NULL, VMM_PARAM_INTEGER, 1, 0, 100, "a parameter with no key"},
};
static const vmm_param_spec_t null_help_params[] = {
    {"seed", VMM_PARAM_INTEGER, 1, 0, 100, NULL},
};
static const vmm_param_spec_t min_above_max_params[] = {
    {"seed", VMM_PARAM_INTEGER, 7, 10, 5, "min above max"},
};
static const vmm_param_spec_t default_outside_params[] = {
    {"seed", VMM_PARAM_INTEGER, 50, 1, 10, "default outside the range"},
};
static const vmm_param_spec_t duplicate_params[] = {
    {"quantum", VMM_PARAM_DURATION, 10000, 1, 10000000, "first"},
    {"seed", VMM_PARAM_INTEGER, 1, 0, 100, "between"},
    {"quantum", VMM_PARAM_DURATION, 10000, 1, 10000000, "again"},
};
static const vmm_param_spec_t bad_kind_params[] = {
    {"seed", (vmm_param_kind_t)7, 1, 0, 100, "kind 7"},
};
static const vmm_param_spec_t negative_duration_params[] = {
    {"quantum", VMM_PARAM_DURATION, 10000, -5, 10000000, "a negative duration"},
};
static const vmm_param_spec_t key_space_params[] = {
    {"time slice", VMM_PARAM_DURATION, 10000, 1, 10000000, "a key KEY=VALUE cannot name"},
};

static void fill_without_nul(char *err, size_t err_len) {
  if (err && err_len) memset(err, 'X', err_len);
}

typedef struct {
  int unused;
} bad_table_t;

static void *bad_create(const vmm_sched_config_t *config, char *err, size_t err_len) {
  (void)config;
  (void)err;
  (void)err_len;
  return calloc(1, sizeof(bad_table_t));
}

static void *bad_create_fails(const vmm_sched_config_t *config, char *err, size_t err_len) {
  (void)config;
  fill_without_nul(err, err_len);
  return NULL;
}

static void bad_destroy(void *self) { free(self); }

static int bad_insert(void *self, const vmm_vcpu_info_t *vcpu, vmm_cycles_t now, char *err,
                      size_t err_len) {
  (void)self;
  (void)vcpu;
  (void)now;
  (void)err;
  (void)err_len;
  return 0;
}

static int bad_insert_fails(void *self, const vmm_vcpu_info_t *vcpu, vmm_cycles_t now, char *err,
                            size_t err_len) {
  (void)self;
  (void)vcpu;
  (void)now;
  fill_without_nul(err, err_len);
  return 1;
}

static void bad_remove(void *self, vmm_vcpu_id_t vcpu, vmm_cycles_t now) {
  (void)self;
  (void)vcpu;
  (void)now;
}

static vmm_tickle_t bad_wake(void *self, vmm_vcpu_id_t vcpu, vmm_cycles_t now) {
  (void)self;
  (void)vcpu;
  (void)now;
  vmm_tickle_t none = {VMM_NO_CPU, 0};
  return none;
}

static vmm_decision_t bad_pick_next(void *self, uint32_t cpu, vmm_cycles_t now, vmm_vcpu_id_t prev,
                                    vmm_cycles_t ran) {
  (void)self;
  (void)cpu;
  (void)now;
  (void)prev;
  (void)ran;
  vmm_decision_t idle = {VMM_IDLE, VMM_FOREVER};
  return idle;
}

static vmm_decision_t bad_pick_next_huge(void *self, uint32_t cpu, vmm_cycles_t now,
                                         vmm_vcpu_id_t prev, vmm_cycles_t ran) {
  vmm_decision_t d = bad_pick_next(self, cpu, now, prev, ran);
  d.slice = (vmm_cycles_t)1 << 62;
  return d;
}

static int64_t bad_priority(void *self, vmm_vcpu_id_t vcpu) {
  (void)self;
  (void)vcpu;
  return 0;
}

/* The valid table every variant starts from. */
static vmm_sched_ops_t valid_table(void) {
  vmm_sched_ops_t t;
  memset(&t, 0, sizeof t);
  t.abi_version = VMMSIM_SCHED_ABI_VERSION;
  t.name = "bad_table";
  t.description = "an ops table with one defect chosen by VMMSIM_BAD_TABLE";
  t.params = good_params;
  t.param_count = sizeof good_params / sizeof good_params[0];
  t.create = bad_create;
  t.destroy = bad_destroy;
  t.insert = bad_insert;
  t.remove = bad_remove;
  t.wake = bad_wake;
  t.block = bad_remove;
  t.yield = bad_remove;
  t.pick_next = bad_pick_next;
  t.priority = bad_priority;
  return t;
}

#define ONE_SPEC(t, specs) ((t).params = (specs), (t).param_count = sizeof(specs) / sizeof((specs)[0]))

static vmm_sched_ops_t table; /* what the entry point hands out, rebuilt per call */

__attribute__((visibility("default"))) const vmm_sched_ops_t *vmmsim_scheduler(void) {
  const char *v = getenv("VMMSIM_BAD_TABLE");
  if (!v) v = "none";
  table = valid_table();
  if (strcmp(v, "null_params") == 0) {
    table.params = NULL;
  } else if (strcmp(v, "null_vm_params") == 0) {
    table.vm_params = NULL;
    table.vm_param_count = 1;
  } else if (strcmp(v, "null_key") == 0) {
    ONE_SPEC(table, null_key_params);
  } else if (strcmp(v, "null_help") == 0) {
    ONE_SPEC(table, null_help_params);
  } else if (strcmp(v, "huge_count") == 0) {
    table.param_count = 100000;
  } else if (strcmp(v, "min_above_max") == 0) {
    ONE_SPEC(table, min_above_max_params);
  } else if (strcmp(v, "default_outside") == 0) {
    ONE_SPEC(table, default_outside_params);
  } else if (strcmp(v, "duplicate_key") == 0) {
    ONE_SPEC(table, duplicate_params);
  } else if (strcmp(v, "bad_kind") == 0) {
    ONE_SPEC(table, bad_kind_params);
  } else if (strcmp(v, "negative_duration") == 0) {
    ONE_SPEC(table, negative_duration_params);
  } else if (strcmp(v, "empty_name") == 0) {
    table.name = "";
  } else if (strcmp(v, "long_name") == 0) {
    table.name = "a_name_of_sixty_five_characters_which_is_one_more_than_allowed_xy";
  } else if (strcmp(v, "name_escape") == 0) {
    table.name = "bad\x1b[2Jname";
  } else if (strcmp(v, "key_space") == 0) {
    ONE_SPEC(table, key_space_params);
  } else if (strcmp(v, "no_description") == 0) {
    table.description = NULL;
  } else if (strcmp(v, "err_create") == 0) {
    table.create = bad_create_fails;
  } else if (strcmp(v, "err_insert") == 0) {
    table.insert = bad_insert_fails;
  } else if (strcmp(v, "huge_idle_slice") == 0) {
    table.pick_next = bad_pick_next_huge;
  }
  return &table;
}
