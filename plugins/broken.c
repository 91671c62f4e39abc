/* broken: a scheduler plugin that misbehaves on purpose, to show that the
 * VMM's watchdog and loader contain a faulty policy (docs/plugins.md).
 *
 * It is round robin (one FIFO queue, fixed quantum) for its first `after`
 * decisions; from decision after+1 on it breaks the contract as `fault` says:
 *   0  never: plain round robin (a control for experiments)
 *   1  returns an unknown vCPU id
 *   2  returns a blocked vCPU (an unknown id if none is blocked)
 *   3  returns a vCPU running on another pCPU (an unknown id if none is)
 *   4  never picks the lowest-id vCPU it knows: it stays queued, runnable,
 *      and waits past the watchdog
 *   5  create() fails (at load time, whatever `after` says)
 *   6  insert() fails on the 2nd vCPU (at load or migrate time)
 *   7  gives every vCPU it picks a slice of 0 cycles: with every cost 0,
 *      simulated time stands still (the VMM ejects it)
 * Queue operations are O(n): this file is about faults, not speed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedulers/sched_abi.h"

#define QUANTUM_DEFAULT_US 10000 /* 10 ms */
#define QUANTUM_MIN_US 1
#define QUANTUM_MAX_US 10000000 /* 10 s */
#define AFTER_DEFAULT 50
#define FAULT_DEFAULT 1
#define FAULT_MAX 7
/* An id no platform has: the loader caps vCPUs far below it. */
#define UNKNOWN_VCPU ((vmm_vcpu_id_t)100000)
#define VCPU_ID_LIMIT (1 << 20)

static const vmm_param_spec_t broken_params[] = {
    {"quantum", VMM_PARAM_DURATION, QUANTUM_DEFAULT_US, QUANTUM_MIN_US, QUANTUM_MAX_US,
     "round-robin time slice while it still behaves"},
    {"after", VMM_PARAM_INTEGER, AFTER_DEFAULT, 0, 1000000000,
     "decisions made correctly before the fault starts"},
    {"fault", VMM_PARAM_INTEGER, FAULT_DEFAULT, 0, FAULT_MAX,
     "0 none, 1 unknown vCPU, 2 blocked vCPU, 3 vCPU running elsewhere, 4 starve the "
     "lowest-id vCPU, 5 create fails, 6 insert of the 2nd vCPU fails, 7 zero-length slices"},
};

#define SET_ERROR(err, err_len, ...) \
  ((err) && (err_len) ? (void)snprintf((err), (err_len), __VA_ARGS__) : (void)0)

typedef struct {
  int present;
  int runnable;
  int queued;
  int32_t cpu; /* pCPU it runs on, or VMM_NO_CPU */
} broken_vcpu_t;

typedef struct {
  uint32_t cpus;
  vmm_cycles_t quantum;
  int64_t after;
  int64_t fault;
  uint64_t decisions; /* pick_next calls so far */
  uint32_t inserts;

  broken_vcpu_t *vcpus; /* indexed by vCPU id */
  int32_t vcpu_slots;
  vmm_vcpu_id_t *queue; /* FIFO, head at 0 */
  int32_t queue_len;

  vmm_vcpu_id_t *current; /* per pCPU: its owner, or VMM_IDLE */
  int *tickled;           /* per pCPU: idle and already asked to pick */
} broken_t;

static int64_t find_param(const vmm_param_t *params, uint32_t count, const char *key,
                          int64_t fallback) {
  for (uint32_t i = 0; i < count; ++i)
    if (strcmp(params[i].key, key) == 0) return params[i].value;
  return fallback;
}

static int known(const broken_t *s, vmm_vcpu_id_t v) {
  return v >= 0 && v < s->vcpu_slots && s->vcpus[v].present;
}

static void enqueue(broken_t *s, vmm_vcpu_id_t v) {
  s->queue[s->queue_len++] = v;
  s->vcpus[v].queued = 1;
}

static void dequeue(broken_t *s, vmm_vcpu_id_t v) {
  for (int32_t i = 0; i < s->queue_len; ++i) {
    if (s->queue[i] != v) continue;
    memmove(s->queue + i, s->queue + i + 1, (size_t)(s->queue_len - i - 1) * sizeof *s->queue);
    --s->queue_len;
    s->vcpus[v].queued = 0;
    return;
  }
}

static void broken_destroy(void *self) {
  broken_t *s = self;
  if (!s) return;
  free(s->vcpus);
  free(s->queue);
  free(s->current);
  free(s->tickled);
  free(s);
}

static void *broken_create(const vmm_sched_config_t *config, char *err, size_t err_len) {
  int64_t fault = find_param(config->params, config->param_count, "fault", FAULT_DEFAULT);
  if (fault == 5) {
    SET_ERROR(err, err_len, "broken: init failure requested (fault=5)");
    return NULL;
  }
  if (config->cpus == 0) {
    SET_ERROR(err, err_len, "broken: needs at least one pCPU");
    return NULL;
  }
  int64_t quantum = find_param(config->params, config->param_count, "quantum",
                               (int64_t)(QUANTUM_DEFAULT_US * config->clock_hz / 1000000));
  if (quantum <= 0) {
    SET_ERROR(err, err_len, "broken: quantum must be at least one cycle");
    return NULL;
  }
  broken_t *s = calloc(1, sizeof *s);
  if (!s) {
    SET_ERROR(err, err_len, "broken: out of memory");
    return NULL;
  }
  s->cpus = config->cpus;
  s->quantum = (vmm_cycles_t)quantum;
  s->after = find_param(config->params, config->param_count, "after", AFTER_DEFAULT);
  if (s->after < 0) s->after = 0;
  s->fault = fault;
  s->current = malloc(config->cpus * sizeof *s->current);
  s->tickled = calloc(config->cpus, sizeof *s->tickled);
  if (!s->current || !s->tickled) {
    broken_destroy(s);
    SET_ERROR(err, err_len, "broken: out of memory");
    return NULL;
  }
  for (uint32_t c = 0; c < config->cpus; ++c) s->current[c] = VMM_IDLE;
  return s;
}

static int reserve(broken_t *s, vmm_vcpu_id_t id) {
  if (id < s->vcpu_slots) return 0;
  int32_t slots = s->vcpu_slots ? s->vcpu_slots : 16;
  while (slots <= id) slots *= 2;
  broken_vcpu_t *vcpus = realloc(s->vcpus, (size_t)slots * sizeof *vcpus);
  if (!vcpus) return 1;
  s->vcpus = vcpus;
  vmm_vcpu_id_t *queue = realloc(s->queue, (size_t)slots * sizeof *queue);
  if (!queue) return 1;
  s->queue = queue;
  memset(s->vcpus + s->vcpu_slots, 0, (size_t)(slots - s->vcpu_slots) * sizeof *vcpus);
  s->vcpu_slots = slots;
  return 0;
}

static int broken_insert(void *self, const vmm_vcpu_info_t *info, vmm_cycles_t now, char *err,
                         size_t err_len) {
  broken_t *s = self;
  (void)now;
  if (s->fault == 6 && ++s->inserts == 2) {
    SET_ERROR(err, err_len, "broken: insert failure requested on the 2nd vCPU (fault=6)");
    return 1;
  }
  int32_t cpu = info->running_on;
  if (info->id < 0 || info->id >= VCPU_ID_LIMIT || known(s, info->id) ||
      (cpu != VMM_NO_CPU && (cpu < 0 || (uint32_t)cpu >= s->cpus || s->current[cpu] != VMM_IDLE))) {
    SET_ERROR(err, err_len, "broken: bad insert of vCPU %d", (int)info->id);
    return 1;
  }
  if (reserve(s, info->id)) {
    SET_ERROR(err, err_len, "broken: out of memory");
    return 1;
  }
  broken_vcpu_t *v = &s->vcpus[info->id];
  v->present = 1;
  v->runnable = info->runnable != 0;
  v->queued = 0;
  v->cpu = cpu;
  if (cpu != VMM_NO_CPU)
    s->current[cpu] = info->id;
  else if (v->runnable)
    enqueue(s, info->id);
  return 0;
}

static void broken_remove(void *self, vmm_vcpu_id_t id, vmm_cycles_t now) {
  broken_t *s = self;
  (void)now;
  if (!known(s, id)) return;
  if (s->vcpus[id].cpu != VMM_NO_CPU) s->current[s->vcpus[id].cpu] = VMM_IDLE;
  if (s->vcpus[id].queued) dequeue(s, id);
  memset(&s->vcpus[id], 0, sizeof s->vcpus[id]);
}

static vmm_tickle_t broken_wake(void *self, vmm_vcpu_id_t id, vmm_cycles_t now) {
  broken_t *s = self;
  vmm_tickle_t none = {VMM_NO_CPU, 0};
  if (!known(s, id) || s->vcpus[id].runnable) return none;
  s->vcpus[id].runnable = 1;
  if (s->vcpus[id].cpu != VMM_NO_CPU) return none;
  enqueue(s, id);
  for (uint32_t c = 0; c < s->cpus; ++c) {
    if (s->current[c] == VMM_IDLE && !s->tickled[c]) {
      s->tickled[c] = 1;
      vmm_tickle_t t = {(int32_t)c, now};
      return t;
    }
  }
  return none;
}

static void broken_block(void *self, vmm_vcpu_id_t id, vmm_cycles_t now) {
  broken_t *s = self;
  (void)now;
  if (!known(s, id) || !s->vcpus[id].runnable) return;
  s->vcpus[id].runnable = 0;
  if (s->vcpus[id].queued) dequeue(s, id);
}

static void broken_yield(void *self, vmm_vcpu_id_t id, vmm_cycles_t now) {
  (void)self;
  (void)id;
  (void)now;
}

static int broken_tick(void *self, uint32_t cpu, vmm_cycles_t now) {
  (void)self;
  (void)cpu;
  (void)now;
  return 0;
}

static vmm_vcpu_id_t lowest_known(const broken_t *s) {
  for (vmm_vcpu_id_t v = 0; v < s->vcpu_slots; ++v)
    if (s->vcpus[v].present) return v;
  return VMM_IDLE;
}

static vmm_vcpu_id_t a_blocked_vcpu(const broken_t *s) {
  for (vmm_vcpu_id_t v = 0; v < s->vcpu_slots; ++v)
    if (s->vcpus[v].present && !s->vcpus[v].runnable) return v;
  return UNKNOWN_VCPU;
}

static vmm_vcpu_id_t a_vcpu_running_elsewhere(const broken_t *s, uint32_t cpu) {
  for (uint32_t c = 0; c < s->cpus; ++c)
    if (c != cpu && s->current[c] != VMM_IDLE) return s->current[c];
  return UNKNOWN_VCPU;
}

static vmm_decision_t broken_pick_next(void *self, uint32_t cpu, vmm_cycles_t now,
                                       vmm_vcpu_id_t prev, vmm_cycles_t ran) {
  broken_t *s = self;
  (void)now;
  (void)prev;
  (void)ran;
  vmm_decision_t d = {VMM_IDLE, VMM_FOREVER};
  if (cpu >= s->cpus) return d;

  vmm_vcpu_id_t leaving = s->current[cpu];
  if (leaving != VMM_IDLE) {
    s->vcpus[leaving].cpu = VMM_NO_CPU;
    if (s->vcpus[leaving].runnable) enqueue(s, leaving);
  }
  s->current[cpu] = VMM_IDLE;
  s->tickled[cpu] = 0;

  int faulty = ++s->decisions > (uint64_t)s->after;
  /* Faults 1-3: an invalid answer, state left as is (the VMM ejects us). */
  if (faulty && s->fault >= 1 && s->fault <= 3) {
    d.slice = s->quantum;
    d.next = s->fault == 1   ? UNKNOWN_VCPU
             : s->fault == 2 ? a_blocked_vcpu(s)
                             : a_vcpu_running_elsewhere(s, cpu);
    return d;
  }
  vmm_vcpu_id_t starved = faulty && s->fault == 4 ? lowest_known(s) : VMM_IDLE;
  for (int32_t i = 0; i < s->queue_len; ++i) {
    vmm_vcpu_id_t v = s->queue[i];
    if (v == starved) continue;
    dequeue(s, v);
    s->vcpus[v].cpu = (int32_t)cpu;
    s->current[cpu] = v;
    d.next = v;
    d.slice = faulty && s->fault == 7 ? 0 : s->quantum;
    return d;
  }
  /* Nothing else queued: while starving, keep asking so the wait is visible. */
  if (starved != VMM_IDLE && s->vcpus[starved].queued) d.slice = s->quantum;
  return d;
}

static int64_t broken_priority(void *self, vmm_vcpu_id_t id) {
  (void)self;
  return -(int64_t)id;
}

static size_t broken_dump(void *self, char *buf, size_t len) {
  broken_t *s = self;
  int n = snprintf(buf, len, "fault=%lld after=%lld decisions=%llu queued=%d", (long long)s->fault,
                   (long long)s->after, (unsigned long long)s->decisions, (int)s->queue_len);
  return n < 0 ? 0 : (size_t)n;
}

static const vmm_sched_ops_t broken_ops = {
    .abi_version = VMMSIM_SCHED_ABI_VERSION,
    .name = "broken",
    .description = "round robin that breaks the scheduler contract on purpose (watchdog tests)",
    .image_bytes = 0,
    .params = broken_params,
    .param_count = sizeof broken_params / sizeof broken_params[0],
    .vm_params = NULL,
    .vm_param_count = 0,
    .create = broken_create,
    .destroy = broken_destroy,
    .insert = broken_insert,
    .remove = broken_remove,
    .wake = broken_wake,
    .block = broken_block,
    .yield = broken_yield,
    .tick = broken_tick,
    .pick_next = broken_pick_next,
    .priority = broken_priority,
    .dump = broken_dump,
};

__attribute__((visibility("default"))) const vmm_sched_ops_t *vmmsim_scheduler(void) {
  return &broken_ops;
}
