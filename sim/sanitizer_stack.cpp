#include "sim/sanitizer_stack.h"

#if defined(__SANITIZE_ADDRESS__)
#define VMMSIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VMMSIM_ASAN 1
#endif
#endif

#ifdef VMMSIM_ASAN
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace vmmsim::sim {

void restore_main_stack_bounds() {
#ifdef VMMSIM_ASAN
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* bottom = nullptr;
  size_t size = 0;
  const bool known = pthread_attr_getstack(&attr, &bottom, &size) == 0;
  pthread_attr_destroy(&attr);
  if (!known) return;
  // A "switch" from this stack to itself, with its true bounds.
  __sanitizer_start_switch_fiber(nullptr, bottom, size);
  __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
#endif
}

}  // namespace vmmsim::sim
