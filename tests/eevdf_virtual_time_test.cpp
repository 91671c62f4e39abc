// eevdf's V (schedulers/eevdf_virtual_time.h): limit(), and settle_limit()
// (no division: a settled sum lies in [0, load)), give exactly Linux's
// eligibility, lag >= 0 computed as sum >= (v - zero) * load in 128 bits,
// under random joins, leaves, advances and lazy shares, with ties at V.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "schedulers/eevdf_virtual_time.h"

namespace vmmsim::sched::eevdf {
namespace {

struct Member {
  std::int64_t weight;
  VirtualTime vruntime;
};

// The reference: vruntime_eligible, exact in 128 bits.
bool eligible(const AverageVruntime& v, VirtualTime x) {
  return v.load() == 0 ||
         static_cast<__int128>(v.sum()) >= static_cast<__int128>(x - v.zero()) * v.load();
}

TEST(AverageVruntime, LimitsAreExactlyTheEligibleVruntimes) {
  std::mt19937_64 rng(17);
  AverageVruntime v;
  std::vector<Member> in;
  for (int step = 0; step < 100000; ++step) {
    const unsigned op = rng() % 4;
    if (op == 0 || in.empty()) {
      const Member m{kNiceWeight[rng() % std::size(kNiceWeight)],
                     static_cast<VirtualTime>(rng() % 2'000'000) - 1'000'000 + v.zero()};
      v.count_in(m.weight, m.vruntime);
      in.push_back(m);
    } else if (op == 1) {
      const std::size_t i = rng() % in.size();
      v.count_out(in[i].weight, in[i].vruntime);
      in[i] = in.back();
      in.pop_back();
    } else if (op == 2) {
      Member& m = in[rng() % in.size()];
      const VirtualTime dv = static_cast<VirtualTime>(rng() % 50'000);
      v.advanced(m.weight, dv);
      m.vruntime += dv;
    } else {
      v.set_lazy(static_cast<std::int64_t>(rng() % 10'000'000));
    }
    const VirtualTime limit = v.limit();
    // Around V, where eligibility flips, and at V's floor itself.
    const VirtualTime at = v.floor();
    for (VirtualTime x = at - 3; x <= at + 3; ++x)
      ASSERT_EQ(x <= limit, eligible(v, x)) << "step " << step << " x " << x;
    if (step % 3 == 0) {
      const VirtualTime settled = v.settle_limit();
      ASSERT_EQ(settled, limit) << "step " << step;
      for (VirtualTime x = at - 3; x <= at + 3; ++x)
        ASSERT_EQ(x <= settled, eligible(v, x)) << "step " << step << " x " << x;
      if (v.load() > 0) {
        ASSERT_GE(v.sum(), 0);
        ASSERT_LT(v.sum(), v.load());
      }
    }
  }
}

}  // namespace
}  // namespace vmmsim::sched::eevdf
