/* The switching-controller plugin ABI (docs/controller.md "Controller
 * plugins"): a controller in a shared object, beside the scheduler ABI
 * (schedulers/sched_abi.h) and in its spirit. At each end of its window the
 * service VM hands it the window's metrics; it answers with one action or
 * none. No SystemC, no C++ types cross this boundary; plugins/latency_guard.c
 * is a complete example in C11.
 *
 * Lifecycle: create -> { decide }* -> destroy, from one thread, one call at a
 * time. A plugin that fails create, returns non-zero from decide, throws a
 * C++ exception, or answers with an action the VMM cannot read is disabled
 * with the reason, and the run goes on without it (the rules of [controller],
 * if any, go on). The controller's min_dwell, its downtime budget and "one
 * request with the loader at a time" apply to its actions as to a rule's. */
#ifndef VMMSIM_CONTROLLER_ABI_H
#define VMMSIM_CONTROLLER_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VMMSIM_CONTROLLER_ABI_VERSION 1u

typedef uint64_t vmm_ctl_cycles_t; /* CPU cycles of the platform clock */

/* One VM's metrics over the window (docs/controller.md "Metrics"). A value
 * the window has none of (no keystroke reached a reader, no wait, a fair
 * share of 0) is NaN. */
typedef struct {
  const char *name;        /* as in the config; valid during the call */
  int32_t service;         /* 1 for the service VM */
  double share;            /* of the window's pCPU time */
  double fair_share;       /* its demand-aware fair share of it */
  double fair_share_ratio; /* share / fair_share, or NaN */
  double input_p99;        /* cycles, or NaN */
  double wait_p99;         /* cycles, waits under way counted to the window's end; or NaN */
  uint64_t deadline_misses;
} vmm_ctl_vm_t;

typedef struct {
  vmm_ctl_cycles_t from, to; /* the window [from, to) */
  const vmm_ctl_vm_t *vms;   /* declaration order */
  uint32_t vm_count;
  double runqueue_mean;
  uint64_t runqueue_max;
  double utilisation;          /* (guest + vmm) / pCPU time */
  double last_swap_downtime;   /* cycles of the last sequence, or NaN before the first */
  const char *active;          /* the active scheduler's name */
  vmm_ctl_cycles_t active_since; /* its activation */
} vmm_ctl_snapshot_t;

typedef enum {
  VMM_CTL_NONE = 0,   /* nothing to do */
  VMM_CTL_LOAD = 1,   /* sched-load `request` */
  VMM_CTL_STAGE = 2,  /* sched-stage `request` */
  VMM_CTL_REVERT = 3  /* sched-unload of the active scheduler; `request` empty */
} vmm_ctl_action_kind_t;

#define VMM_CTL_TEXT 256 /* bytes of each text buffer below */

/* The answer. The VMM zeroes it before each call and writes a NUL into the
 * last byte of each buffer after it, whatever the plugin wrote. */
typedef struct {
  int32_t kind; /* a vmm_ctl_action_kind_t */
  /* The words of the request as --swap takes them after TIME:, e.g.
   * "bvt,policy=keep-old,ctx_allow=2ms" or a plugin path. */
  char request[VMM_CTL_TEXT];
  char note[VMM_CTL_TEXT]; /* why, in the plugin's words: reported with the decision */
} vmm_ctl_action_t;

/* What create gets: the platform, its VMs, and [controller] plugin_args as
 * KEY=VALUE words (valid during the call only: copy what you keep). */
typedef struct {
  uint32_t cpus;
  uint64_t clock_hz;
  vmm_ctl_cycles_t window; /* [controller] plugin_window */
  const char *const *vm_names;
  uint32_t vm_count;
  const char *const *arg_keys;
  const char *const *arg_values;
  uint32_t arg_count;
} vmm_ctl_config_t;

typedef struct vmm_controller_ops {
  uint32_t abi_version; /* VMMSIM_CONTROLLER_ABI_VERSION */
  const char *name;     /* 1 to 64 characters of A-Z a-z 0-9 _ - */
  const char *description;
  /* Returns the controller's state, or NULL with a reason in err. */
  void *(*create)(const vmm_ctl_config_t *config, char *err, size_t err_len);
  void (*destroy)(void *self);
  /* At the end of each window: fill *action (kind VMM_CTL_NONE for
   * nothing) and return 0; non-zero with a reason in action->note disables
   * the plugin. */
  int (*decide)(void *self, const vmm_ctl_snapshot_t *snapshot, vmm_ctl_action_t *action);
} vmm_controller_ops_t;

/* A controller plugin exports exactly this entry point:
 *   const vmm_controller_ops_t *vmmsim_controller(void); */
#define VMMSIM_CONTROLLER_ENTRY "vmmsim_controller"
typedef const vmm_controller_ops_t *(*vmm_controller_entry_t)(void);

#ifdef __cplusplus
}
#endif

#endif /* VMMSIM_CONTROLLER_ABI_H */
