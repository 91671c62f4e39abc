// The text report's controller section (docs/controller.md "What is
// reported"): its count of requests agrees with the decisions it lists.
#include <gtest/gtest.h>

#include <sstream>

#include "report/controller_report.h"

using namespace vmmsim;

namespace {

report::ControllerDecision decision(const std::string& status, int replacement, Cycles downtime) {
  report::ControllerDecision d;
  d.rule = "r";
  d.metric = "utilisation";
  d.action = "load bvt";
  d.status = status;
  d.replacement = replacement;
  d.downtime = downtime;
  return d;
}

std::string text_of(const report::ControllerResult& c) {
  report::Results r;
  r.clock = 1000000000;
  r.controller = c;
  std::ostringstream out;
  report::write_controller_text(r, out);
  return out.str();
}

// A request still queued at the run's end went to the loader: counted, and
// said to be queued; a budget's refusal did not go.
TEST(ControllerReportTest, TheRequestCountHoldsAQueuedRequest) {
  report::ControllerResult c;
  c.decisions = {decision("done", 0, 1000000), decision("refused", -1, 0),
                 decision("in-progress", 1, 500000), decision("queued", -1, 0)};
  EXPECT_NE(text_of(c).find("  3 request(s) to the loader (1 still queued at the end), 1.500 ms of "
                            "downtime\n"),
            std::string::npos)
      << text_of(c);
  c.decisions.pop_back();
  EXPECT_NE(text_of(c).find("  2 request(s) to the loader, 1.500 ms of downtime\n"),
            std::string::npos)
      << text_of(c);
}

}  // namespace
