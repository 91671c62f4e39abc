/* The scheduler ops table: the one interface between the VMM and a policy.
 * C-compatible so a policy can live in a shared object, a plugin loaded with
 * dlopen (docs/plugins.md; plugins/lottery.c is a complete example). No
 * SystemC, no C++ types cross this boundary. Installed as
 * PREFIX/include/vmmsim/schedulers/sched_abi.h: build against it with
 * find_package(vmmsim) -> vmmsim::sched_abi, or pkg-config vmmsim-sched.
 *
 * Lifecycle (in the spirit of Xen's struct scheduler and sched_ext_ops):
 *   create -> insert (every vCPU) -> { wake | block | yield | tick |
 *   pick_next }* -> remove -> destroy.
 * A vCPU is runnable after wake and until block or remove. pick_next(cpu,
 * prev) is called whenever `cpu` needs an owner: prev is the vCPU it ran
 * (VMM_IDLE if none); if prev is still runnable the policy re-queues it as it
 * sees fit. The returned vCPU must be runnable and not running elsewhere. */
#ifndef VMMSIM_SCHED_ABI_H
#define VMMSIM_SCHED_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VMMSIM_SCHED_ABI_VERSION 1u

typedef uint64_t vmm_cycles_t;  /* CPU cycles of the platform clock */
typedef int32_t vmm_vcpu_id_t;  /* platform-wide vCPU id, 0..n-1 */

#define VMM_IDLE ((vmm_vcpu_id_t)-1)
#define VMM_NO_CPU ((int32_t)-1)
#define VMM_FOREVER (~(vmm_cycles_t)0) /* a slice that never expires */
#define VMM_PRIORITY_HELD INT64_MIN     /* see vmm_sched_ops_t.priority */

typedef enum {
  VMM_PARAM_INTEGER = 0,  /* a plain whole number */
  VMM_PARAM_DURATION = 1  /* written with a time unit, given to the policy in cycles */
} vmm_param_kind_t;

/* One parameter a policy understands, with its default and range. Durations'
 * default/min/max are in microseconds here (clock-independent); the policy
 * receives them converted to cycles. */
typedef struct {
  const char *key;
  vmm_param_kind_t kind;
  int64_t default_value;
  int64_t min;
  int64_t max;
  const char *help;
} vmm_param_spec_t;

typedef struct {
  const char *key;
  int64_t value; /* cycles for durations */
} vmm_param_t;

typedef struct {
  uint32_t cpus;
  uint64_t clock_hz;
  const vmm_param_t *params; /* every scheduler parameter, defaults filled in */
  uint32_t param_count;
} vmm_sched_config_t;

typedef struct {
  vmm_vcpu_id_t id;
  uint32_t vm;          /* VM index in declaration order */
  uint32_t vcpu_index;  /* index of the vCPU within its VM */
  int32_t runnable;     /* 1 if it must be queued at once */
  int32_t running_on;   /* pCPU it is on now (after a live replacement: the
                           pCPU it was parked on; the first pick_next there
                           has it as prev), or VMM_NO_CPU */
  const vmm_param_t *vm_params; /* the VM's parameters for this policy */
  uint32_t vm_param_count;
  /* pCPUs the vCPU may run on: bit (c % 8) of byte (c / 8) for pCPU c.
   * NULL = every pCPU. Policies that support affinity honour it. */
  const uint8_t *affinity;
  uint32_t affinity_bytes;
} vmm_vcpu_info_t;

typedef struct {
  vmm_vcpu_id_t next;  /* VMM_IDLE to idle the pCPU */
  vmm_cycles_t slice;  /* cycles until the VMM asks again; VMM_FOREVER */
} vmm_decision_t;

/* Ask `cpu` to reschedule no later than cycle `at` (VMM_NO_CPU: nobody). */
typedef struct {
  int32_t cpu;
  vmm_cycles_t at;
} vmm_tickle_t;

typedef struct vmm_sched_ops {
  uint32_t abi_version; /* VMMSIM_SCHED_ABI_VERSION */
  const char *name;
  const char *description;
  /* Bytes the image occupies in the VMM's image area; 0 for a plugin means
   * "the size of the shared object file". */
  uint64_t image_bytes;
  const vmm_param_spec_t *params; /* [sched.NAME] keys */
  uint32_t param_count;
  const vmm_param_spec_t *vm_params; /* per-VM keys in [vm.X] */
  uint32_t vm_param_count;

  /* Returns the policy instance, or NULL with a reason in err. */
  void *(*create)(const vmm_sched_config_t *config, char *err, size_t err_len);
  void (*destroy)(void *self);
  /* 0 on success; non-zero with a reason in err. */
  int (*insert)(void *self, const vmm_vcpu_info_t *vcpu, vmm_cycles_t now,
                char *err, size_t err_len);
  void (*remove)(void *self, vmm_vcpu_id_t vcpu, vmm_cycles_t now);
  vmm_tickle_t (*wake)(void *self, vmm_vcpu_id_t vcpu, vmm_cycles_t now);
  void (*block)(void *self, vmm_vcpu_id_t vcpu, vmm_cycles_t now);
  void (*yield)(void *self, vmm_vcpu_id_t vcpu, vmm_cycles_t now);
  /* Periodic accounting on each pCPU; non-zero asks that pCPU to reschedule.
   * Optional (may be NULL): a policy without periodic accounting is not
   * called at each PIT tick (saves a call per pCPU per tick). */
  int (*tick)(void *self, uint32_t cpu, vmm_cycles_t now);
  vmm_decision_t (*pick_next)(void *self, uint32_t cpu, vmm_cycles_t now,
                              vmm_vcpu_id_t prev, vmm_cycles_t ran);
  /* The policy's view of a vCPU's priority (larger runs sooner), or
   * VMM_PRIORITY_HELD for a runnable vCPU it holds back on purpose (a cap,
   * a spent budget): the watchdog does not count such a vCPU's wait. */
  int64_t (*priority)(void *self, vmm_vcpu_id_t vcpu);
  /* Optional (may be NULL): a one-line state summary. */
  size_t (*dump)(void *self, char *buf, size_t len);
} vmm_sched_ops_t;

/* A plugin (a shared object) exports exactly this entry point:
 *   const vmm_sched_ops_t *vmmsim_scheduler(void);
 * returning its table, whose abi_version the loader checks. */
#define VMMSIM_SCHED_ENTRY "vmmsim_scheduler"
typedef const vmm_sched_ops_t *(*vmm_sched_entry_t)(void);

#ifdef __cplusplus
}
#endif

#endif /* VMMSIM_SCHED_ABI_H */
