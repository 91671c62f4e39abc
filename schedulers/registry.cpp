#include "schedulers/registry.h"

namespace vmmsim::sched {

const std::vector<const vmm_sched_ops_t*>& builtin_schedulers() {
  static const std::vector<const vmm_sched_ops_t*> all = {&fifo_ops(), &rr_ops(),
                                                          &bvt_ops(),
                                                          &credit_ops(),
                                                          &credit2_ops(),
                                                          &rtds_ops(),
                                                          &arinc653_ops(),
                                                          &eevdf_ops(),};
  return all;
}

namespace {
const vmm_sched_ops_t* g_interposed = nullptr;
}  // namespace

const vmm_sched_ops_t* find_builtin(std::string_view name) {
  if (g_interposed && name == g_interposed->name) return g_interposed;
  for (const vmm_sched_ops_t* ops : builtin_schedulers())
    if (name == ops->name) return ops;
  return nullptr;
}

void interpose_builtin(std::string_view name, const vmm_sched_ops_t* table) {
  g_interposed = table && name == table->name ? table : nullptr;
}

}  // namespace vmmsim::sched
