// report::Timeline's neighbourhood of the first replacement (compare without
// --window): past the main window it holds the last `pad` of events, and
// when a replacement begins writes them clipped to [first cease - pad, ...),
// with the run-queue count in effect there (the held count changes first,
// then the held slices); a neighbourhood that meets the
// main window extends it. At 1 MHz a cycle is a microsecond: "ts" reads as
// the cycle.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "report/json_value.h"
#include "report/timeline.h"
#include "timeline_file.h"

namespace vmmsim::report {
namespace {

constexpr Hertz kMHz = 1000000;

Timeline::Slice slice(const std::string& vm) { return {vm + ".0", vm, 0, 0, "credit", 0}; }

// The events but the metadata, one line each: "a.0 cpu0 90+10", "runqueue 320=5",
// "ceased cpu1 340+20", "drain vmm 340+20", "instant load 340".
std::vector<std::string> events(const std::string& text) {
  std::vector<std::string> out;
  for (const JsonValue& e : JsonValue::parse(text)["traceEvents"].array()) {
    const std::string& ph = e["ph"].string();
    const double ts = e["ts"].number();
    if (ph == "C") out.push_back(fmt::format("runqueue {}={}", ts, e["args"]["runnable"].integer()));
    if (ph == "i") out.push_back(fmt::format("instant {} {}", e["name"].string(), ts));
    if (ph == "X") {
      const std::uint64_t tid = e["tid"].integer();
      out.push_back(fmt::format("{} {} {}+{}", e["name"].string(), tid == 3 ? "vmm" : fmt::format("cpu{}", tid - 1), ts,
                                e["dur"].number()));
    }
  }
  return out;
}

TEST(TimelineNeighbourhood, HoldsThePadBeforeTheFirstReplacementAndEndsAfterIt) {
  const std::string text = timeline_text(
      kMHz, 2,
      [](Timeline& t) {
        t.runqueue(10, 1);
        t.dispatch(0, slice("a"), 90, 150);  // in the main window up to 100; then held
        t.runqueue(120, 3);                  // past the main window: held, then dropped
        t.dispatch(0, slice("b"), 150, 300);  // ends 40 before the replacement: dropped
        t.runqueue(310, 5);                   // dropped from the held events, but in effect at 320
        t.dispatch(1, slice("c"), 200, 330);  // clipped to the neighbourhood's start, 320
        t.runqueue(335, 2);
        t.replacement_began(340);  // the neighbourhood starts at 340 - 20
        t.ceased(0, 340, 365);
        t.ceased(1, 340, 365);
        t.dispatch(0, slice("d"), 365, 400);
        // Its last phase ended at 365: to 365 + max(20, 4 x 25).
        t.replacement_ended(340, 365);
        t.dispatch(1, slice("e"), 400, 500);  // clipped to 465
        t.runqueue(470, 4);                   // past it
        t.replacement_began(1000);            // only the first replacement's neighbourhood
        t.dispatch(0, slice("f"), 990, 1010);
        t.replacement("load credit -> bvt", 340);
        t.phase("drain", 340, 365);
        t.replacement("unload bvt", 1000);
        t.phase("cease", 1000, 1010);
      },
      0, 100, 20);
  const std::vector<std::string> want{
      "runqueue 10=1",   "a.0 cpu0 90+10",  "runqueue 320=5",    "runqueue 335=2",
      "c.0 cpu1 320+10", "ceased cpu0 340+25", "ceased cpu1 340+25", "d.0 cpu0 365+35",
      "e.0 cpu1 400+65", "instant load credit -> bvt 340", "drain vmm 340+25"};
  EXPECT_EQ(events(text), want);
}

// However long the wait for a replacement, only the last pad is held.
TEST(TimelineNeighbourhood, HoldsOnlyThePad) {
  std::size_t most = 0;
  timeline_text(
      kMHz, 1,
      [&](Timeline& t) {
        for (Cycles at = 0; at < 100000; at += 2) {
          t.dispatch(0, slice("a"), at, at + 1);
          t.runqueue(at + 1, at % 4 == 0 ? 1 : 0);
          most = std::max(most, t.held());
        }
      },
      0, 100, 20);
  EXPECT_GT(most, 10u);
  EXPECT_LE(most, 22u) << "20 us of a slice and a count change every 2 us";
}

// A shadow's disagreements past the main window are held as the slices are:
// those within the pad before the first cease appear in the neighbourhood,
// older ones and those past it do not.
TEST(TimelineNeighbourhood, HoldsAShadowsDisagreements) {
  const std::string text = timeline_text(
      kMHz, 1,
      [](Timeline& t) {
        t.shadow_disagreement("rr disagrees: pick_next cpu0", 50);   // in the main window
        t.shadow_disagreement("rr disagrees: wake", 300);            // held, then dropped
        t.dispatch(0, slice("a"), 300, 330);
        t.shadow_disagreement("rr disagrees: pick_next cpu0", 330);  // held, written at 340
        t.replacement_began(340);                                    // the neighbourhood starts at 320
        t.ceased(0, 340, 350);
        t.shadow_disagreement("rr disagrees: tick cpu0", 352);       // in the open neighbourhood
        t.replacement_ended(340, 350);                               // to 350 + 40
        t.shadow_disagreement("rr disagrees: tick cpu0", 400);       // past it
      },
      0, 100, 20);
  const std::vector<std::string> want{"instant rr disagrees: pick_next cpu0 50", "a.0 cpu0 320+10",
                                      "instant rr disagrees: pick_next cpu0 330", "ceased cpu0 340+10",
                                      "instant rr disagrees: tick cpu0 352"};
  EXPECT_EQ(events(text), want);
}

// A replacement at 110, within the pad of the main window's end at 100: one
// window from 0. What was held past 100 joins it (a slice across 100, written
// when it ended, continues as a second slice), and its end is where the
// neighbourhood ends, or the main window's if later.
TEST(TimelineNeighbourhood, MeetingTheMainWindowExtendsIt) {
  const std::string text = timeline_text(
      kMHz, 1,
      [](Timeline& t) {
        t.dispatch(0, slice("a"), 95, 105);
        t.runqueue(102, 1);
        t.replacement_began(110);
        t.ceased(0, 110, 112);
        t.replacement_ended(110, 112);  // to 112 + 20
        t.dispatch(0, slice("b"), 120, 150);
      },
      0, 100, 20);
  const std::vector<std::string> want{"a.0 cpu0 95+5", "runqueue 102=1", "a.0 cpu0 100+5", "ceased cpu0 110+2",
                                      "b.0 cpu0 120+12"};
  EXPECT_EQ(events(text), want);
}

// A replacement inside the main window extends it before anything was cut
// at its end: a slice across it stays one slice.
TEST(TimelineNeighbourhood, AReplacementInsideTheMainWindowExtendsItWhole) {
  const std::string text = timeline_text(
      kMHz, 1,
      [](Timeline& t) {
        t.replacement_began(50);
        t.ceased(0, 50, 70);
        t.replacement_ended(50, 70);  // to 70 + 4 x 20 = 150
        t.dispatch(0, slice("a"), 90, 120);
        t.dispatch(0, slice("b"), 140, 200);
      },
      0, 100, 20);
  const std::vector<std::string> want{"ceased cpu0 50+20", "a.0 cpu0 90+30", "b.0 cpu0 140+10"};
  EXPECT_EQ(events(text), want);
}

// The same events, no replacement: the file is the main window's alone, byte
// for byte as without a pad.
TEST(TimelineNeighbourhood, WithoutAReplacementTheFileIsTheMainWindowsAlone) {
  auto fill = [](Timeline& t) {
    t.runqueue(10, 1);
    t.dispatch(0, slice("a"), 0, 90);
    t.dispatch(0, slice("b"), 90, 130);
    t.runqueue(120, 2);
    t.dispatch(0, slice("c"), 130, 400);
    t.replacement("load credit -> bvt", 300);
  };
  EXPECT_EQ(timeline_text(kMHz, 1, fill, 0, 100, 20), timeline_text(kMHz, 1, fill, 0, 100, 0));
}

// A count that changes exactly at the window's start is the one in effect
// there, not the one set before it.
TEST(TimelineWindow, ACountChangedAtTheStartReplacesTheOneBefore) {
  const std::string text = timeline_text(
      kMHz, 1,
      [](Timeline& t) {
        t.runqueue(50, 4);
        t.runqueue(100, 7);
        t.dispatch(0, slice("a"), 100, 120);
      },
      100, 200);
  const std::vector<std::string> want{"runqueue 100=7", "a.0 cpu0 100+20"};
  EXPECT_EQ(events(text), want);
}

}  // namespace
}  // namespace vmmsim::report
