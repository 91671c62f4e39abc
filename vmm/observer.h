// An optional watcher of the VMM: the randomized soak's invariant checker
// (docs/robustness.md) is one. The VMM calls it after every request it has
// handled and after every finished load/unload/ejection request; unset (the
// default) it costs one branch per request.
#pragma once

#include "report/results.h"
#include "vmm/request.h"

namespace vmmsim::vmm {

class Observer {
 public:
  virtual ~Observer() = default;
  // `r` has been handled and answered with `fb`; the VMM's state is settled.
  virtual void after_request(const Request& r, const Feedback& fb) = 0;
  // A replacement request is done (its result is the last one reported).
  virtual void after_replacement(const report::ReplacementResult& r) = 0;
};

}  // namespace vmmsim::vmm
