// EEVDF's virtual time: Linux's nice weights, cycles -> virtual time with the
// remainder carried, and V, the weighted average vruntime of the runnable
// vCPUs, kept exact in integers (kernel/sched/fair.c avg_vruntime).
#pragma once

#include <cstdint>
#include <limits>

#include "schedulers/eevdf_deadline_trees.h"
#include "schedulers/policy.h"

namespace vmmsim::sched::eevdf {

constexpr std::int64_t kNice0Load = 1024;  // NICE_0_LOAD
constexpr std::int64_t kNiceMin = -20;
constexpr std::int64_t kNiceMax = 19;
// kernel/sched/core.c sched_prio_to_weight: each nice step is about x1.25.
constexpr std::int64_t kNiceWeight[kNiceMax - kNiceMin + 1] = {
    /* -20 */ 88761, 71755, 56483, 46273, 36291,
    /* -15 */ 29154, 23254, 18705, 14949, 11916,
    /* -10 */ 9548,  7620,  6100,  4904,  3906,
    /*  -5 */ 3121,  2501,  1991,  1586,  1277,
    /*   0 */ 1024,  820,   655,   526,   423,
    /*   5 */ 335,   272,   215,   172,   137,
    /*  10 */ 110,   87,    70,    56,    45,
    /*  15 */ 36,    29,    23,    18,    15,
};
// Cycles below this times 1024 (plus a remainder) fit 64 bits: 52 days at 1 GHz.
constexpr Cycles kFits64 = Cycles{1} << 52;

// floor(a / b) for b > 0 (C++ division truncates toward zero).
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

// calc_delta_fair: cycles -> virtual time for a weight.
inline VirtualTime to_virtual(Cycles cycles, std::int64_t weight) {
  if (cycles < kFits64) return static_cast<VirtualTime>(cycles) * kNice0Load / weight;
  return static_cast<VirtualTime>(static_cast<__int128>(cycles) * kNice0Load / weight);
}

// ran * 1024 / weight plus the remainder carried in; *remainder is the one
// carried out, so that charging in any steps loses nothing.
inline VirtualTime advance_by(std::int64_t weight, std::int64_t carried, Cycles ran,
                              std::int64_t* remainder) {
  if (ran < kFits64) {
    std::int64_t num = static_cast<std::int64_t>(ran) * kNice0Load + carried;
    *remainder = num % weight;
    return num / weight;
  }
  __int128 num = static_cast<__int128>(ran) * kNice0Load + carried;
  *remainder = static_cast<std::int64_t>(num % weight);
  return static_cast<VirtualTime>(num / weight);
}

// V = zero + sum / load over the runnable vCPUs (running ones too), where
// sum = Σ w (v - zero) and load = Σ w. The zero point follows V (Linux's
// zero_vruntime) so that the sum stays within a lag bound of 0. `lazy` is
// what charging the running vCPUs up to the last event would add to the sum
// (eevdf.cpp's sync()): it is counted in, never stored in `sum`.
class AverageVruntime {
 public:
  std::int64_t load() const { return m_load; }
  std::int64_t sum() const { return m_sum + m_lazy; }
  VirtualTime zero() const { return m_zero; }

  void set_lazy(std::int64_t lazy) { m_lazy = lazy; }
  void add_lazy(std::int64_t delta) { m_lazy += delta; }

  void count_in(std::int64_t weight, VirtualTime vruntime) {
    m_sum += weight * (vruntime - m_zero);
    m_load += weight;
  }
  void count_out(std::int64_t weight, VirtualTime vruntime) {
    m_sum -= weight * (vruntime - m_zero);
    m_load -= weight;
  }
  // A runnable vCPU of `weight` advanced by dv.
  void advanced(std::int64_t weight, VirtualTime dv) { m_sum += weight * dv; }

  // V rounded down, without moving the zero point.
  VirtualTime floor() const { return m_load > 0 ? m_zero + floor_div(sum(), m_load) : m_zero; }

  // V, with the zero point moved onto it.
  VirtualTime settle() {
    if (m_load > 0) {
      std::int64_t delta = floor_div(sum(), m_load);
      m_sum -= delta * m_load;
      m_zero += delta;
    }
    return m_zero;
  }

  // settle(), and limit() without a division: after settling, 0 <= sum < load.
  VirtualTime settle_limit() {
    settle();
    return m_load > 0 ? m_zero : std::numeric_limits<VirtualTime>::max();
  }

  // The latest eligible vruntime: v is eligible (vruntime_eligible: lag >= 0,
  // i.e. (v - zero) * load <= sum, exact) exactly when v <= limit()
  // (iff v - zero <= floor(sum / load), load > 0). One division for a pick's
  // every comparison, no 128-bit product each.
  VirtualTime limit() const {
    return m_load > 0 ? m_zero + floor_div(sum(), m_load) : std::numeric_limits<VirtualTime>::max();
  }

 private:
  VirtualTime m_zero = 0;
  std::int64_t m_sum = 0;
  std::int64_t m_load = 0;
  std::int64_t m_lazy = 0;
};

}  // namespace vmmsim::sched::eevdf
