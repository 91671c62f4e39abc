// The soak's invariant checker: DESIGN.md §4's invariants, checked after
// every request the VMM handles and every replacement request it finishes
// (vmm::Observer), at every replacement phase change, and by a probe every
// `period` cycles that looks at the processors themselves. The first
// violation is kept with the event that broke it, and stops the simulation.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

#include "models/platform.h"
#include "vmm/observer.h"

namespace vmmsim::soak {

struct Violation {
  Cycles at = 0;
  std::string event;  // what had just happened: "request #N kind ...", "replacement #N ..."
  std::string what;   // the invariant that broke
};

class InvariantChecker : public sc_core::sc_module, public vmm::Observer {
 public:
  InvariantChecker(sc_core::sc_module_name name, models::Platform& platform, Cycles period);
  ~InvariantChecker() override;

  void after_request(const vmm::Request& r, const vmm::Feedback& fb) override;
  void after_replacement(const report::ReplacementResult& r) override;
  // The run is over: everything settled must still hold, and no guest may be
  // blocked on a console that will never wake it.
  void at_end();

  bool ok() const { return m_violations.empty(); }
  const std::vector<Violation>& violations() const { return m_violations; }
  std::uint64_t checks() const { return m_checks; }

 private:
  // Says what had just happened; called only when an invariant broke.
  using Describe = std::function<std::string()>;

  void poll();         // SC_THREAD: the periodic probe
  void on_phase();     // SC_METHOD: replacement phase changes
  void on_register();  // SC_METHOD: each write of the scheduler-ID register
  void probe(const Describe& event);
  // The state the VMM keeps: owners, run states, the policy's view, the
  // console's bytes, the cycle accounts, the ID register.
  void check_vmm(const Describe& event);
  void fail(const Describe& event, const std::string& what);
  // The slot table and the image area agree: the area holds exactly the
  // loaded images, no more slots are loaded than exist, and the default's
  // slot holds the default or nothing (it is never given to another).
  void check_images(const Describe& event);
  std::string describe_request() const;

  models::Platform& m_platform;
  const Cycles m_period;
  std::uint64_t m_checks = 0;
  std::uint64_t m_requests = 0;
  std::uint64_t m_replacements = 0;
  vmm::Request m_request{vmm::RequestKind::Count};  // the last one handled
  vmm::Feedback m_feedback;
  const Describe m_describe_request;
  Bytes m_transmitted = 0;  // never goes back
  // The console at the start of the current drain phase.
  std::uint8_t m_phase = 0;
  Bytes m_drain_level = 0;
  Bytes m_drain_written = 0;
  bool m_drained = false;  // a drain ran in the current sequence
  std::string m_default;           // the default scheduler's name
  std::vector<Violation> m_violations;
};

}  // namespace vmmsim::soak
