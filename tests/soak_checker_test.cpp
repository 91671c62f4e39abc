// The soak's invariant checker passes a sound run and catches a broken one,
// naming the event after which the invariant broke.
#include "soak/invariants.h"
#include "tests/sim_fixture.h"

using namespace vmmsim;

namespace {

class SoakCheckerTest : public vmmsim::testing::SimTest {
 protected:
  void start() {
    file("writer.trace", "vcpu 0\n  repeat forever\n    run 100us\n    console 10\n    io 200us\n  end\n");
    file("hog.trace", "vcpu 0\n  repeat forever\n    run 1ms\n  end\n");
    build("[platform]\ncpus = 2\n[vm.w]\ntrace = writer.trace\nvcpus = 2\n[vm.h]\ntrace = hog.trace\n"
          "[run]\nswap = 3ms:bvt 6ms:unload\n");
    m_checker = std::make_unique<soak::InvariantChecker>("checker", *m_platform, 10007);
  }
  std::unique_ptr<soak::InvariantChecker> m_checker;
};

TEST_F(SoakCheckerTest, ASoundRunHasNoViolation) {
  start();
  m_platform->run(ms(10));
  m_checker->at_end();
  EXPECT_TRUE(m_checker->ok()) << m_checker->violations().front().event << ": "
                               << m_checker->violations().front().what;
  EXPECT_GT(m_checker->checks(), 10000u);
  EXPECT_EQ(m_platform->results().replacements.size(), 2u);
}

TEST_F(SoakCheckerTest, ConsoleBytesNoGuestWroteAreCaught) {
  start();
  m_platform->run(ms(1));
  ASSERT_TRUE(m_checker->ok());
  // Bytes that enter the FIFO without any guest's console step.
  m_platform->console().write(3);
  m_platform->run(ms(1));
  ASSERT_FALSE(m_checker->ok());
  const soak::Violation& v = m_checker->violations().front();
  EXPECT_NE(v.what.find("console bytes"), std::string::npos) << v.what;
  EXPECT_NE(v.event.find("request #"), std::string::npos) << v.event;
  EXPECT_LT(m_platform->clock().now(), ms(2)) << "the first violation stops the run";
}

TEST_F(SoakCheckerTest, AVcpuTheSchedulerDroppedIsCaught) {
  start();
  m_platform->run(ms(1));
  ASSERT_TRUE(m_checker->ok());
  // The active scheduler (rr) forgets the hog, vCPU 2, behind the VMM's back.
  const vmm::SchedulerSlot& active = m_platform->manager().active();
  active.image.ops->remove(active.instance, 2, m_platform->clock().now());
  m_platform->run(ms(1));
  ASSERT_FALSE(m_checker->ok());
  EXPECT_EQ(m_checker->violations().front().what.rfind("rr lost vCPU 2", 0), 0u) << m_checker->violations().front().what;
}

}  // namespace
