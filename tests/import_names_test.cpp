// VM names an import makes become file names (OUT-VM.trace), and some file
// systems ignore case: two VMs never get names that differ only in case.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "base/input_error.h"
#include "workload/importers.h"

namespace vmmsim::workload {
namespace {

const std::string kSwitch =
    "  a-1 [000] 1.0: sched_switch: prev_comm=a prev_pid=1 prev_prio=120 prev_state=S ==> "
    "next_comm=b next_pid=2 next_prio=120\n"
    "  b-2 [000] 2.0: sched_switch: prev_comm=b prev_pid=2 prev_prio=120 prev_state=S ==> "
    "next_comm=a next_pid=1 next_prio=120\n";

std::string ftrace_error(const std::vector<std::pair<std::string, std::string>>& patterns) {
  ImportOptions o;
  o.vm_patterns = patterns;
  std::istringstream in(kSwitch);
  try {
    import_ftrace(in, "t.txt", o);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ImportNames, FtraceVmNamesThatDifferOnlyInCaseAreRefused) {
  EXPECT_EQ(ftrace_error({{"a*", "Web"}, {"b*", "web"}}),
            "t.txt: VM names 'Web' and 'web' differ only in case; expected one spelling (each VM's trace is a "
            "file, and some file systems ignore case)");
  EXPECT_EQ(ftrace_error({{"a*", "Other"}}).rfind("t.txt: VM names 'other' and 'Other' differ only in case", 0), 0u)
      << "tasks matching no pattern go to VM 'other'";
  EXPECT_EQ(ftrace_error({{"a*", "web"}, {"b*", "web"}}), "") << "one VM from two patterns";
}

TEST(ImportNames, UtilizationVmNamesAreUniqueIgnoringCase) {
  ImportResult r = import_utilization_series({{"dir/VM1", "10\n20\n"}, {"dir/vm1", "30\n"}, {"dir/vm1-2", "5\n"}},
                                             "dir", ImportOptions{});
  ASSERT_EQ(r.vms.size(), 3u);
  EXPECT_EQ(r.vms[0].name, "VM1");
  EXPECT_EQ(r.vms[1].name, "vm1-2");
  EXPECT_EQ(r.vms[2].name, "vm1-2-2");
}

}  // namespace
}  // namespace vmmsim::workload
