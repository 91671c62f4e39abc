// What the config checks before a run starts: loads that can never succeed
// (from [run] swap, --swap and the service trace alike), and every documented
// limit accepted at its edge and refused just past it (docs/config.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "base/input_error.h"
#include "tests/config_fixture.h"
#include "config/config_parser.h"

using namespace vmmsim;
namespace fs = std::filesystem;

namespace {

class ConfigChecksTest : public vmmsim::testing::ConfigFiles {
 protected:
  void SetUp() override {
    ConfigFiles::SetUp();
    write("plugin.so", "");  // a plugin only needs to exist to be named
  }
};

constexpr const char* kBuiltins = "fifo, rr, bvt, credit, credit2, rtds, arinc653, eevdf";

TEST_F(ConfigChecksTest, LoadsThatCannotSucceedAreConfigErrors) {
  const std::string vm = "[vm.a]\ntrace = one.trace\n";
  EXPECT_EQ(error_of(vm + "[run]\nswap = 1ms:nosuch\n"),
            path("c.ini") + ":4: [run] swap = '1ms:nosuch': swap '1ms:nosuch': unknown scheduler 'nosuch'; expected a "
                            "built-in (" + kBuiltins + ") or a plugin path (.so)");
  EXPECT_EQ(error_of(vm + "[run]\nswap = 1ms:rr 2ms:gone.so\n"),
            path("c.ini") + ":4: [run] swap = '1ms:rr 2ms:gone.so': swap '2ms:gone.so': plugin file not found (" +
                path("gone.so") + "); expected an existing plugin file (.so)");
  // --swap (the CLI's) goes through parse_swap, as [run] swap does.
  std::string why;
  EXPECT_FALSE(config::parse_swap("1ms:nosuch", 1000000000, m_dir.string(), &why));
  EXPECT_EQ(why, std::string("swap '1ms:nosuch': unknown scheduler 'nosuch'; expected a built-in (") + kBuiltins +
                     ") or a plugin path (.so)");
  EXPECT_FALSE(config::parse_swap("1ms:./gone.so", 1000000000, m_dir.string(), &why));
  EXPECT_TRUE(config::parse_swap("1ms:plugin.so,policy=keep-old", 1000000000, m_dir.string(), &why)) << why;
  EXPECT_TRUE(config::parse_swap("1ms:unload=nosuch", 1000000000, m_dir.string(), &why))
      << "an unload names a loaded scheduler, maybe a plugin's: known only at run time";
  // --stage and --shadow go through the same parser, each with its own forms:
  // a stage takes no policy and no unload, a shadow no policy, and unshadow.
  auto parse = [&](const std::string& spec, config::SwapOption option) {
    return config::parse_swap(spec, 1000000000, m_dir.string(), &why, option).has_value();
  };
  EXPECT_TRUE(parse("1ms:plugin.so,source=disk,quantum=1ms", config::SwapOption::Stage)) << why;
  EXPECT_FALSE(parse("1ms:rr,policy=auto", config::SwapOption::Stage));
  EXPECT_FALSE(parse("1ms:unload", config::SwapOption::Stage));
  EXPECT_EQ(why, std::string("stage '1ms:unload': unknown scheduler 'unload'; expected a built-in (") + kBuiltins +
                     ") or a plugin path (.so)");
  EXPECT_FALSE(parse("1ms", config::SwapOption::Stage));
  EXPECT_EQ(why, "stage '1ms': expected TIME:SCHEDULER[,source=NAME][,KEY=VALUE...]");
  EXPECT_TRUE(parse("1ms:plugin.so,tolerance=1us", config::SwapOption::Shadow)) << why;
  EXPECT_FALSE(parse("1ms:nosuch", config::SwapOption::Shadow));
  EXPECT_EQ(why, std::string("shadow '1ms:nosuch': unknown scheduler 'nosuch'; expected a built-in (") + kBuiltins +
                     ") or a plugin path (.so)");
  EXPECT_FALSE(parse("1ms:rr,policy=auto", config::SwapOption::Shadow));
  EXPECT_FALSE(parse("1ms:plugin.so,source=disk", config::SwapOption::Shadow));
  EXPECT_TRUE(parse("1ms:unshadow", config::SwapOption::Shadow)) << why;
  EXPECT_FALSE(parse("1ms:unload", config::SwapOption::Shadow)) << "not a scheduler";
  EXPECT_FALSE(parse("1ms:unshadow", config::SwapOption::Swap)) << "not a scheduler";
  // A service trace's sched-load, with the trace's file and line.
  write("svc.trace", "vcpu 0\n  sleep 1ms\n  sched-load plugin.so\n  sched-load gone.so policy=auto\n");
  EXPECT_EQ(error_of(vm + "[service]\ntrace = svc.trace\n"),
            path("svc.trace") + ":4: sched-load: plugin file not found (" + path("gone.so") +
                "); expected an existing plugin file (.so)");
  write("svc.trace", "vcpu 0\n  sched-load rr\n  sched-load credit3\n");
  EXPECT_EQ(error_of(vm + "[service]\ntrace = svc.trace\n"),
            path("svc.trace") + ":3: sched-load: unknown scheduler 'credit3'; expected a built-in (" + kBuiltins +
                ") or a plugin path (.so)");
  write("folder.so/x", "");
  EXPECT_NE(error_of(vm + "[run]\nswap = 1ms:folder.so\n").find("plugin file not found"), std::string::npos)
      << "a folder is not a plugin file";
}

}  // namespace

namespace {

TEST_F(ConfigChecksTest, DocumentedLimitsAreAcceptedAtTheirEdges) {
  const std::string vm = "[vm.a]\ntrace = one.trace\n";
  auto accepted = [&](const std::string& text) { return error_of(text + vm) == ""; };
  // [platform] clock: 1193182Hz..1THz, in any unit.
  EXPECT_TRUE(accepted("[platform]\nclock = 1THz\n")) << error_of("[platform]\nclock = 1THz\n" + vm);
  EXPECT_TRUE(accepted("[platform]\nclock = 1000GHz\n"));
  EXPECT_TRUE(accepted("[platform]\nclock = 1193182Hz\n"));
  EXPECT_FALSE(accepted("[platform]\nclock = 1000000000001Hz\n"));
  EXPECT_FALSE(accepted("[platform]\nclock = 1193181Hz\n"));
  EXPECT_TRUE(accepted("[platform]\ncpus = 4096\n"));
  EXPECT_FALSE(accepted("[platform]\ncpus = 4097\n"));
  EXPECT_TRUE(accepted("[pit]\nhz = 19Hz\n") && accepted("[pit]\nhz = 596591Hz\n"));
  EXPECT_FALSE(accepted("[pit]\nhz = 18Hz\n") || accepted("[pit]\nhz = 596592Hz\n"));
  EXPECT_TRUE(accepted("[console]\nbaud = 50\n") && accepted("[console]\nbaud = 100000000\n"));
  EXPECT_TRUE(accepted("[vmm]\nslots = 2\n") && accepted("[vmm]\nslots = 64\n"));
  EXPECT_TRUE(accepted("[memory]\nload_bandwidth = 1048576\n"));
  EXPECT_FALSE(accepted("[memory]\nload_bandwidth = 1048577\n"));
  // A policy's duration range at a clock where 100us is not a whole number
  // of cycles (119.3182 at the PIT's 1193182 Hz): the edge as written is in.
  const std::string slow = "[platform]\nclock = 1193182Hz\n";
  EXPECT_TRUE(accepted(slow + "[sched.eevdf]\nslice = 100us\n")) << error_of(slow + "[sched.eevdf]\nslice = 100us\n" + vm);
  EXPECT_TRUE(accepted(slow + "[sched.eevdf]\nslice = 100000us\n"));
  EXPECT_FALSE(accepted(slow + "[sched.eevdf]\nslice = 99us\n"));
  EXPECT_FALSE(accepted(slow + "[sched.eevdf]\nslice = 100001us\n"));
  // A default left out is the value written out: the same cycles.
  config::Config implicit = config::load_config(write("c.ini", slow + vm));
  config::Config explicit_ = config::load_config(write("c.ini", slow + "[sched.rr]\nquantum = 10000us\n" + vm));
  EXPECT_EQ(implicit.sched.at("rr").at("quantum"), explicit_.sched.at("rr").at("quantum"));
  EXPECT_EQ(implicit.sched.at("rr").at("quantum"), 11932) << "10 ms at 1193182 Hz, rounded";
}

}  // namespace

#include "workload/trace_parser.h"

namespace {

// The trace format's limits (docs/trace-format.md, "Limits"), each at its edge.
TEST(TraceLimits, AcceptedAtTheirEdges) {
  using vmmsim::workload::parse_trace;
  const Hertz ghz = 1000000000;
  auto accepted = [&](const std::string& text) {
    try {
      parse_trace(text, "t.trace", ghz);
      return true;
    } catch (const InputError&) {
      return false;
    }
  };
  const std::string line4096 = "  run 1ms" + std::string(4096 - 9, ' ');
  EXPECT_TRUE(accepted("vcpu 0\n" + line4096 + "\n"));
  EXPECT_TRUE(accepted("vcpu 0\n" + line4096 + "\r\n")) << "the line end is not counted";
  EXPECT_FALSE(accepted("vcpu 0\n" + line4096 + " \n"));
  std::string vcpus;
  for (int i = 0; i < 4096; ++i) vcpus += "vcpu " + std::to_string(i) + "\n  run 1\n";
  EXPECT_TRUE(accepted(vcpus)) << "vCPUs 0 to 4095";
  EXPECT_FALSE(accepted(vcpus + "vcpu 4096\n"));
  EXPECT_TRUE(accepted("vcpu 0\n  run 1125899906842624\n  console 1MiB\n  repeat 1000000000\n    run 1\n  end\n"));
  EXPECT_FALSE(accepted("vcpu 0\n  run 1125899906842625\n"));
  EXPECT_FALSE(accepted("vcpu 0\n  console 1048577\n"));
  std::string nested = "vcpu 0\n";
  for (int i = 0; i < 64; ++i) nested += "repeat 2\n";
  nested += "run 1\n";
  for (int i = 0; i < 64; ++i) nested += "end\n";
  EXPECT_TRUE(accepted(nested));
  std::string steps = "vcpu 0\n";
  for (int i = 0; i < 1000000; ++i) steps += "run 1\n";
  EXPECT_TRUE(accepted(steps)) << "1,000,000 steps";
  EXPECT_FALSE(accepted(steps + "run 1\n"));
  std::string big = "vcpu 0\n  run 1\n";
  big.resize(std::size_t{64} << 20, '\n');
  EXPECT_TRUE(accepted(big)) << "64 MiB";
  big += '\n';
  EXPECT_FALSE(accepted(big));
}

}  // namespace
