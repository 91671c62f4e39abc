// The config file's syntax (docs/config.md, "Syntax"): quoted values, one
// section per VM, and a resolved config (--config-out) that reads back as the
// same Config whatever its paths hold.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "base/input_error.h"
#include "tests/config_fixture.h"
#include "config/config_parser.h"
#include "config/config_writer.h"
#include "config/ini_syntax.h"

using namespace vmmsim;
namespace fs = std::filesystem;

namespace {

class ConfigSyntaxTest : public vmmsim::testing::ConfigFiles {};

TEST_F(ConfigSyntaxTest, QuotedValuesKeepWhatAPlainValueCannot) {
  // '#' would start a comment, blanks at the ends would be trimmed.
  const std::string folder = " d #1; \"x\" ";
  write(fs::path(folder) / "t.trace", "vcpu 0\n  run 2ms\n");
  config::Config c = config::load_config(
      write("c.ini", "[vm.a]\ntrace = \" d #1; \\\"x\\\" /t.trace\"   # the trace\n"));
  EXPECT_EQ(c.vms[0].trace_path, path(folder + "/t.trace"));
  EXPECT_EQ(c.vms[0].program->vcpus[0].steps[0].cycles, 2000000u);
  EXPECT_NE(error_of("[vm.a]\ntrace = one.trace ; not a comment\n").find("trace file not found"), std::string::npos)
      << "';' is a byte of the value";
  // \xNN escapes any byte; a --set value reads the same way.
  write("t\n2.trace", "vcpu 0\n  run 3ms\n");
  c = config::load_config(write("c.ini", "[vm.a]\ntrace = \"t\\x0a2.trace\"\n"));
  EXPECT_EQ(c.vms[0].program->vcpus[0].steps[0].cycles, 3000000u);
  c = config::load_config(write("c.ini", "[vm.a]\ntrace = one.trace\n"), {{"vm.a.trace", "\"t\\x0a2.trace\""}});
  EXPECT_EQ(c.vms[0].trace_path, path("t\n2.trace"));
}

TEST_F(ConfigSyntaxTest, BadQuotingIsAnErrorNamingTheLine) {
  const std::string c = path("c.ini");
  EXPECT_EQ(error_of("[vm.a]\ntrace = \"one.trace\n"),
            c + ":2: [vm.a] trace = \"one.trace: a double quote is not closed; expected \"...\" around a quoted part");
  EXPECT_EQ(error_of("[vm.a]\ntrace = \"one\\q.trace\"\n"),
            c + ":2: [vm.a] trace = \"one\\q.trace\": unknown escape '\\q.t' in quotes; expected \\\" \\\\ or \\xNN");
}

TEST_F(ConfigSyntaxTest, TwoSectionsForOneVmAreAnErrorNamingBoth) {
  const std::string c = path("c.ini");
  EXPECT_EQ(error_of("[vm.service]\ntrace = one.trace\n[vm.a]\ntrace = one.trace\n[service]\ntrace = one.trace\n"),
            c + ":5: [service] names VM 'service' again (first [vm.service] at line 1); expected one section per VM");
  EXPECT_EQ(error_of("[service]\ntrace = one.trace\n[vm.service]\nvcpus = 1\n[vm.a]\ntrace = one.trace\n"),
            c + ":3: [vm.service] names VM 'service' again (first [service] at line 1); expected one section per VM");
  EXPECT_EQ(error_of("[vm.a]\ntrace = one.trace\n[vm.b]\ntrace = one.trace\n[vm.a]\nweight = 2\n"),
            c + ":5: [vm.a] names VM 'a' again (first [vm.a] at line 1); expected one section per VM");
  // Other sections may come in parts (configs made of fragments); a key is still set once.
  EXPECT_EQ(config::load_config(write("c.ini", "[platform]\ncpus = 2\n[vm.a]\ntrace = one.trace\n[platform]\n"
                                               "clock = 2GHz\n"))
                .platform.clock,
            2000000000u);
  // Names are case-sensitive everywhere in a run (JSON, VCD scopes, focus):
  // [vm.Web] and [vm.web] are two VMs.
  config::Config two = config::load_config(write("c.ini", "[vm.Web]\ntrace = one.trace\n[vm.web]\ntrace = one.trace\n"));
  EXPECT_EQ(two.vms.size(), 2u);
}

TEST_F(ConfigSyntaxTest, ResolvedConfigReadsBackTheSamePathsWhateverTheyHold) {
  // Folders with what a plain value cannot hold, for traces and for plugins
  // named in [run] swap (a plugin file only needs to exist to be named).
  const std::vector<std::string> folders = {"a#b", "c;d", " lead", "trail ", "q\"uote", "co,mma", "sp ace",
                                            "back\\slash", "line\nbreak", "byte\xff"};
  std::string cfg = "[run]\nswap =";
  std::string vms;
  for (std::size_t i = 0; i < folders.size(); ++i) {
    write(fs::path(folders[i]) / "t.trace", "vcpu 0\n  run 1ms\n");
    write(fs::path(folders[i]) / "p.so", "");
    vms += "[vm.v" + std::to_string(i) + "]\ntrace = " + config::quoted_value(folders[i] + "/t.trace") + "\n";
    cfg += " " + std::to_string(i + 1) + "ms:" + config::quoted_value(folders[i] + "/p.so", " ,") + ",policy=keep-old";
  }
  cfg += " 20ms:unload=lottery\n" + vms;
  config::Config c = config::load_config(write("c.ini", cfg));
  ASSERT_EQ(c.vms.size(), folders.size());
  ASSERT_EQ(c.swaps.size(), folders.size() + 1);
  for (std::size_t i = 0; i < folders.size(); ++i) {
    EXPECT_EQ(c.vms[i].trace_path, path(folders[i] + "/t.trace"));
    EXPECT_EQ(c.swaps[i].request.target, path(folders[i] + "/p.so"));
  }

  std::ostringstream first;
  config::write_resolved_config(c, first);
  config::Config again = config::load_config(write("resolved ;#.ini", first.str()));
  ASSERT_EQ(again.vms.size(), c.vms.size());
  for (std::size_t i = 0; i < c.vms.size(); ++i) {
    EXPECT_EQ(again.vms[i].trace_path, c.vms[i].trace_path);
    EXPECT_EQ(again.vms[i].name, c.vms[i].name);
  }
  ASSERT_EQ(again.swaps.size(), c.swaps.size());
  for (std::size_t i = 0; i < c.swaps.size(); ++i) {
    EXPECT_EQ(again.swaps[i].at, c.swaps[i].at);
    EXPECT_EQ(again.swaps[i].request.kind, c.swaps[i].request.kind);
    EXPECT_EQ(again.swaps[i].request.target, c.swaps[i].request.target);
    EXPECT_EQ(again.swaps[i].request.policy, c.swaps[i].request.policy);
  }
  std::ostringstream second;
  config::write_resolved_config(again, second);
  auto body = [](const std::string& s) { return s.substr(s.find('\n')); };  // the header names the source
  EXPECT_EQ(body(first.str()), body(second.str()));
  EXPECT_EQ(first.str().find('\xff'), std::string::npos) << "the header line names the source file printable";
}

TEST_F(ConfigSyntaxTest, QuotedValueIsPlainWhenItCanBe) {
  EXPECT_EQ(config::quoted_value("/plain/path.trace"), "/plain/path.trace");
  EXPECT_EQ(config::quoted_value(""), "\"\"");
  EXPECT_EQ(config::quoted_value("a b"), "a b");
  EXPECT_EQ(config::quoted_value("a b", " "), "\"a b\"");
  EXPECT_EQ(config::quoted_value(" a#\"\\\n"), "\" a#\\\"\\\\\\x0a\"");
}

}  // namespace
