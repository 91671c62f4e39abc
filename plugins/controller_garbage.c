/* controller_garbage: a controller plugin that breaks its contract on
 * purpose, for the tests (docs/controller.md "Controller plugins"): at its
 * `after`-th window (plugin_args after=N, default 3) it answers what the
 * VMM cannot take, by `mode`:
 *   kind     an action kind out of range (77)
 *   request  a load whose words name no scheduler, and fill every byte of
 *            the note without a terminating NUL
 *   fail     decide returns non-zero
 * Before that it answers "nothing". The VMM must disable it with the reason
 * and go on. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controllers/controller_abi.h"

typedef struct {
  char mode[16];
  long after;
  long windows;
} garbage_t;

static void *garbage_create(const vmm_ctl_config_t *config, char *err, size_t err_len) {
  garbage_t *g = calloc(1, sizeof *g);
  if (!g) {
    snprintf(err, err_len, "out of memory");
    return NULL;
  }
  snprintf(g->mode, sizeof g->mode, "kind");
  g->after = 3;
  for (uint32_t i = 0; i < config->arg_count; ++i) {
    if (strcmp(config->arg_keys[i], "mode") == 0)
      snprintf(g->mode, sizeof g->mode, "%s", config->arg_values[i]);
    if (strcmp(config->arg_keys[i], "after") == 0) g->after = atol(config->arg_values[i]);
  }
  return g;
}

static void garbage_destroy(void *self) { free(self); }

static int garbage_decide(void *self, const vmm_ctl_snapshot_t *s, vmm_ctl_action_t *action) {
  garbage_t *g = self;
  (void)s;
  if (++g->windows < g->after) return 0;
  if (strcmp(g->mode, "fail") == 0) {
    snprintf(action->note, sizeof action->note, "window %ld: gave up", g->windows);
    return 1;
  }
  if (strcmp(g->mode, "request") == 0) {
    action->kind = VMM_CTL_LOAD;
    snprintf(action->request, sizeof action->request, "policy=keep-old");
    memset(action->note, 'x', sizeof action->note);
    return 0;
  }
  action->kind = 77;
  return 0;
}

static const vmm_controller_ops_t garbage = {
    VMMSIM_CONTROLLER_ABI_VERSION,
    "controller_garbage",
    "breaks the controller contract on purpose (tests)",
    garbage_create,
    garbage_destroy,
    garbage_decide,
};

__attribute__((visibility("default"))) const vmm_controller_ops_t *vmmsim_controller(void) {
  return &garbage;
}
