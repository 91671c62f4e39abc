/* lottery: lottery scheduling (C. A. Waldspurger and W. E. Weihl, "Lottery
 * Scheduling: Flexible Proportional-Share Resource Management", OSDI'94), as
 * a vmmsim scheduler plugin in plain C. It is the worked example of
 * docs/plugins.md.
 *
 * Each runnable vCPU holds tickets = its VM's `weight`. A decision draws one
 * winning ticket among the runnable vCPUs that are not running; the holder
 * runs for one quantum. Over many draws each vCPU's share of a pCPU tends to
 * its tickets / all tickets. The draws come from splitmix64 seeded by `seed`,
 * so a run is reproducible.
 *
 * Cost: a draw walks a compact array of the queued vCPUs, O(n). That is
 * fine for an example; the paper's tree of partial sums makes it O(log n).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedulers/sched_abi.h"

/* Durations in specs are microseconds; the policy receives cycles. */
#define QUANTUM_DEFAULT_US 10000 /* 10 ms */
#define QUANTUM_MIN_US 100
#define QUANTUM_MAX_US 1000000 /* 1 s */
#define WEIGHT_DEFAULT 256
#define WEIGHT_MAX 65535
/* Ids are 0..n-1; a larger one is a caller's bug, not a reason to allocate. */
#define VCPU_ID_LIMIT (1 << 20)

static const vmm_param_spec_t lottery_params[] = {
    {"quantum", VMM_PARAM_DURATION, QUANTUM_DEFAULT_US, QUANTUM_MIN_US, QUANTUM_MAX_US,
     "time the winner of a draw runs before the next draw"},
    {"seed", VMM_PARAM_INTEGER, 1, 0, INT64_MAX,
     "seed of the pseudo-random draws (same seed, same schedule)"},
};

static const vmm_param_spec_t lottery_vm_params[] = {
    {"weight", VMM_PARAM_INTEGER, WEIGHT_DEFAULT, 1, WEIGHT_MAX,
     "tickets each vCPU of the VM holds: its share relative to other vCPUs"},
};

typedef struct {
  int present;
  int runnable;
  int32_t cpu;      /* pCPU it runs on, or VMM_NO_CPU */
  int32_t pos;      /* index in the run array while queued, else -1 */
  uint64_t tickets; /* its VM's weight */
} lottery_vcpu_t;

typedef struct {
  uint32_t cpus;
  vmm_cycles_t quantum;
  uint64_t rng; /* splitmix64 state */
  uint64_t draws;

  lottery_vcpu_t *vcpus; /* indexed by vCPU id */
  int32_t vcpu_slots;

  vmm_vcpu_id_t *run; /* queued: runnable and not running, in no order */
  int32_t run_len;
  uint64_t run_tickets; /* sum of the queued vCPUs' tickets */

  vmm_vcpu_id_t *current; /* per pCPU: its owner, or VMM_IDLE */
  int *tickled;           /* per pCPU: idle and already asked to pick */
} lottery_t;

/* splitmix64 (Steele, Lea, Flood 2014): any seed, including 0, is fine. */
static uint64_t next_random(lottery_t *s) {
  uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* A reason for the VMM; err may be NULL when the caller wants none. */
#define SET_ERROR(err, err_len, ...) \
  ((err) && (err_len) ? (void)snprintf((err), (err_len), __VA_ARGS__) : (void)0)

static int64_t find_param(const vmm_param_t *params, uint32_t count, const char *key,
                          int64_t fallback) {
  for (uint32_t i = 0; i < count; ++i)
    if (strcmp(params[i].key, key) == 0) return params[i].value;
  return fallback;
}

static int known(const lottery_t *s, vmm_vcpu_id_t v) {
  return v >= 0 && v < s->vcpu_slots && s->vcpus[v].present;
}

static void enqueue(lottery_t *s, vmm_vcpu_id_t v) {
  s->vcpus[v].pos = s->run_len;
  s->run[s->run_len++] = v;
  s->run_tickets += s->vcpus[v].tickets;
}

/* Swap-with-last keeps the array compact; the order does not matter to a
 * lottery, and it stays deterministic. */
static void dequeue(lottery_t *s, vmm_vcpu_id_t v) {
  int32_t pos = s->vcpus[v].pos;
  vmm_vcpu_id_t last = s->run[--s->run_len];
  s->run[pos] = last;
  s->vcpus[last].pos = pos;
  s->vcpus[v].pos = -1;
  s->run_tickets -= s->vcpus[v].tickets;
}

static void lottery_destroy(void *self) {
  lottery_t *s = self;
  if (!s) return;
  free(s->vcpus);
  free(s->run);
  free(s->current);
  free(s->tickled);
  free(s);
}

static void *lottery_create(const vmm_sched_config_t *config, char *err, size_t err_len) {
  if (config->cpus == 0) {
    SET_ERROR(err, err_len, "lottery: needs at least one pCPU");
    return NULL;
  }
  /* The VMM fills in every default; a bare caller may not, so fall back. */
  int64_t quantum = find_param(config->params, config->param_count, "quantum",
                               (int64_t)(QUANTUM_DEFAULT_US * config->clock_hz / 1000000));
  if (quantum <= 0) {
    SET_ERROR(err, err_len, "lottery: quantum must be at least one cycle");
    return NULL;
  }
  lottery_t *s = calloc(1, sizeof *s);
  if (!s) {
    SET_ERROR(err, err_len, "lottery: out of memory");
    return NULL;
  }
  s->cpus = config->cpus;
  s->quantum = (vmm_cycles_t)quantum;
  s->rng = (uint64_t)find_param(config->params, config->param_count, "seed", 1);
  s->current = malloc(config->cpus * sizeof *s->current);
  s->tickled = calloc(config->cpus, sizeof *s->tickled);
  if (!s->current || !s->tickled) {
    lottery_destroy(s);
    SET_ERROR(err, err_len, "lottery: out of memory");
    return NULL;
  }
  for (uint32_t c = 0; c < config->cpus; ++c) s->current[c] = VMM_IDLE;
  return s;
}

/* Grows the per-vCPU arrays so that id fits; 0 on success. */
static int reserve(lottery_t *s, vmm_vcpu_id_t id) {
  if (id < s->vcpu_slots) return 0;
  int32_t slots = s->vcpu_slots ? s->vcpu_slots : 16;
  while (slots <= id) slots *= 2;
  lottery_vcpu_t *vcpus = realloc(s->vcpus, (size_t)slots * sizeof *vcpus);
  if (!vcpus) return 1;
  s->vcpus = vcpus;
  vmm_vcpu_id_t *run = realloc(s->run, (size_t)slots * sizeof *run);
  if (!run) return 1;
  s->run = run;
  memset(s->vcpus + s->vcpu_slots, 0, (size_t)(slots - s->vcpu_slots) * sizeof *vcpus);
  s->vcpu_slots = slots;
  return 0;
}

static int lottery_insert(void *self, const vmm_vcpu_info_t *info, vmm_cycles_t now, char *err,
                          size_t err_len) {
  lottery_t *s = self;
  (void)now;
  if (info->id < 0 || info->id >= VCPU_ID_LIMIT) {
    SET_ERROR(err, err_len, "lottery: vCPU id %d is out of range", (int)info->id);
    return 1;
  }
  if (known(s, info->id)) {
    SET_ERROR(err, err_len, "lottery: vCPU %d inserted twice", (int)info->id);
    return 1;
  }
  int64_t weight = find_param(info->vm_params, info->vm_param_count, "weight", WEIGHT_DEFAULT);
  if (weight < 1 || weight > WEIGHT_MAX) {
    SET_ERROR(err, err_len, "lottery: VM %u: weight %lld is out of range 1..%d", (unsigned)info->vm,
              (long long)weight, WEIGHT_MAX);
    return 1;
  }
  int32_t cpu = info->running_on;
  if (cpu != VMM_NO_CPU && (cpu < 0 || (uint32_t)cpu >= s->cpus || s->current[cpu] != VMM_IDLE)) {
    SET_ERROR(err, err_len, "lottery: vCPU %d inserted as running on pCPU %d, which is not free",
              (int)info->id, (int)cpu);
    return 1;
  }
  if (reserve(s, info->id)) {
    SET_ERROR(err, err_len, "lottery: out of memory");
    return 1;
  }
  lottery_vcpu_t *v = &s->vcpus[info->id];
  v->present = 1;
  v->runnable = info->runnable != 0;
  v->cpu = cpu;
  v->pos = -1;
  v->tickets = (uint64_t)weight;
  if (cpu != VMM_NO_CPU) {
    s->current[cpu] = info->id;
    s->tickled[cpu] = 0;
  } else if (v->runnable) {
    enqueue(s, info->id);
  }
  return 0;
}

static void lottery_remove(void *self, vmm_vcpu_id_t id, vmm_cycles_t now) {
  lottery_t *s = self;
  (void)now;
  if (!known(s, id)) return;
  lottery_vcpu_t *v = &s->vcpus[id];
  if (v->cpu != VMM_NO_CPU)
    s->current[v->cpu] = VMM_IDLE;
  else if (v->pos >= 0)
    dequeue(s, id);
  memset(v, 0, sizeof *v);
}

/* A woken vCPU enters the lottery; the lowest idle pCPU not yet asked picks. */
static vmm_tickle_t lottery_wake(void *self, vmm_vcpu_id_t id, vmm_cycles_t now) {
  lottery_t *s = self;
  vmm_tickle_t none = {VMM_NO_CPU, 0};
  if (!known(s, id)) return none;
  lottery_vcpu_t *v = &s->vcpus[id];
  if (v->runnable) return none;
  v->runnable = 1;
  if (v->cpu != VMM_NO_CPU) return none; /* blocked and woke before leaving its pCPU */
  enqueue(s, id);
  for (uint32_t c = 0; c < s->cpus; ++c) {
    if (s->current[c] == VMM_IDLE && !s->tickled[c]) {
      s->tickled[c] = 1;
      vmm_tickle_t t = {(int32_t)c, now};
      return t;
    }
  }
  return none; /* every pCPU is busy: the winner waits for the next draw */
}

static void lottery_block(void *self, vmm_vcpu_id_t id, vmm_cycles_t now) {
  lottery_t *s = self;
  (void)now;
  if (!known(s, id) || !s->vcpus[id].runnable) return;
  s->vcpus[id].runnable = 0;
  if (s->vcpus[id].pos >= 0) dequeue(s, id);
}

/* A yielding vCPU re-enters the lottery at its next deschedule like any other. */
static void lottery_yield(void *self, vmm_vcpu_id_t id, vmm_cycles_t now) {
  (void)self;
  (void)id;
  (void)now;
}

static int lottery_tick(void *self, uint32_t cpu, vmm_cycles_t now) {
  (void)self;
  (void)cpu;
  (void)now;
  return 0; /* the quantum is the slice: nothing to account between draws */
}

static vmm_decision_t lottery_pick_next(void *self, uint32_t cpu, vmm_cycles_t now,
                                        vmm_vcpu_id_t prev, vmm_cycles_t ran) {
  lottery_t *s = self;
  vmm_decision_t idle = {VMM_IDLE, VMM_FOREVER};
  (void)now;
  (void)ran;
  (void)prev; /* our own record of the owner says the same, and survives a remove */
  if (cpu >= s->cpus) return idle;

  vmm_vcpu_id_t leaving = s->current[cpu];
  if (leaving != VMM_IDLE) {
    s->vcpus[leaving].cpu = VMM_NO_CPU;
    if (s->vcpus[leaving].runnable) enqueue(s, leaving); /* back into the lottery */
  }
  s->current[cpu] = VMM_IDLE;
  s->tickled[cpu] = 0;
  if (s->run_tickets == 0) return idle; /* sleep until a wake tickles this pCPU */

  /* Modulo bias is below run_tickets / 2^64: negligible for a share. */
  uint64_t winning = next_random(s) % s->run_tickets;
  ++s->draws;
  int32_t i = 0;
  while (winning >= s->vcpus[s->run[i]].tickets) winning -= s->vcpus[s->run[i++]].tickets;
  vmm_vcpu_id_t next = s->run[i];
  dequeue(s, next);
  s->vcpus[next].cpu = (int32_t)cpu;
  s->current[cpu] = next;
  vmm_decision_t d = {next, s->quantum};
  return d;
}

/* More tickets, more chances to run sooner. */
static int64_t lottery_priority(void *self, vmm_vcpu_id_t id) {
  lottery_t *s = self;
  return known(s, id) ? (int64_t)s->vcpus[id].tickets : 0;
}

static size_t lottery_dump(void *self, char *buf, size_t len) {
  lottery_t *s = self;
  int n = snprintf(buf, len, "quantum=%llu queued=%d tickets=%llu draws=%llu",
                   (unsigned long long)s->quantum, (int)s->run_len,
                   (unsigned long long)s->run_tickets, (unsigned long long)s->draws);
  return n < 0 ? 0 : (size_t)n;
}

static const vmm_sched_ops_t lottery_ops = {
    .abi_version = VMMSIM_SCHED_ABI_VERSION,
    .name = "lottery",
    .description = "lottery scheduling (Waldspurger & Weihl, OSDI'94): tickets = VM weight",
    .image_bytes = 0, /* the size of this .so */
    .params = lottery_params,
    .param_count = sizeof lottery_params / sizeof lottery_params[0],
    .vm_params = lottery_vm_params,
    .vm_param_count = sizeof lottery_vm_params / sizeof lottery_vm_params[0],
    .create = lottery_create,
    .destroy = lottery_destroy,
    .insert = lottery_insert,
    .remove = lottery_remove,
    .wake = lottery_wake,
    .block = lottery_block,
    .yield = lottery_yield,
    .tick = lottery_tick,
    .pick_next = lottery_pick_next,
    .priority = lottery_priority,
    .dump = lottery_dump,
};

/* The one symbol the VMM looks up (built with -fvisibility=hidden). */
__attribute__((visibility("default"))) const vmm_sched_ops_t *vmmsim_scheduler(void) {
  return &lottery_ops;
}
