// Deterministic random numbers for the trace generators: the same seed gives
// the same trace on every machine, compiler and C library (no std::*
// distributions, no libm in the sampling path).
#pragma once

#include <cstdint>

namespace vmmsim::workload {

// Generated traces give times in ns/us/ms, so they hold at any platform clock.
using Nanoseconds = std::uint64_t;

// How a sampled time is drawn around its mean.
enum class Distribution {
  Fixed,        // always the mean
  Exponential,  // -ln(U) * mean
  LogNormal,    // exp(mu + sigma * Z), mu = ln(mean) - sigma^2 / 2, so its mean is the mean
};

// xoshiro256** seeded through splitmix64: the same (seed, stream) gives the
// same sequence everywhere. Each vCPU draws from its own stream.
class Rng {
 public:
  explicit Rng(std::uint64_t seed, std::uint64_t stream = 0);
  // A raw xoshiro256** state (not all zero), to check against the reference outputs.
  static Rng from_state(std::uint64_t s0, std::uint64_t s1, std::uint64_t s2, std::uint64_t s3);
  std::uint64_t next();
  double uniform();       // [0, 1), 53 random bits
  double uniform_open();  // (0, 1]: safe to take the log of
  double exponential(double mean);
  double normal();  // standard normal, Marsaglia's polar form of Box-Muller
  double lognormal(double mu, double sigma);

 private:
  Rng() = default;
  std::uint64_t m_state[4] = {1, 0, 0, 0};
};

// ln and e^x from + - * / alone, so their results do not depend on the C
// library (relative error below 1e-15). portable_log needs x > 0.
double portable_log(double x);
double portable_exp(double x);

// One sampled time, rounded to whole ns and clamped to [1ns, 2^40 ns] so
// that every step takes time and stays within the format's step limit.
Nanoseconds sample_time(Rng& rng, Distribution dist, Nanoseconds mean, double sigma);

}  // namespace vmmsim::workload
