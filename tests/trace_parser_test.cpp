// The trace parser: exact steps and cycles of valid traces, and one test per
// kind of bad input, asserting where the error is reported and what it says.
#include "workload/trace_parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/input_error.h"

namespace vmmsim::workload {
namespace {

constexpr Hertz k1GHz = 1000000000;

TraceProgram parse(const std::string& text, Hertz clock = k1GHz) {
  return parse_trace(text, "t.trace", clock);
}

// The message of the InputError that parsing `text` throws ("" if none).
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_TRACE_ERROR(text, where, fragment)                          \
  do {                                                                     \
    std::string message = error_of(text);                                  \
    EXPECT_EQ(message.rfind(std::string(where) + ": ", 0), 0u) << message; \
    EXPECT_NE(message.find(fragment), std::string::npos) << message;       \
  } while (0)

TEST(TraceParser, ParsesEveryStepWithItsAmount) {
  auto t = parse(
      "# vmmsim-trace 1\n"
      "vcpu 0\n"
      "  run 2ms\n"
      "  io 500us\n"
      "  sleep 1s\n"
      "  console 64\n"
      "  read 2\n"
      "  yield\n"
      "  exit\n");
  EXPECT_EQ(t.file, "t.trace");
  ASSERT_EQ(t.vcpus.size(), 1u);
  const auto& s = t.vcpus[0].steps;
  ASSERT_EQ(s.size(), 7u);
  EXPECT_EQ(s[0].kind, StepKind::Run);
  EXPECT_EQ(s[0].cycles, 2000000u);
  EXPECT_EQ(s[1].kind, StepKind::Io);
  EXPECT_EQ(s[1].cycles, 500000u);
  EXPECT_EQ(s[2].kind, StepKind::Sleep);
  EXPECT_EQ(s[2].cycles, 1000000000u);
  EXPECT_EQ(s[3].kind, StepKind::Console);
  EXPECT_EQ(s[3].bytes, 64u);
  EXPECT_EQ(s[4].kind, StepKind::Read);
  EXPECT_EQ(s[4].bytes, 2u);
  EXPECT_EQ(s[5].kind, StepKind::Yield);
  EXPECT_EQ(s[6].kind, StepKind::Exit);
  EXPECT_EQ(s[0].line, 3u);
  EXPECT_EQ(s[6].line, 9u);
}

TEST(TraceParser, ConvertsTimeWithTheClock) {
  auto t = parse("vcpu 0\nrun 1.5ms\nio 1ns\nsleep 1200\nrun 7cycles\n", 2400000000);
  const auto& s = t.vcpus[0].steps;
  EXPECT_EQ(s[0].cycles, 3600000u);  // 1.5 ms at 2.4 GHz
  EXPECT_EQ(s[1].cycles, 2u);        // 2.4 cycles, rounded to nearest
  EXPECT_EQ(s[2].cycles, 1200u);     // a bare number is cycles, whatever the clock
  EXPECT_EQ(s[3].cycles, 7u);
}

TEST(TraceParser, SizesTakeUnitsAndReadDefaultsToOneByte) {
  auto s = parse("vcpu 0\nconsole 2KiB\nconsole 16B\nread\nread 0\n").vcpus[0].steps;
  EXPECT_EQ(s[0].bytes, 2048u);
  EXPECT_EQ(s[1].bytes, 16u);
  EXPECT_EQ(s[2].bytes, 1u);
  EXPECT_EQ(s[3].bytes, 0u);
}

TEST(TraceParser, ArrivalIsRecordedNotAStep) {
  auto v = parse("vcpu 0\n  arrive 3ms\n  run 1ms\n").vcpus[0];
  EXPECT_EQ(v.arrival, 3000000u);
  ASSERT_EQ(v.steps.size(), 1u);
  EXPECT_EQ(v.steps[0].kind, StepKind::Run);
  EXPECT_EQ(parse("vcpu 0\nrun 1\n").vcpus[0].arrival, 0u);
}

TEST(TraceParser, RepeatBecomesALoopPairWithPartnerIndices) {
  auto s = parse(
               "vcpu 0\n"
               "repeat 100\n"
               "  run 300us\n"
               "  io 1ms\n"
               "end\n")
               .vcpus[0]
               .steps;
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].kind, StepKind::LoopBegin);
  EXPECT_EQ(s[0].count, 100u);
  EXPECT_EQ(s[0].jump, 3u);
  EXPECT_EQ(s[3].kind, StepKind::LoopEnd);
  EXPECT_EQ(s[3].jump, 0u);
  EXPECT_EQ(s[3].line, 5u);
}

TEST(TraceParser, NestedRepeatsPairInnermostFirst) {
  auto s = parse(
               "vcpu 0\n"
               "run 1\n"           // 0
               "repeat forever\n"  // 1
               "  repeat 3\n"      // 2
               "    run 10us\n"    // 3
               "  end\n"           // 4
               "  repeat 2\n"      // 5
               "    io 1us\n"      // 6
               "  end\n"           // 7
               "end\n"             // 8
               "exit\n")           // 9
               .vcpus[0]
               .steps;
  ASSERT_EQ(s.size(), 10u);
  EXPECT_EQ(s[1].count, kRepeatForever);
  EXPECT_EQ(s[1].jump, 8u);
  EXPECT_EQ(s[8].jump, 1u);
  EXPECT_EQ(s[2].jump, 4u);
  EXPECT_EQ(s[4].jump, 2u);
  EXPECT_EQ(s[5].jump, 7u);
  EXPECT_EQ(s[7].jump, 5u);
  EXPECT_EQ(s[2].count, 3u);
}

TEST(TraceParser, SortsVcpuSectionsByIndex) {
  auto t = parse("vcpu 2\nrun 3\nvcpu 0\nrun 1\nvcpu 1\nrun 2\n");
  ASSERT_EQ(t.vcpus.size(), 3u);
  for (unsigned i = 0; i < 3; ++i) {
    EXPECT_EQ(t.vcpus[i].index, i);
    EXPECT_EQ(t.vcpus[i].steps.at(0).cycles, i + 1);
  }
}

TEST(TraceParser, CommentsBlankLinesTabsAndCrlfAreIgnored) {
  auto t =
      parse("# header\r\n\r\n\tvcpu 0   # the only one\r\n\t\trun 5 # five cycles\r\n   \r\n#\n");
  ASSERT_EQ(t.vcpus[0].steps.size(), 1u);
  EXPECT_EQ(t.vcpus[0].steps[0].cycles, 5u);
  EXPECT_EQ(t.vcpus[0].steps[0].line, 4u);
}

TEST(TraceParser, EmptyProgramsAndRunZeroAreAllowed) {
  auto t = parse("vcpu 0\nvcpu 1\nrun 0\n");
  EXPECT_TRUE(t.vcpus[0].steps.empty());
  EXPECT_EQ(t.vcpus[1].steps.at(0).cycles, 0u);
  EXPECT_TRUE(parse("").vcpus.empty());  // the config says a VM needs a vcpu section
}

TEST(TraceParser, ForeverBodyMayPassTimeInANestedRepeat) {
  EXPECT_NO_THROW(parse("vcpu 0\nrepeat forever\nyield\nrepeat 2\nconsole 1\nend\nend\n"));
  EXPECT_NO_THROW(parse("vcpu 0\nrepeat forever\nread\nend\n"));
}

TEST(TraceParserError, UnknownStep) {
  EXPECT_TRACE_ERROR("vcpu 0\nrun 1ms\n\n\n\n\n  rn 2ms\n", "t.trace:7",
                     "unknown step 'rn'; expected one of arrive, run, io, sleep, console, read, "
                     "yield, repeat, end, exit");
}

TEST(TraceParserError, StepBeforeAnyVcpu) {
  EXPECT_TRACE_ERROR("# c\nrun 1ms\nvcpu 0\n", "t.trace:2",
                     "before any vcpu section; expected 'vcpu N'");
  EXPECT_TRACE_ERROR("vpcu 0\n", "t.trace:1", "unknown keyword 'vpcu'; expected 'vcpu N'");
}

TEST(TraceParserError, MissingArgument) {
  EXPECT_TRACE_ERROR("vcpu 0\nrun\n", "t.trace:2", "run without a duration; expected run DURATION");
  EXPECT_TRACE_ERROR("vcpu 0\nconsole\n", "t.trace:2", "expected console SIZE");
  EXPECT_TRACE_ERROR("vcpu 0\nrepeat\nend\n", "t.trace:2",
                     "expected repeat COUNT or repeat forever");
  EXPECT_TRACE_ERROR("vcpu\n", "t.trace:1", "expected vcpu N");
}

TEST(TraceParserError, ExtraArgument) {
  EXPECT_TRACE_ERROR("vcpu 0\nyield now\n", "t.trace:2", "extra argument 'now' after 'yield'");
  EXPECT_TRACE_ERROR("vcpu 0\nio 1ms 2ms\n", "t.trace:2", "extra argument '2ms'");
  EXPECT_TRACE_ERROR("vcpu 0 1\n", "t.trace:1", "extra argument '1'");
  EXPECT_TRACE_ERROR("vcpu 0\nrepeat 2\nrun 1\nend end\n", "t.trace:4", "expected end alone");
}

TEST(TraceParserError, SpaceBeforeUnitIsExplained) {
  EXPECT_TRACE_ERROR("vcpu 0\nrun 2 ms\n", "t.trace:2", "with no space before the unit");
  EXPECT_TRACE_ERROR("vcpu 0\nconsole 1 KiB\n", "t.trace:2", "with no space before the unit");
}

TEST(TraceParserError, BadUnits) {
  EXPECT_TRACE_ERROR("vcpu 0\nrun 2mss\n", "t.trace:2",
                     "bad duration '2mss' for run; expected a duration");
  EXPECT_TRACE_ERROR("vcpu 0\nsleep -1ms\n", "t.trace:2", "bad duration '-1ms'");
  EXPECT_TRACE_ERROR("vcpu 0\nrun 1.5\n", "t.trace:2", "expected a whole number of cycles");
  EXPECT_TRACE_ERROR("vcpu 0\nconsole 2kb\n", "t.trace:2", "bad size '2kb' for console");
  EXPECT_TRACE_ERROR("vcpu 0\narrive soon\n", "t.trace:2", "bad duration 'soon' for arrive");
}

TEST(TraceParserError, BadRepeatCount) {
  EXPECT_TRACE_ERROR("vcpu 0\nrepeat 0\nrun 1\nend\n", "t.trace:2",
                     "repeat '0'; expected a count from 1 to 1000000000, or forever");
  EXPECT_TRACE_ERROR("vcpu 0\nrepeat always\nrun 1\nend\n", "t.trace:2", "repeat 'always'");
  // 2^64-1 would be read as forever.
  EXPECT_TRACE_ERROR("vcpu 0\nrepeat 18446744073709551615\nrun 1\nend\n", "t.trace:2",
                     "repeat '1844");
}

TEST(TraceParserError, UnclosedRepeatAtItsLine) {
  EXPECT_TRACE_ERROR("vcpu 0\nrun 1\nrepeat 3\nrun 1\n", "t.trace:3",
                     "repeat without end; expected 'end'");
  // A new section closes the previous one.
  EXPECT_TRACE_ERROR("vcpu 0\nrepeat 3\nrun 1\nvcpu 1\nrun 1\n", "t.trace:2", "repeat without end");
  // The innermost open repeat is named.
  EXPECT_TRACE_ERROR("vcpu 0\nrepeat 3\nrepeat 2\nrun 1\nend\n", "t.trace:2", "repeat without end");
}

TEST(TraceParserError, StrayEnd) {
  EXPECT_TRACE_ERROR("vcpu 0\nrepeat 2\nrun 1\nend\nend\n", "t.trace:5",
                     "'end' without a repeat; expected 'end' only to close a repeat");
}

TEST(TraceParserError, EmptyRepeatBody) {
  EXPECT_TRACE_ERROR("vcpu 0\nrun 1\n  repeat 5  # nothing\nend\n", "t.trace:3",
                     "repeat with an empty body; expected at least one step");
}

TEST(TraceParserError, ForeverWithoutTimePassing) {
  const char* fragment = "repeat forever whose body takes no time";
  EXPECT_TRACE_ERROR("vcpu 0\nrepeat forever\nyield\nend\n", "t.trace:2", fragment);
  EXPECT_TRACE_ERROR("vcpu 0\nrepeat forever\nrun 0\nconsole 0\nread 0\nend\n", "t.trace:2",
                     fragment);
  EXPECT_TRACE_ERROR("vcpu 0\nrun 1\nrepeat forever\nrepeat 3\nio 0\nend\nend\n", "t.trace:3",
                     fragment);
}

TEST(TraceParserError, VcpuNumbering) {
  EXPECT_TRACE_ERROR("vcpu 0\nvcpu 2\n", "t.trace:2",
                     "vcpu 2 but no vcpu 1; expected vcpu sections numbered from 0");
  EXPECT_TRACE_ERROR("vcpu 1\nrun 1\n", "t.trace:1", "vcpu 1 but no vcpu 0");
  EXPECT_TRACE_ERROR("vcpu 0\nvcpu 1\nvcpu 0\n", "t.trace:3", "vcpu 0 again (first at line 1)");
  EXPECT_TRACE_ERROR("vcpu x\n", "t.trace:1", "vcpu 'x'; expected a vCPU index from 0 to 4095");
  EXPECT_TRACE_ERROR("vcpu 4096\n", "t.trace:1", "from 0 to 4095");
}

TEST(TraceParserError, ArriveOnlyOnceAndFirst) {
  EXPECT_TRACE_ERROR("vcpu 0\nrun 1\narrive 1ms\n", "t.trace:3",
                     "arrive after the first step of vcpu 0 (line 2); expected arrive before");
  EXPECT_TRACE_ERROR("vcpu 0\narrive 1\narrive 2\n", "t.trace:3",
                     "second arrive for vcpu 0 (first at line 2)");
  EXPECT_TRACE_ERROR("vcpu 0\nrepeat 2\narrive 1\nend\n", "t.trace:3",
                     "arrive after the first step");
}

TEST(TraceParserError, BinaryInput) {
  EXPECT_TRACE_ERROR(std::string("vcpu 0\nrun 1\x00ms\n", 14), "t.trace:2",
                     "binary data (a NUL byte); expected a text trace file");
}

TEST(TraceParserError, OverlongLine) {
  std::string ok = "vcpu 0\n#" + std::string(4095, 'x') + "\n";
  EXPECT_NO_THROW(parse(ok));
  EXPECT_TRACE_ERROR(ok + "#" + std::string(4096, 'x') + "\n", "t.trace:3",
                     "line of 4097 characters; expected at most 4096");
}

TEST(TraceParserError, AbsurdAmounts) {
  EXPECT_TRACE_ERROR("vcpu 0\nrun 99999999999999999999999s\n", "t.trace:2",
                     "fits in 64-bit cycles");
  EXPECT_TRACE_ERROR("vcpu 0\nsleep 2000000s\n", "t.trace:2",
                     "expected at most 1125899906842624 cycles");
  EXPECT_TRACE_ERROR("vcpu 0\nconsole 2MiB\n", "t.trace:2", "expected at most 1 MiB");
  EXPECT_TRACE_ERROR("vcpu 0\nread 1GiB\n", "t.trace:2", "expected at most 1 MiB");
}

TEST(TraceParserError, StepCountLimit) {
  std::string text = "vcpu 0\n";
  for (int i = 0; i < 500000; ++i) text += "run 1\n";
  text += "vcpu 1\n";
  for (int i = 0; i < 500000; ++i) text += "io 1\n";
  EXPECT_EQ(parse(text).vcpus[1].steps.size(), 500000u);
  EXPECT_TRACE_ERROR(text + "yield\n", "t.trace:1000003", "more than 1000000 steps in the trace");
}

TEST(TraceParserError, NestingDepthLimit) {
  std::string text = "vcpu 0\n";
  for (int i = 0; i < 65; ++i) text += "repeat 2\n";
  EXPECT_TRACE_ERROR(text, "t.trace:66", "expected at most 64 levels");
}

TEST(TraceParserError, FormatVersionAndUnprintableWords) {
  EXPECT_TRACE_ERROR("# vmmsim-trace 2\nvcpu 0\n", "t.trace:1", "trace format version '2'");
  EXPECT_TRACE_ERROR("vcpu 0\n\x1b[2Jrun 1\n", "t.trace:2", "unknown step '\\x1b[2Jrun'");
}

TEST(TraceLoader, MissingFileNamesThePathAndTheReason) {
  try {
    load_trace("/nonexistent/web.trace", k1GHz);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "/nonexistent/web.trace: cannot read trace file (No such file or directory)");
  }
  EXPECT_THROW(load_trace(std::filesystem::temp_directory_path().string(), k1GHz), InputError);
}

TEST(TraceLoader, ErrorsNameTheFilePath) {
  auto path = std::filesystem::temp_directory_path() / "vmmsim_trace_parser_test.trace";
  std::ofstream(path) << "vcpu 0\n  run 1ms\n  jump\n";
  try {
    load_trace(path.string(), k1GHz);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path.string() + ":3: unknown step 'jump'", 0), 0u)
        << e.what();
  }
  std::filesystem::remove(path);
}

#ifdef VMMSIM_SOURCE_DIR
TEST(TraceLoader, EveryExampleTraceParses) {
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(VMMSIM_SOURCE_DIR "/traces")) {
    if (entry.path().extension() != ".trace") continue;
    SCOPED_TRACE(entry.path().string());
    TraceProgram t;
    EXPECT_NO_THROW(t = load_trace(entry.path().string(), k1GHz));
    EXPECT_FALSE(t.vcpus.empty());
    ++loaded;
  }
  EXPECT_GE(loaded, 7);
}
#else
TEST(TraceLoader, EveryExampleTraceParses) { GTEST_SKIP() << "VMMSIM_SOURCE_DIR not defined"; }
#endif

}  // namespace
}  // namespace vmmsim::workload
