// What the config checks before a run starts: loads that can never succeed
// (from [run] swap, --swap and the service trace alike), and every documented
// limit accepted at its edge and refused just past it (docs/config.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "base/input_error.h"
#include "config/config_parser.h"

using namespace vmmsim;
namespace fs = std::filesystem;

namespace {

class ConfigChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("vmmsim_checks_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_dir);
    write("one.trace", "vcpu 0\n  run 1ms\n");
    write("plugin.so", "");
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(m_dir / name) << text;
    return (m_dir / name).string();
  }
  std::string error_of(const std::string& text) {
    try {
      config::load_config(write("c.ini", text));
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
  std::string path(const std::string& name) const { return (m_dir / name).string(); }

  fs::path m_dir;
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
