#include "workload/random.h"

#include <algorithm>
#include <cmath>

namespace vmmsim::workload {
namespace {

// The longest sampled time: 2^40 ns is below the format's 2^50 cycles per step even at 1 THz.
constexpr Nanoseconds kMaxSample = Nanoseconds{1} << 40;

constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

std::uint64_t splitmix64_mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11 (fdlibm's constants).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kSqrtHalf = 0.70710678118654752440;

}  // namespace

Rng::Rng(std::uint64_t seed, std::uint64_t stream) {
  // Streams of one seed start from unrelated states.
  std::uint64_t x = splitmix64_mix(seed) ^ splitmix64_mix(stream + 0x632BE59BD9B4E019ULL);
  for (std::uint64_t& s : m_state) {
    x += kGolden;
    s = splitmix64_mix(x);
  }
  if ((m_state[0] | m_state[1] | m_state[2] | m_state[3]) == 0) m_state[0] = 1;
}

Rng Rng::from_state(std::uint64_t s0, std::uint64_t s1, std::uint64_t s2, std::uint64_t s3) {
  Rng rng;
  rng.m_state[0] = s0, rng.m_state[1] = s1, rng.m_state[2] = s2, rng.m_state[3] = s3;
  return rng;
}

std::uint64_t Rng::next() {
  std::uint64_t* s = m_state;
  const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
  const std::uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Rng::uniform_open() { return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53; }

double Rng::exponential(double mean) { return -portable_log(uniform_open()) * mean; }

double Rng::normal() {
  double u, v, s;
  do {
    u = 2 * uniform() - 1;
    v = 2 * uniform() - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  return u * std::sqrt(-2 * portable_log(s) / s);  // sqrt is exactly rounded everywhere
}

double Rng::lognormal(double mu, double sigma) { return portable_exp(mu + sigma * normal()); }

double portable_log(double x) {
  int e = 0;
  double m = std::frexp(x, &e);  // x = m * 2^e, m in [0.5, 1): exact
  if (m < kSqrtHalf) {
    m *= 2;
    --e;
  }
  // ln m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), |s| <= 0.172.
  const double s = (m - 1) / (m + 1), s2 = s * s;
  double series = 0;
  for (int k = 12; k >= 1; --k) series = (series + 1.0 / (2 * k + 1)) * s2;
  const double ln_m = 2 * s + 2 * s * series;
  return e * kLn2Hi + (e * kLn2Lo + ln_m);
}

double portable_exp(double x) {
  if (x > 709.0) return HUGE_VAL;
  if (x < -745.0) return 0.0;
  // x = k ln2 + r, |r| <= ln2 / 2; e^x = 2^k e^r.
  const double k = std::floor(x / (kLn2Hi + kLn2Lo) + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double sum = 1;
  for (int n = 20; n >= 1; --n) sum = 1 + sum * r / n;
  return std::ldexp(sum, static_cast<int>(k));
}

Nanoseconds sample_time(Rng& rng, Distribution dist, Nanoseconds mean, double sigma) {
  double x = static_cast<double>(mean);
  if (dist == Distribution::Exponential) {
    x = rng.exponential(x);
  } else if (dist == Distribution::LogNormal) {
    const double mu = portable_log(x) - sigma * sigma / 2;  // so that the mean stays `mean`
    x = rng.lognormal(mu, sigma);
  }
  if (!(x < static_cast<double>(kMaxSample))) return kMaxSample;
  return std::max<Nanoseconds>(1, static_cast<Nanoseconds>(std::floor(x + 0.5)));
}

}  // namespace vmmsim::workload
