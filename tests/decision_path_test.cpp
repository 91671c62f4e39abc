// The decision in one call (vmm/decision.cpp): a pCPU's request that ends
// in a decision (slice expiry, preempt, idle, a block, yield or exit
// hypercall) and a wake (Vmm::wake_on) skip handle()'s general switch, and
// must still be counted, observed and answered as every request is: each is
// told to an observer that watches requests, a decision with what it
// dispatched as its feedback, a wake with none; the counts by kind are the
// observer's; every scheduler decision is one of them.
#include <array>
#include <map>

#include "tests/sim_fixture.h"
#include "vmm/observer.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

struct DecisionRecorder final : vmm::Observer {
  DecisionRecorder() : vmm::Observer(true) {}
  void dispatched(unsigned cpu, vmm::VcpuId next, std::uint32_t, const std::string&, std::int64_t, Cycles) override {
    last_next.at(cpu) = next;
    ++dispatches;
  }
  void after_request(const vmm::Request& r, const vmm::Feedback& fb) override {
    ++by_kind[r.kind];
    const bool decision = r.cpu >= 0 && vmm::ends_in_decision(r.kind);
    if (fb.decided != decision) ++wrong_decided;
    if (!decision) return;
    ++decisions;
    if (fb.status != vmm::Status::Done) ++not_done;
    // The feedback carries what was dispatched on the requester's pCPU.
    if (fb.next != last_next.at(static_cast<std::size_t>(r.cpu))) ++wrong_next;
    if ((r.kind == vmm::RequestKind::Block || r.kind == vmm::RequestKind::Yield ||
         r.kind == vmm::RequestKind::Exit) != (r.vcpu != vmm::kNone))
      ++wrong_requester;
  }
  std::array<vmm::VcpuId, 2> last_next{vmm::kNone, vmm::kNone};
  std::map<vmm::RequestKind, std::uint64_t> by_kind;
  std::uint64_t dispatches = 0, decisions = 0, wrong_decided = 0, not_done = 0, wrong_next = 0, wrong_requester = 0;
};

class DecisionPathTest : public vmmsim::testing::SimTest {};

// rr on two pCPUs: hogs expire their slices, an I/O-bound vCPU blocks and
// wakes (an idle pCPU is woken), a yielder yields, a short job exits.
TEST_F(DecisionPathTest, EveryDecisionOfAPcpuIsCountedAndObservedAsItsRequest) {
  file("hog.trace", "vcpu 0\n  repeat forever\n    run 7ms\n  end\n");
  file("io.trace", "vcpu 0\n  repeat forever\n    run 200us\n    io 1ms\n  end\n");
  file("yield.trace", "vcpu 0\n  repeat forever\n    run 300us\n    yield\n  end\n");
  file("short.trace", "vcpu 0\n  run 2ms\n  io 1ms\n  run 1ms\n");
  models::Platform& p = build(std::string(kZeroCosts) +
                              "[platform]\ncpus = 2\n[vmm]\nscheduler = rr\n[sched.rr]\nquantum = 3ms\n"
                              "[vm.hog]\ntrace = hog.trace\n[vm.io]\ntrace = io.trace\n"
                              "[vm.yield]\ntrace = yield.trace\n[vm.short]\ntrace = short.trace\n");
  DecisionRecorder r;
  p.vmm().add_observer(&r);
  p.run(ms(60));
  using K = vmm::RequestKind;
  for (K k : {K::SliceExpiry, K::Block, K::Yield, K::Exit, K::Arrival, K::IoWake}) EXPECT_GT(r.by_kind[k], 0u) << vmm::request_name(k);
  for (std::size_t k = 0; k < vmm::kRequestKinds; ++k)
    EXPECT_EQ(r.by_kind[static_cast<K>(k)], p.vmm().requests(static_cast<K>(k))) << vmm::request_name(static_cast<K>(k));
  EXPECT_EQ(r.decisions, p.vmm().decisions()) << "every pick_next is a pCPU's request";
  EXPECT_EQ(r.dispatches, r.decisions);
  EXPECT_EQ(r.wrong_decided, 0u);
  EXPECT_EQ(r.not_done, 0u);
  EXPECT_EQ(r.wrong_next, 0u);
  EXPECT_EQ(r.wrong_requester, 0u);
}

// Watches requests and is told of no hook (overridden_hooks: none): the
// decision and the wake paths run for an observed request path all the
// same (Vmm::observed), and each request reaches it.
struct RequestCounter final : vmm::Observer {
  RequestCounter() : vmm::Observer(true, vmm::overridden_hooks<RequestCounter>()) {}
  void after_request(const vmm::Request& r, const vmm::Feedback&) override { ++by_kind[r.kind]; }
  std::map<vmm::RequestKind, std::uint64_t> by_kind;
};

TEST_F(DecisionPathTest, AWatcherOfRequestsAloneHearsEveryDecisionAndWake) {
  file("io.trace", "vcpu 0\n  repeat forever\n    run 200us\n    io 1ms\n  end\n");
  file("hog.trace", "vcpu 0\n  repeat forever\n    run 7ms\n  end\n");
  models::Platform& p = build(std::string(kZeroCosts) + "[vmm]\nscheduler = rr\n[sched.rr]\nquantum = 3ms\n"
                              "[vm.io]\ntrace = io.trace\n[vm.hog]\ntrace = hog.trace\n");
  RequestCounter counter;
  ASSERT_EQ(counter.hooks(), 0u);
  p.vmm().add_observer(&counter);
  p.run(ms(30));
  p.vmm().remove_observer(&counter);
  using K = vmm::RequestKind;
  for (K k : {K::SliceExpiry, K::Block, K::IoWake}) {
    EXPECT_GT(counter.by_kind[k], 0u) << vmm::request_name(k);
    EXPECT_EQ(counter.by_kind[k], p.vmm().requests(k)) << vmm::request_name(k);
  }
}

}  // namespace
