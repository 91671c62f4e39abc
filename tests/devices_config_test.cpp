// The config keys of issue 12's device items (docs/config.md): [vmm]
// slice_timer, [console] focus = scheduled and cpu, the function-table-pointers
// activation and its cost.
#include <gtest/gtest.h>

#include "tests/config_fixture.h"

using namespace vmmsim;

namespace {

class DevicesConfigTest : public vmmsim::testing::ConfigFiles {
 protected:
  config::Config load(const std::string& text) { return config::load_config(write("c.ini", text)); }
};

constexpr const char* kVm = "[vm.a]\ntrace = one.trace\n";

TEST_F(DevicesConfigTest, SliceTimerIsDeadlineOrPit) {
  EXPECT_EQ(load(kVm).vmm.slice_timer, "deadline") << "the default keeps every existing result";
  EXPECT_EQ(load(std::string(kVm) + "[vmm]\nslice_timer = pit\n").vmm.slice_timer, "pit");
  EXPECT_EQ(error_of(std::string(kVm) + "[vmm]\nslice_timer = tsc\n"),
            path("c.ini") + ":4: [vmm] slice_timer = 'tsc': unknown slice timer; allowed: deadline, pit");
}

TEST_F(DevicesConfigTest, ConsoleFocusMayFollowTheScheduler) {
  config::Config c = load(std::string(kVm) + "[platform]\ncpus = 2\n[console]\nfocus = scheduled\ncpu = 1\n");
  EXPECT_EQ(c.console.focus, "scheduled");
  EXPECT_EQ(c.console.cpu, 1u);
  EXPECT_EQ(load(kVm).console.cpu, 0u);
  EXPECT_EQ(error_of(std::string(kVm) + "[console]\ncpu = 1\n"),
            path("c.ini") + ":4: [console] cpu = '1': pCPU 1 does not exist; expected 0 to 0");
  EXPECT_EQ(error_of(std::string(kVm) + "[console]\nfocus = b\n"),
            path("c.ini") + ":4: [console] focus = 'b': no VM has that name; allowed: scheduled, a");
}

TEST_F(DevicesConfigTest, NoVmMayBeNamedLikeTheScheduledFocus) {
  EXPECT_EQ(error_of("[vm.scheduled]\ntrace = one.trace\n"),
            path("c.ini") + ":2: [vm.scheduled]: 'scheduled' is a word of [console] focus; expected another VM name");
}

TEST_F(DevicesConfigTest, FunctionTablePointersIsAnActivationWithItsOwnCost) {
  config::Config c = load(std::string(kVm) + "[vmm]\nactivation = function-table-pointers\n"
                                             "[activation]\nfunction_table_pointer_move = 7\n");
  EXPECT_EQ(c.vmm.activation, "function-table-pointers");
  EXPECT_EQ(c.activation.function_table_pointer_move, 7u);
  EXPECT_EQ(load(kVm).activation.function_table_pointer_move, 100u);
}

}  // namespace
