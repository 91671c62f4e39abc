// report::Timeline's slices as a reader adds them up: "ts" + "dur" in doubles
// never passes the next slice's "ts" (the DevTools performance panel drops a
// slice that starts before the previous one ends; tests/timeline_trace_engine_test.cmake
// checks the whole file with it).
#include "report/timeline.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "report/json_value.h"
#include "timeline_file.h"

namespace vmmsim::report {
namespace {

JsonValue write_timeline(const std::function<void(Timeline&)>& fill) {
  return JsonValue::parse(timeline_text(1000000000, 1, fill));
}

std::vector<JsonValue> complete_events(const JsonValue& doc) {
  std::vector<JsonValue> out;  // views sharing the document
  for (const JsonValue& e : doc["traceEvents"].array())
    if (e["ph"].string() == "X") out.push_back(e);
  return out;
}

TEST(Timeline, AdjacentSlicesDoNotOverlapInDoubles) {
  // At 1 GHz, 5014.386 + 60.792 is 5075.178000000001 in doubles: past 5075.178.
  const JsonValue doc = write_timeline([](Timeline& t) {
    t.dispatch(0, {"web.0", "web", 0, 0, "credit", 0}, 5014386, 5075178);
    t.dispatch(0, {"service.0", "service", 0, 0, "credit", 0}, 5075178, 5079278);
    t.phase("load", 10283378, 10349746);
    t.phase("migrate", 10349746, 10349800);
    t.ceased(0, 5014386, 5075178);
  });
  const std::vector<JsonValue> x = complete_events(doc);
  ASSERT_EQ(x.size(), 5u);
  for (std::size_t i : {0u, 2u}) {
    const JsonValue& a = x[i];
    const JsonValue& b = x[i + 1];
    EXPECT_LE(a["ts"].number() + a["dur"].number(), b["ts"].number()) << a["name"].string() << " runs into the next";
    EXPECT_NEAR(a["dur"].number(), b["ts"].number() - a["ts"].number(), 1e-9) << "shorter by far less than 1 ns";
  }
  EXPECT_LE(x[4]["ts"].number() + x[4]["dur"].number(), 5075.178) << "ceased";
  // Where the sum is exact, "dur" stays the plain decimal.
  EXPECT_EQ(x[1]["dur"].number(), 4.1);
  EXPECT_EQ(x[3]["dur"].number(), 0.054);
}

}  // namespace
}  // namespace vmmsim::report
