// The config file as a user writes it: defaults, units, and one-line errors
// that name the file, the line or key, and what is allowed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/input_error.h"
#include "config/config_parser.h"
#include "config/config_writer.h"
#include "tests/config_fixture.h"

using namespace vmmsim;
namespace fs = std::filesystem;

namespace {

class ConfigTest : public vmmsim::testing::ConfigFiles {};

TEST_F(ConfigTest, DefaultsFillEveryKey) {
  config::Config c = config::load_config(write("c.ini", "[vm.a]\ntrace = one.trace\n"));
  EXPECT_EQ(c.platform.cpus, 1u);
  EXPECT_EQ(c.platform.clock, 1000000000u);
  EXPECT_EQ(c.pit.hz, 1000u);
  EXPECT_EQ(c.vmm.scheduler, "rr");
  EXPECT_EQ(c.sched.at("rr").at("quantum"), 10000000) << "10 ms at 1 GHz";
  ASSERT_EQ(c.vms.size(), 1u);
  EXPECT_EQ(c.vms[0].vcpus, 1u);
  EXPECT_EQ(c.vms[0].params.at("weight"), 256);
  EXPECT_EQ(c.console.focus, "a") << "the first VM has the focus by default";
}

TEST_F(ConfigTest, TextInMemoryReadsLikeTheFileItNames) {
  // parse_config (the fuzz target's way in) names `path` in messages and
  // resolves traces against its folder, as load_config does for the file.
  std::string path = (m_dir / "mem.ini").string();
  config::Config c = config::parse_config("[vm.a]\ntrace = two.trace\n", path);
  EXPECT_EQ(c.file, path);
  EXPECT_EQ(c.vms[0].vcpus, 2u);
  try {
    config::parse_config("[vm.a]\ntrace = one.trace\n[vmm]\nslots = 65\n", path);
    FAIL() << "slots = 65 accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), path + ":4: [vmm] slots = '65': expected a whole number from 2 to 64");
  }
}

TEST_F(ConfigTest, HugeOrBinaryFileIsAnError) {
  std::string big = write("big.ini", std::string((1u << 20) + 1, '#'));
  try {
    config::load_config(big);
    FAIL() << "a 1 MiB + 1 config accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), big + ": more than 1 MiB; expected an INI config file of at most 1 MiB");
  }
  EXPECT_NE(error_of(std::string("[vm.a]\ntrace = one.trace\n\0\x01", 27)).find("c.ini:3: binary data"),
            std::string::npos);
  try {
    config::load_config(m_dir.string());
    FAIL() << "a directory accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), m_dir.string() + ": is a directory; expected an INI config file");
  }
}

TEST_F(ConfigTest, BytesThatAreNotPrintableAreShownEscaped) {
  // Binary or escape-laden config text must not garble the terminal.
  std::string e = error_of("[vm.\xff\x1b]\ntrace = one.trace\n");
  EXPECT_EQ(e, (m_dir / "c.ini").string() +
                   ":2: [vm.\\xff\\x1b]: expected a VM name of letters, digits, '_' and '-'");
  e = error_of("[vm.a]\ntrace = one.trace\n[vmm]\nscheduler = \x1b[2J\n");
  EXPECT_NE(e.find("c.ini:4: [vmm] scheduler = '\\x1b[2J': unknown scheduler"), std::string::npos) << e;
}

TEST_F(ConfigTest, FormFeedAndVerticalTabAreNotBlanks) {
  // Found by fuzzing: "[service]" and a form feed made Boost's parser throw
  // its own exception past the CLI (an abort); blanks other than space, tab
  // and line ends also put errors at line 0. Both readers now agree.
  const std::string path = (m_dir / "c.ini").string();
  EXPECT_EQ(error_of("[vm.a]\ntrace = one.trace\n[service]\f\ntrace = one.trace\n"),
            path + ":3: '[service]\\x0c': expected a section header like [vmm]");
  EXPECT_EQ(error_of("[vm.a]\ntrace\v = one.trace\n").rfind(path + ":2: [vm.a] trace\\x0b = 'one.trace': unknown key", 0),
            0u);
  EXPECT_EQ(error_of("[ vm.a ]\ntrace = one.trace\n").rfind(path + ":2: [ vm.a ]: unknown section", 0), 0u);
}

TEST_F(ConfigTest, TracePathTooLongForTheFileSystem) {
  // Found by fuzzing: the check for a missing trace threw filesystem_error
  // (ENAMETOOLONG) past the CLI. A path component over 255 bytes is an
  // InputError naming the (printable) path and the reason.
  std::string name(300, 'x');
  name += "\xff.trace";
  std::string e = error_of("[vm.a]\ntrace = " + name + "\n");
  std::string shown_path = (m_dir / std::string(300, 'x')).string() + "\\xff.trace";
  EXPECT_EQ(e, shown_path + ": cannot read trace file (File name too long)");
}

TEST_F(ConfigTest, UnitsAndTracePathsRelativeToTheConfig) {
  config::Config c = config::load_config(write("c.ini",
                                               "[platform]\ncpus = 4\nclock = 2GHz\n"
                                               "[vmm]\ncontext_switch = 1us\nimage_area = 128KiB\n"
                                               "[sched.rr]\nquantum = 5ms\n"
                                               "[vm.web]\ntrace = two.trace\nweight = 512\n"
                                               "[vm.batch]\ntrace = one.trace\nvcpus = 3\n"));
  EXPECT_EQ(c.vmm.costs.context_switch, 2000u);
  EXPECT_EQ(c.vmm.image_area, 131072u);
  EXPECT_EQ(c.sched.at("rr").at("quantum"), 10000000);
  ASSERT_EQ(c.vms.size(), 2u);
  EXPECT_EQ(c.vms[0].name, "web") << "declaration order";
  EXPECT_EQ(c.vms[0].vcpus, 2u);
  EXPECT_EQ(c.vms[0].program->vcpus[1].steps[0].cycles, 4000000u);
  EXPECT_EQ(c.vms[1].vcpus, 3u) << "a one-vCPU trace is replayed by every vCPU";
}

TEST_F(ConfigTest, UnknownSectionNamesFileLineAndAllowed) {
  std::string e = error_of("[vm.a]\ntrace = one.trace\n[plaftorm]\ncpus = 2\n");
  EXPECT_NE(e.find("c.ini:4"), std::string::npos) << e;
  EXPECT_NE(e.find("[plaftorm]: unknown section; allowed: platform"), std::string::npos) << e;
}

TEST_F(ConfigTest, UnknownKeyNamesTheKeyAndWhatIsAllowed) {
  std::string e = error_of("[vm.a]\ntrace = one.trace\n[vmm]\nschedular = rr\n");
  EXPECT_NE(e.find("c.ini:4: [vmm] schedular = 'rr': unknown key; [vmm] allows scheduler"), std::string::npos) << e;
}

TEST_F(ConfigTest, BadUnitAndZeroCpusAreErrors) {
  EXPECT_NE(error_of("[vm.a]\ntrace = one.trace\n[vmm]\nvm_exit = 3 parsecs\n").find("expected a duration"),
            std::string::npos);
  std::string e = error_of("[platform]\ncpus = 0\n[vm.a]\ntrace = one.trace\n");
  EXPECT_NE(e.find("c.ini:2: [platform] cpus = '0': expected a whole number from 1 to 4096"), std::string::npos) << e;
}

TEST_F(ConfigTest, UnknownSchedulerListsTheBuiltins) {
  std::string e = error_of("[vmm]\nscheduler = lottery\n[vm.a]\ntrace = one.trace\n");
  EXPECT_NE(e.find("unknown scheduler; allowed: fifo, rr, bvt"), std::string::npos) << e;
}

TEST_F(ConfigTest, MissingTraceFileNamesTheKey) {
  std::string e = error_of("[vm.a]\ntrace = nowhere.trace\n");
  EXPECT_NE(e.find("c.ini:2: [vm.a] trace = 'nowhere.trace': trace file not found"), std::string::npos) << e;
}

TEST_F(ConfigTest, PolicyParameterRangesAreChecked) {
  std::string e = error_of("[vm.a]\ntrace = one.trace\nweight = 0\n");
  EXPECT_NE(e.find("[vm.a] weight = '0': expected a whole number from 1 to 65535"), std::string::npos) << e;
}

TEST_F(ConfigTest, NoGuestIsAnError) {
  EXPECT_NE(error_of("[platform]\ncpus = 2\n").find("at least one guest VM"), std::string::npos);
}

TEST_F(ConfigTest, VcpusMustMatchAMultiVcpuTrace) {
  std::string e = error_of("[vm.a]\ntrace = two.trace\nvcpus = 3\n");
  EXPECT_NE(e.find("[vm.a] vcpus = '3': the trace has 2 vcpu programs"), std::string::npos) << e;
}

TEST_F(ConfigTest, DuplicateKeyAndSyntaxErrorsNameTheLine) {
  EXPECT_NE(error_of("[vm.a]\ntrace = one.trace\ntrace = two.trace\n").find("c.ini:3: [vm.a] trace is set twice"),
            std::string::npos);
  EXPECT_NE(error_of("[vm.a]\ntrace one.trace\n").find("c.ini:2: 'trace one.trace': expected KEY = VALUE"),
            std::string::npos);
}

TEST_F(ConfigTest, OverridesReplaceFileValues) {
  config::Config c = config::load_config(write("c.ini", "[platform]\ncpus = 2\n[vm.a]\ntrace = one.trace\n"),
                                         {{"platform.cpus", "8"}, {"sched.rr.quantum", "1ms"}});
  EXPECT_EQ(c.platform.cpus, 8u);
  EXPECT_EQ(c.sched.at("rr").at("quantum"), 1000000);
}

TEST_F(ConfigTest, ResolvedConfigReadsBackTheSame) {
  config::Config c = config::load_config(
      write("c.ini", "[platform]\ncpus = 3\n[vmm]\nscheduler = bvt\n[vm.a]\ntrace = one.trace\nwarp = 2ms\n"));
  std::ostringstream first;
  config::write_resolved_config(c, first);
  config::Config again = config::load_config(write("resolved.ini", first.str()));
  std::ostringstream second;
  config::write_resolved_config(again, second);
  // Identical but for the header line that names the source file.
  auto body = [](const std::string& s) { return s.substr(s.find('\n')); };
  EXPECT_EQ(body(first.str()), body(second.str()));
  EXPECT_EQ(again.vms[0].params.at("warp"), 2000000);
}

// Every duration and cost is a time the simulation schedules: past SystemC's
// time (or 64-bit sums) it would wrap or hang, so it is refused with the
// largest allowed value.
TEST_F(ConfigTest, DurationsPastWhatSimulatedTimeHoldsNameTheLargestAllowed) {
  const std::string at_most = "expected a duration of at most 2305843009213693 cycles (2305843.009s at 1GHz)";
  for (std::string key : {"[vmm]\ncontext_switch = 18446744073709551615", "[vmm]\nvm_exit = 4611686018427387904",
                          "[vmm]\nhypercall = 2305843009213694", "[vmm]\nmigrate = 2592000s",
                          "[activation]\npatch_activate = 9999999999s", "[memory]\nload_latency = 2305844s",
                          "[console]\ninput_every = 3000000s", "[run]\nuntil = 99999999999s",
                          "[run]\nswap = 3000000s:bvt"}) {
    std::string e = error_of("[vm.a]\ntrace = one.trace\n" + key + "\n");
    EXPECT_NE(e.find(at_most), std::string::npos) << key << ": " << e;
  }
  EXPECT_EQ(error_of("[vm.a]\ntrace = one.trace\n[vmm]\nvm_exit = 2305843009213693\n"), "") << "the largest is allowed";
  std::string e = error_of("[platform]\nclock = 1193182Hz\n[vm.a]\ntrace = one.trace\n[run]\nuntil = 2592000s\n");
  EXPECT_NE(e.find("expected a duration of at most 2751290735792 cycles (2305843.313s at 1193182Hz)"),
            std::string::npos)
      << "the limit in cycles follows the clock: " << e;
}

// The watchdog checks every half period: 1 cycle gave a period of 0 and a
// run that never left cycle 0.
TEST_F(ConfigTest, WatchdogIsOffOrAtLeastOneMillisecond) {
  std::string e = error_of("[vm.a]\ntrace = one.trace\n[vmm]\nwatchdog = 1\n");
  EXPECT_NE(e.find("c.ini:4: [vmm] watchdog = '1': expected 0 (off) or a duration of at least 1ms (1000000 cycles)"),
            std::string::npos)
      << e;
  EXPECT_NE(error_of("[vm.a]\ntrace = one.trace\n[vmm]\nwatchdog = 999us\n"), "");
  EXPECT_EQ(error_of("[vm.a]\ntrace = one.trace\n[vmm]\nwatchdog = 1ms\n"), "");
  EXPECT_EQ(error_of("[vm.a]\ntrace = one.trace\n[vmm]\nwatchdog = 0\n"), "");
}

}  // namespace
