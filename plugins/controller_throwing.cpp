// controller_throwing: a controller plugin in C++ whose decide throws a
// C++ exception at its third window, on purpose (docs/controller.md
// "Controller plugins"): the VMM must catch it, disable the plugin with the
// exception's what() as the reason, and go on.
#include <stdexcept>

#include "controllers/controller_abi.h"

namespace {

struct Throwing {
  int windows = 0;
};

void* create(const vmm_ctl_config_t*, char*, size_t) { return new Throwing; }
void destroy(void* self) { delete static_cast<Throwing*>(self); }

int decide(void* self, const vmm_ctl_snapshot_t*, vmm_ctl_action_t* action) {
  if (++static_cast<Throwing*>(self)->windows >= 3)
    throw std::runtime_error("controller_throwing: a bad window");
  action->kind = VMM_CTL_NONE;
  return 0;
}

const vmm_controller_ops_t table = {VMMSIM_CONTROLLER_ABI_VERSION,
                                    "controller_throwing",
                                    "throws from decide on purpose (tests)",
                                    create,
                                    destroy,
                                    decide};

}  // namespace

extern "C" __attribute__((visibility("default"))) const vmm_controller_ops_t* vmmsim_controller() {
  return &table;
}
