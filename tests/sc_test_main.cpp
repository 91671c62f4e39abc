// sc_main for the SystemC test binary: libsystemc owns main(), so GoogleTest
// is started from here. Every SystemC warning or error fails the test.
#include <gtest/gtest.h>

#include <systemc>

#include "sim/cycle_clock.h"

namespace {

void fail_on_report(const sc_core::sc_report& report, const sc_core::sc_actions& actions) {
  if (report.get_severity() >= sc_core::SC_WARNING)
    ADD_FAILURE() << "SystemC " << report.get_msg_type() << ": " << report.get_msg();
  if (actions & sc_core::SC_THROW) throw report;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  vmmsim::CycleClock::set_kernel_resolution();
  sc_core::sc_report_handler::set_handler(fail_on_report);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
