/* latency_guard: a switching controller as a vmmsim controller plugin in
 * plain C (controllers/controller_abi.h; docs/controller.md "Controller
 * plugins"). It is the worked example of the controller ABI.
 *
 * It watches one VM's keystroke latency p99. Past `high_us` it loads
 * `target` (keeping the old scheduler's image, so that coming back costs no
 * load); once `target` is active, after `calm` windows in a row below
 * `low_us` it reverts to the scheduler before. A window without keystrokes
 * counts neither way. `low_us` below `high_us` and the run of calm windows
 * are its hysteresis: a latency that hovers near one threshold does not
 * make it switch back and forth.
 *
 * Arguments ([controller] plugin_args), each optional:
 *   vm=NAME       the VM to watch (default: the first VM); one the run has
 *   target=NAME   the scheduler to load (default: bvt)
 *   high_us=N     load above this p99, in microseconds (default 2000)
 *   low_us=N      calm below this p99 (default 500)
 *   calm=N        calm windows in a row before the revert (default 5)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controllers/controller_abi.h"

typedef struct {
  char vm[65];
  char target[65];
  double high, low; /* cycles */
  unsigned calm_needed;
  unsigned calm; /* calm windows in a row under target */
} guard_t;

/* A whole number of at most 9 digits, or -1. */
static long number(const char *text) {
  if (!*text || strlen(text) > 9) return -1;
  for (const char *c = text; *c; ++c)
    if (*c < '0' || *c > '9') return -1;
  return atol(text);
}

static void *guard_create(const vmm_ctl_config_t *config, char *err, size_t err_len) {
  guard_t *g = calloc(1, sizeof *g);
  if (!g) {
    snprintf(err, err_len, "out of memory");
    return NULL;
  }
  snprintf(g->vm, sizeof g->vm, "%s", config->vm_count ? config->vm_names[0] : "");
  snprintf(g->target, sizeof g->target, "bvt");
  long high_us = 2000, low_us = 500, calm = 5;
  for (uint32_t i = 0; i < config->arg_count; ++i) {
    const char *k = config->arg_keys[i], *v = config->arg_values[i];
    long n = number(v);
    if (strcmp(k, "vm") == 0 && strlen(v) < sizeof g->vm) {
      snprintf(g->vm, sizeof g->vm, "%s", v);
    } else if (strcmp(k, "target") == 0 && strlen(v) < sizeof g->target) {
      snprintf(g->target, sizeof g->target, "%s", v);
    } else if (strcmp(k, "high_us") == 0 && n > 0) {
      high_us = n;
    } else if (strcmp(k, "low_us") == 0 && n >= 0) {
      low_us = n;
    } else if (strcmp(k, "calm") == 0 && n > 0) {
      calm = n;
    } else {
      snprintf(err, err_len,
               "bad argument %s=%s; expected vm=NAME, target=NAME, high_us=N, low_us=N, calm=N", k,
               v);
      free(g);
      return NULL;
    }
  }
  /* The VMs are known at create: a name that is none of them is refused
   * now, not at the first window. */
  int found = 0;
  for (uint32_t i = 0; i < config->vm_count; ++i)
    if (strcmp(config->vm_names[i], g->vm) == 0) found = 1;
  if (!found) {
    size_t used = (size_t)snprintf(err, err_len, "vm=%s: no VM has that name; expected one of", g->vm);
    for (uint32_t i = 0; i < config->vm_count && used < err_len; ++i)
      used += (size_t)snprintf(err + used, err_len - used, "%s %s", i ? "," : "",
                               config->vm_names[i]);
    free(g);
    return NULL;
  }
  /* The target becomes the request's first word: a blank or a comma would
   * make it more words than one scheduler's name. */
  if (!g->target[0] || strpbrk(g->target, " \t,")) {
    snprintf(err, err_len, "target=%s; expected one scheduler's name (a built-in or a .so path)",
             g->target);
    free(g);
    return NULL;
  }
  if (low_us > high_us) {
    snprintf(err, err_len, "low_us=%ld above high_us=%ld", low_us, high_us);
    free(g);
    return NULL;
  }
  g->high = (double)high_us * (double)config->clock_hz / 1e6;
  g->low = (double)low_us * (double)config->clock_hz / 1e6;
  g->calm_needed = (unsigned)calm;
  return g;
}

static void guard_destroy(void *self) { free(self); }

static int guard_decide(void *self, const vmm_ctl_snapshot_t *s, vmm_ctl_action_t *action) {
  guard_t *g = self;
  const vmm_ctl_vm_t *vm = NULL;
  for (uint32_t i = 0; i < s->vm_count; ++i)
    if (strcmp(s->vms[i].name, g->vm) == 0) vm = &s->vms[i];
  if (!vm) {
    snprintf(action->note, sizeof action->note, "no VM named %s", g->vm);
    return 1; /* a contract it cannot keep: the VMM disables it */
  }
  action->kind = VMM_CTL_NONE;
  if (isnan(vm->input_p99)) return 0; /* no keystroke in the window */
  const int under_target = strcmp(s->active, g->target) == 0;
  if (!under_target) {
    g->calm = 0;
    if (vm->input_p99 > g->high) {
      action->kind = VMM_CTL_LOAD;
      snprintf(action->request, sizeof action->request, "%s,policy=keep-old", g->target);
      snprintf(action->note, sizeof action->note, "%s input p99 %.0f cycles > %.0f", g->vm,
               vm->input_p99, g->high);
    }
    return 0;
  }
  g->calm = vm->input_p99 < g->low ? g->calm + 1 : 0;
  if (g->calm >= g->calm_needed) {
    g->calm = 0;
    action->kind = VMM_CTL_REVERT;
    snprintf(action->note, sizeof action->note, "%s input p99 below %.0f cycles for %u windows",
             g->vm, g->low, g->calm_needed);
  }
  return 0;
}

static const vmm_controller_ops_t latency_guard = {
    VMMSIM_CONTROLLER_ABI_VERSION,
    "latency_guard",
    "loads a scheduler while one VM's keystroke latency p99 is high, reverts once it stays low",
    guard_create,
    guard_destroy,
    guard_decide,
};

__attribute__((visibility("default"))) const vmm_controller_ops_t *vmmsim_controller(void) {
  return &latency_guard;
}
