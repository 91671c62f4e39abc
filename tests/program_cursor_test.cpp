// The trace program's semantics without the simulator: workload::ProgramCursor
// steps through run steps, loops and periodic jobs as the VMM drives it
// (docs/trace-format.md). Clock 1 GHz: 1 us = 1000 cycles.
#include <gtest/gtest.h>

#include "workload/program_cursor.h"
#include "workload/trace_parser.h"

using namespace vmmsim;
using workload::ProgramCursor;
using workload::StepKind;

namespace {

workload::TraceProgram parse(const std::string& text) { return workload::parse_trace(text, "p.trace", 1000000000); }

TEST(ProgramCursor, RunsAddUpUntilTheNextAction) {
  auto t = parse("vcpu 0\n  arrive 5us\n  run 2us\n  run 3us\n  yield\n  run 1us\n");
  ProgramCursor c(t.vcpus[0]);
  EXPECT_EQ(c.arrival(), 5000u);
  EXPECT_EQ(c.run_left(), 2000u);
  c.run(2000);  // the next run step follows at once: no action between
  EXPECT_EQ(c.run_left(), 3000u);
  c.run(5000);  // more than is left: the burst is simply done
  EXPECT_EQ(c.run_left(), 0u);
  const workload::Step* step = nullptr;
  EXPECT_EQ(c.next_action(&step).kind, StepKind::Yield);
  ASSERT_NE(step, nullptr);
  EXPECT_EQ(c.step_line(), 5u);
  EXPECT_EQ(c.run_left(), 1000u) << "the run after the action is loaded with it";
  c.run(1000);
  EXPECT_EQ(c.next_action(&step).kind, StepKind::Exit);
  EXPECT_EQ(step, nullptr) << "the end of the program is no step";
  EXPECT_EQ(c.next_action().kind, StepKind::Exit) << "and stays the end";
}

TEST(ProgramCursor, LoopsRepeatTheirBodyAndZeroRunsTakeNoAction) {
  auto t = parse("vcpu 0\n  repeat 3\n    run 0\n    run 1us\n    io 2us\n  end\n  console 8\n");
  ProgramCursor c(t.vcpus[0]);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c.run_left(), 1000u) << "iteration " << i;
    c.run(1000);
    workload::ProgramAction a = c.next_action();
    EXPECT_EQ(a.kind, StepKind::Io);
    EXPECT_EQ(a.cycles, 2000u);
  }
  workload::ProgramAction a = c.next_action();
  EXPECT_EQ(a.kind, StepKind::Console);
  EXPECT_EQ(a.bytes, 8u);
}

TEST(ProgramCursor, RepeatForeverNeverEnds) {
  auto t = parse("vcpu 0\n  repeat forever\n    run 1us\n    yield\n  end\n");
  ProgramCursor c(t.vcpus[0]);
  for (int i = 0; i < 1000; ++i) {
    c.run(c.run_left());
    ASSERT_EQ(c.next_action().kind, StepKind::Yield) << "iteration " << i;
  }
}

// A loop for ever keeps no count of its own (its end jumps back at once):
// a counted loop inside it counts afresh on each pass, and a counted loop
// around a loop for ever never reaches its own end.
TEST(ProgramCursor, CountedLoopsInsideAndAroundALoopForEverCountAsWritten) {
  auto t = parse("vcpu 0\n  repeat forever\n    repeat 2\n      run 1us\n      yield\n    end\n"
                 "    io 3us\n  end\n");
  ProgramCursor c(t.vcpus[0]);
  for (int pass = 0; pass < 4; ++pass) {
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(c.run_left(), 1000u) << "pass " << pass << ", iteration " << i;
      c.run(1000);
      ASSERT_EQ(c.next_action().kind, StepKind::Yield) << "pass " << pass << ", iteration " << i;
    }
    ASSERT_EQ(c.run_left(), 0u);
    const workload::ProgramAction io = c.next_action();
    ASSERT_EQ(io.kind, StepKind::Io) << "pass " << pass;
    EXPECT_EQ(io.cycles, 3000u);
  }
  // The io before it shows a second pass of the counted loop: the loop for
  // ever must not end it.
  auto around = parse("vcpu 0\n  repeat 2\n    io 1us\n    repeat forever\n      run 1us\n      yield\n"
                      "    end\n  end\n  console 8\n");
  ProgramCursor d(around.vcpus[0]);
  ASSERT_EQ(d.next_action().kind, StepKind::Io);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(d.run_left(), 1000u) << i;
    d.run(1000);
    ASSERT_EQ(d.next_action().kind, StepKind::Yield) << "no io or console step after a loop for ever: " << i;
  }
}

// With merge_endless (every vCPU but the service VM's), a `repeat forever`
// of runs only is one endless burst from its start: no run boundary in it
// is an event of the simulator.
TEST(ProgramCursor, AForeverLoopOfRunsOnlyIsOneEndlessBurstWhenMerged) {
  auto t = parse("vcpu 0\n  run 5us\n  repeat forever\n    run 1us\n    run 2us\n  end\n");
  ProgramCursor merged(t.vcpus[0], true);
  EXPECT_EQ(merged.run_left(), 5000u) << "the run before the loop is a burst of its own";
  EXPECT_FALSE(merged.endless());
  merged.run(5000);
  EXPECT_TRUE(merged.endless());
  EXPECT_EQ(merged.run_left(), kForever);
  merged.run(Cycles{1} << 40);
  EXPECT_EQ(merged.run_left(), kForever) << "and stays endless";

  ProgramCursor exact(t.vcpus[0]);  // not merged: every run ends a burst
  exact.run(5000);
  EXPECT_FALSE(exact.endless());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(exact.run_left(), 1000u);
    exact.run(1000);
    EXPECT_EQ(exact.run_left(), 2000u);
    exact.run(2000);
  }
}

TEST(ProgramCursor, LoopsWithAnActionOrWithoutARunOfTheirOwnAreNotMerged) {
  for (const char* text : {"vcpu 0\n  repeat forever\n    run 1us\n    yield\n  end\n",
                           "vcpu 0\n  repeat 1000\n    run 1us\n  end\n  io 1us\n",
                           "vcpu 0\n  repeat forever\n    repeat 2\n      run 1us\n    end\n  end\n"}) {
    auto t = parse(text);
    ProgramCursor c(t.vcpus[0], true);
    EXPECT_FALSE(c.endless()) << text;
    EXPECT_EQ(c.run_left(), 1000u) << text;
    c.run(1000);
    EXPECT_FALSE(c.endless()) << text;
  }
}

TEST(ProgramCursor, PeriodicJobsReportTheirLateness) {
  auto t = parse("vcpu 0\n  every 10us run 3us count 2\n  run 1us\n");
  ProgramCursor c(t.vcpus[0]);
  workload::ProgramAction a = c.next_action();
  ASSERT_EQ(a.kind, StepKind::Periodic);
  EXPECT_EQ(c.continued_release(a.period), 0u) << "no earlier period to continue";
  c.begin_jobs(0, a.period, a.cycles, a.count, true);
  EXPECT_TRUE(c.jobs_active());
  EXPECT_TRUE(c.job_running());
  EXPECT_EQ(c.run_left(), 3000u) << "the first job's work, before the steps after `every`";
  c.run(3000);
  EXPECT_EQ(c.finish_job(3000), 0u) << "done within its period";
  EXPECT_FALSE(c.job_running());
  EXPECT_EQ(c.next_release(), 10000u);
  c.release_job();
  c.run(3000);
  EXPECT_EQ(c.finish_job(25000), 5000u) << "due at 20 us, done at 25 us";
  EXPECT_FALSE(c.jobs_active());
  EXPECT_EQ(c.run_left(), 1000u) << "on to the step after the jobs";
}

TEST(ProgramCursor, AnEveryOfTheSamePeriodContinuesThePreviousOne) {
  auto t = parse("vcpu 0\n  every 10us run 1us count 1\n  every 10us run 2us count 1\n");
  ProgramCursor c(t.vcpus[0]);
  workload::ProgramAction a = c.next_action();
  c.begin_jobs(0, a.period, a.cycles, a.count, true);
  c.run(1000);
  c.finish_job(1000);
  a = c.next_action();
  ASSERT_EQ(a.kind, StepKind::Periodic);
  EXPECT_EQ(c.continued_release(a.period), 10000u) << "released at the previous step's next period";
  EXPECT_EQ(c.continued_release(a.period + 1), 0u) << "another period starts afresh";
}

}  // namespace
