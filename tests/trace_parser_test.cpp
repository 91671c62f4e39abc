// The trace parser: exact steps and cycles of valid traces, and one test per
// kind of bad input, asserting where the error is reported and what it says.
#include "workload/trace_parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

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

TEST(TraceParserError, FormFeedIsNoBlank) {
  // The blanks of a trace are the config's (base/text.h): a form feed is a
  // byte of the word it touches, so the step is unknown, not 'run'.
  EXPECT_TRACE_ERROR("vcpu 0\nrun\f5\n", "t.trace:2", "unknown step 'run\\x0c5'");
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
                     "yield, repeat, end, exit, every, sched-load, sched-stage, sched-unload, sched-shadow, "
                     "sched-unshadow, fault");
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

using Params = std::vector<std::pair<std::string, std::string>>;

TEST(TraceControl, SchedLoadOfABuiltInWithPolicyAndParams) {
  auto t = parse("vcpu 0\nsleep 2s\n  sched-load bvt policy=keep-old ctx_allow=5ms warp=1  # go\n");
  const auto& s = t.vcpus[0].steps;
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].kind, StepKind::SchedLoad);
  EXPECT_EQ(s[1].control, 0u);
  EXPECT_EQ(s[1].line, 3u);
  EXPECT_EQ(s[1].cycles, 0u);  // takes no time of its own
  ASSERT_EQ(t.controls.size(), 1u);
  const ControlRequest& c = t.controls[0];
  EXPECT_EQ(c.kind, ControlRequest::Kind::Load);
  EXPECT_EQ(c.target, "bvt");
  EXPECT_EQ(c.policy, LoadPolicy::KeepOld);
  EXPECT_EQ(c.params, (Params{{"ctx_allow", "5ms"}, {"warp", "1"}}));  // as written, in order
  EXPECT_EQ(c.line, 3u);
  EXPECT_EQ(parse("vcpu 0\nsched-load rr policy=unload-old\n").controls[0].policy,
            LoadPolicy::UnloadOld);
}

TEST(TraceControl, PolicyDefaultsToAuto) {
  auto c = parse("vcpu 0\nsched-load fifo\n").controls.at(0);
  EXPECT_EQ(c.policy, LoadPolicy::Auto);
  EXPECT_TRUE(c.params.empty());
  EXPECT_EQ(parse("vcpu 0\nsched-load fifo policy=auto\n").controls.at(0).policy, LoadPolicy::Auto);
}

TEST(TraceControl, ImagePathsAreResolvedAgainstTheTraceFolder) {
  auto target = [](const std::string& file, const std::string& words) {
    return parse_trace("vcpu 0\nsched-load " + words + "\n", file, k1GHz).controls.at(0).target;
  };
  EXPECT_EQ(target("traces/svc/s.trace", "../plugins/lottery.so"), "traces/plugins/lottery.so");
  EXPECT_EQ(target("traces/s.trace", "./build/x"), "traces/build/x");  // '/' makes it a path
  EXPECT_EQ(target("/srv/t/s.trace", "x.so policy=auto"), "/srv/t/x.so");
  EXPECT_EQ(target("./s.trace", "x.so"), "./x.so");            // stays a path for dlopen
  EXPECT_EQ(target("s.trace", "./p/../x.so"), "./p/../x.so");  // no folder: as written
  EXPECT_EQ(target("traces/s.trace", "/opt/vmmsim/credit.so"), "/opt/vmmsim/credit.so");
  EXPECT_EQ(target("traces/s.trace", "/opt/a/../credit.so"), "/opt/credit.so");
  EXPECT_EQ(target("traces/s.trace", "bvt"), "bvt");  // a built-in name is not a path
}

TEST(TraceControl, SchedUnloadWithAndWithoutAName) {
  auto t = parse("vcpu 0\nsched-unload bvt\nsched-unload\n");
  const auto& s = t.vcpus[0].steps;
  ASSERT_EQ(t.controls.size(), 2u);
  EXPECT_EQ(s[0].kind, StepKind::SchedUnload);
  EXPECT_EQ(t.controls[s[0].control].kind, ControlRequest::Kind::Unload);
  EXPECT_EQ(t.controls[s[0].control].target, "bvt");
  EXPECT_EQ(t.controls[s[1].control].target, "");  // the active scheduler
  EXPECT_EQ(t.controls[s[1].control].line, 3u);
}

TEST(TraceControl, SchedShadowAndUnshadow) {
  auto t = parse("vcpu 0\nsched-shadow rr quantum=2ms tolerance=10us\nsched-unshadow\n");
  const auto& s = t.vcpus[0].steps;
  ASSERT_EQ(t.controls.size(), 2u);
  EXPECT_EQ(s[0].kind, StepKind::SchedShadow);
  EXPECT_EQ(t.controls[s[0].control].kind, ControlRequest::Kind::Shadow);
  EXPECT_EQ(t.controls[s[0].control].target, "rr");
  ASSERT_EQ(t.controls[s[0].control].params.size(), 2u);
  EXPECT_EQ(t.controls[s[0].control].params[1].first, "tolerance");
  EXPECT_EQ(s[1].kind, StepKind::SchedUnshadow);
  EXPECT_EQ(t.controls[s[1].control].kind, ControlRequest::Kind::Unshadow);
}

TEST(TraceControl, FaultIsAStepWithoutArguments) {
  auto s = parse("vcpu 0\nrun 1ms\nfault\n").vcpus[0].steps;
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].kind, StepKind::Fault);
  EXPECT_TRACE_ERROR("vcpu 0\nfault now\n", "t.trace:2",
                     "extra argument 'now' after 'fault'; expected fault alone");
}

TEST(TraceControl, ControlIndicesFollowTheFileAcrossVcpus) {
  // Controls are numbered in file order: rr load, rr unload, bvt load.
  auto t = parse("vcpu 1\nsched-load rr\nfault\nvcpu 0\nrun 1\nsched-unload rr\nsched-load bvt\n");
  ASSERT_EQ(t.controls.size(), 3u);
  const auto& v0 = t.vcpus[0].steps;
  const auto& v1 = t.vcpus[1].steps;
  ASSERT_EQ(v0.size(), 3u);
  ASSERT_EQ(v1.size(), 2u);
  EXPECT_EQ(v1[0].kind, StepKind::SchedLoad);
  EXPECT_EQ(v1[0].control, 0u);
  EXPECT_EQ(v1[1].kind, StepKind::Fault);
  EXPECT_EQ(v0[1].kind, StepKind::SchedUnload);
  EXPECT_EQ(v0[1].control, 1u);
  EXPECT_EQ(v0[2].control, 2u);
  EXPECT_EQ(t.controls[2].target, "bvt");
  EXPECT_EQ(t.controls[2].line, 7u);
}

TEST(TraceControl, ForeverOfOnlyControlStepsTakesNoTime) {
  EXPECT_TRACE_ERROR("vcpu 0\nrepeat forever\nsched-load bvt\nsched-unload\nfault\nend\n",
                     "t.trace:2", "repeat forever whose body takes no time");
  EXPECT_NO_THROW(parse("vcpu 0\nrepeat forever\nsleep 1s\nsched-load bvt\nsched-unload\nend\n"));
}

TEST(TraceControlError, BadPolicy) {
  EXPECT_TRACE_ERROR("vcpu 0\nsched-load bvt policy=fast\n", "t.trace:2",
                     "bad policy 'fast'; expected policy=keep-old, policy=unload-old, policy=unload-after or "
                     "policy=auto");
  EXPECT_TRACE_ERROR("vcpu 0\nsched-load bvt policy=\n", "t.trace:2", "bad policy ''");
  EXPECT_TRACE_ERROR("vcpu 0\nsched-load bvt policy=auto policy=keep-old\n", "t.trace:2",
                     "second policy 'policy=keep-old' (first 'policy=auto'); expected at most one");
}

TEST(TraceControlError, DuplicateAndMalformedParams) {
  EXPECT_TRACE_ERROR("vcpu 0\nsched-load bvt warp=1 ctx_allow=5ms warp=2\n", "t.trace:2",
                     "parameter 'warp' twice (warp=1 first); expected each KEY once");
  EXPECT_TRACE_ERROR("vcpu 0\nsched-load bvt Warp=1\n", "t.trace:2",
                     "bad parameter key 'Warp' in 'Warp=1'; expected KEY=VALUE");
  EXPECT_TRACE_ERROR("vcpu 0\nsched-load bvt =1\n", "t.trace:2", "bad parameter key ''");
  EXPECT_TRACE_ERROR("vcpu 0\nsched-load bvt warp=\n", "t.trace:2",
                     "parameter 'warp=' without a value; expected KEY=VALUE with a non-empty");
  EXPECT_TRACE_ERROR("vcpu 0\nsched-load bvt fifo\n", "t.trace:2",
                     "'fifo' after the scheduler; expected only policy= and KEY=VALUE");
  EXPECT_TRACE_ERROR("vcpu 0\nsched-load bvt warp = 1\n", "t.trace:2", "'warp' after the");
}

TEST(TraceControlError, SchedLoadNeedsATargetFirst) {
  EXPECT_TRACE_ERROR("vcpu 0\nsched-load   # later\n", "t.trace:2",
                     "no scheduler named; expected a built-in scheduler name or a shared-object "
                     "path");
  EXPECT_TRACE_ERROR("vcpu 0\nsched-load policy=keep-old bvt\n", "t.trace:2",
                     "'policy=keep-old' where the scheduler belongs; expected");
}

TEST(TraceControlError, SchedUnloadTakesAtMostAName) {
  EXPECT_TRACE_ERROR("vcpu 0\nsched-unload bvt rr\n", "t.trace:2",
                     "extra argument 'rr' after 'bvt'; expected one scheduler name, or none");
  EXPECT_TRACE_ERROR("vcpu 0\nsched-unload bvt policy=keep-old\n", "t.trace:2",
                     "extra argument 'policy=keep-old'");
  EXPECT_TRACE_ERROR("vcpu 0\nsched-unload ./x.so\n", "t.trace:2",
                     "'./x.so' to unload; expected a scheduler's name");
}

TEST(TraceControl, SchedStageTakesASourceAndParameters) {
  const std::string plugin = (std::filesystem::temp_directory_path() / "x.so").string();
  auto t = parse("vcpu 0\nsched-stage bvt ctx_allow=2ms\nsched-stage " + plugin + " source=disk quantum=1ms\n");
  const auto& s = t.vcpus[0].steps;
  ASSERT_EQ(t.controls.size(), 2u);
  EXPECT_EQ(s[0].kind, StepKind::SchedStage);
  EXPECT_EQ(t.controls[0].kind, ControlRequest::Kind::Stage);
  EXPECT_EQ(t.controls[0].target, "bvt");
  ASSERT_EQ(t.controls[0].params.size(), 1u);
  EXPECT_EQ(t.controls[1].source, "disk");
}

TEST(TraceControlError, SchedStageTakesNoPolicy) {
  EXPECT_TRACE_ERROR("vcpu 0\nsched-stage bvt policy=keep-old\n", "t.trace:2",
                     "'policy=keep-old' with a stage; expected no policy=");
  EXPECT_TRACE_ERROR("vcpu 0\nsched-stage\n", "t.trace:2",
                     "no scheduler named; expected a built-in scheduler name or a shared-object path, then "
                     "[source=NAME] [KEY=VALUE ...]");
}

TEST(ParseControl, AcceptsTheCliWords) {
  // --swap 2s:lottery.so,policy=keep-old,,tickets=10, after commas became spaces.
  ControlRequest c;
  c.line = 42;  // not the parser's business
  EXPECT_EQ(parse_control(ControlRequest::Kind::Load, "lottery.so policy=keep-old  tickets=10 ",
                          "configs", &c),
            "");
  EXPECT_EQ(c.kind, ControlRequest::Kind::Load);
  EXPECT_EQ(c.target, "configs/lottery.so");
  EXPECT_EQ(c.policy, LoadPolicy::KeepOld);
  EXPECT_EQ(c.params, (Params{{"tickets", "10"}}));
  EXPECT_EQ(c.line, 42u);
  EXPECT_EQ(parse_control(ControlRequest::Kind::Load, "bvt", "", &c), "");
  EXPECT_EQ(c.target, "bvt");
  EXPECT_EQ(c.policy, LoadPolicy::Auto);
  EXPECT_TRUE(c.params.empty());
  EXPECT_EQ(parse_control(ControlRequest::Kind::Unload, "", "", &c), "");
  EXPECT_EQ(c.kind, ControlRequest::Kind::Unload);
  EXPECT_EQ(c.target, "");
  // A failure names what was found first and leaves *out as it was.
  std::string why = parse_control(ControlRequest::Kind::Load, "rr policy=soon", "", &c);
  EXPECT_EQ(why.rfind("bad policy 'soon'; expected ", 0), 0u) << why;
  EXPECT_EQ(c.kind, ControlRequest::Kind::Unload);
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
