#include <gtest/gtest.h>

#include <utility>

#include "base/units.h"

using namespace vmmsim;

TEST(Units, DurationsConvertToCyclesOfTheClock) {
  EXPECT_EQ(parse_duration("2ms", 1000000000, nullptr), 2000000u);
  EXPECT_EQ(parse_duration("500us", 1000000000, nullptr), 500000u);
  EXPECT_EQ(parse_duration("1.5s", 2000000000, nullptr), 3000000000u);
  EXPECT_EQ(parse_duration("300ns", 2400000000, nullptr), 720u);
  EXPECT_EQ(parse_duration("1200", 1000000000, nullptr), 1200u) << "a bare number is cycles";
  EXPECT_EQ(parse_duration("7cycles", 1000000000, nullptr), 7u);
}

TEST(Units, BadDurationsSayWhatIsAllowed) {
  std::string why;
  EXPECT_FALSE(parse_duration("2 weeks", 1000000000, &why));
  EXPECT_NE(why.find("ns, us, ms, s"), std::string::npos) << why;
  EXPECT_FALSE(parse_duration("-1ms", 1000000000, &why));
  EXPECT_FALSE(parse_duration("1.5", 1000000000, &why)) << "fractional cycles";
  EXPECT_FALSE(parse_duration("99999999999999s", 4000000000, &why)) << "overflows 64-bit cycles";
  EXPECT_NE(why.find("64-bit"), std::string::npos) << why;
}

TEST(Units, BlanksAreThoseOfTheConfigReader) {
  // One blank set for every reader (base/text.h): space, tab and line ends
  // around a value; a form feed or vertical tab is a byte of it, an error.
  EXPECT_EQ(parse_duration(" \t2ms\r\n", 1000000000, nullptr), 2000000u);
  std::string why;
  EXPECT_FALSE(parse_duration("2ms\f", 1000000000, &why));
  EXPECT_FALSE(parse_duration("\v2ms", 1000000000, &why));
}

TEST(Units, SizesAndFrequencies) {
  EXPECT_EQ(parse_size("64KiB", nullptr), 65536u);
  EXPECT_EQ(parse_size("1MiB", nullptr), 1048576u);
  EXPECT_EQ(parse_size("512", nullptr), 512u);
  EXPECT_FALSE(parse_size("64kb", nullptr));
  EXPECT_EQ(parse_frequency("1GHz", nullptr), 1000000000u);
  EXPECT_EQ(parse_frequency("2.4GHz", nullptr), 2400000000u);
  EXPECT_EQ(parse_frequency("1193182Hz", nullptr), 1193182u);
  EXPECT_FALSE(parse_frequency("0Hz", nullptr));
  EXPECT_EQ(parse_integer("-20", nullptr), -20);
  EXPECT_FALSE(parse_count("-1", nullptr));
}

// SystemC counts 1 ps ticks in 64 bits: simulated time ends at 2^64 - 1 ps
// (213.5 days) at any clock; a duration may be an eighth of that.
TEST(Units, TheLongestDurationIsAnEighthOfSystemCTimeAtAnyClock) {
  EXPECT_EQ(period_ps(1000000000), 1000u);
  EXPECT_EQ(kernel_horizon(1000000000), 18446744073709551u);
  EXPECT_EQ(max_duration(1000000000), 2305843009213693u);
  EXPECT_EQ(max_duration(1000000000000), (~Cycles{0}) / 8) << "1 THz: 1 ps a cycle, the 64-bit cycle count binds";
  EXPECT_EQ(period_ps(1193182), 838095u) << "rounded to whole picoseconds, as the kernel counts a cycle";
  EXPECT_EQ(max_duration(1193182), (~std::uint64_t{0}) / 838095 / 8);
  for (Hertz clock : {Hertz{1193182}, Hertz{1000000000}, Hertz{3300000000}, Hertz{1000000000000}}) {
    const unsigned __int128 end_ps = static_cast<unsigned __int128>(max_duration(clock)) * 8 * period_ps(clock);
    EXPECT_LE(end_ps, ~std::uint64_t{0}) << clock << " Hz: until and the costs of a VM exit fit in SystemC time";
    EXPECT_GT(to_seconds(max_duration(clock), clock), 26.6 * 86400) << clock;
  }
}

TEST(Units, SimulatedDurationsStopAtTheLongestAndNameIt) {
  const Hertz clock = 1000000000;
  EXPECT_EQ(parse_simulated_duration("2305843009213693", clock, nullptr), 2305843009213693u);
  const std::string at_most = "a duration of at most 2305843009213693 cycles (2305843.009s at 1GHz)";
  std::string why;
  EXPECT_FALSE(parse_simulated_duration("2305843009213694", clock, &why));
  EXPECT_EQ(why, at_most);
  EXPECT_FALSE(parse_simulated_duration("18446744073709551615", clock, &why)) << "2^64 - 1: would wrap when added";
  EXPECT_EQ(why, at_most);
  EXPECT_FALSE(parse_simulated_duration("99999999999999999999s", clock, &why)) << "past 64 bits";
  EXPECT_EQ(why, at_most);
  EXPECT_FALSE(parse_simulated_duration("1.5", clock, &why));
  EXPECT_EQ(why, "a whole number of cycles");
}

TEST(Units, SaturatingArithmeticStopsAtForever) {
  EXPECT_EQ(saturating_add(kForever - 1, 5), kForever);
  EXPECT_EQ(saturating_add(2, 3), 5u);
  EXPECT_EQ(saturating_mul(Cycles{1} << 62, 4096), kForever);
  EXPECT_EQ(saturating_mul(300, 4096), 1228800u);
  EXPECT_EQ(saturating_mul(kForever, 0), 0u);
}

TEST(Units, TimeWindowsOfRunAndCompare) {
  auto window = [](const char* text, Hertz clock) {
    auto w = parse_time_window(text, clock);
    return w ? std::make_pair(w->from, w->to) : std::make_pair(Cycles{1}, Cycles{0});
  };
  EXPECT_EQ(window("0:100ms", 1000000000), std::make_pair(Cycles{0}, Cycles{100000000}));
  EXPECT_EQ(window("500:540ms", 1000000000), std::make_pair(Cycles{500000000}, Cycles{540000000}))
      << "a bare FROM takes TO's unit";
  EXPECT_EQ(window("1.5s:2s", 2000000000), std::make_pair(Cycles{3000000000}, Cycles{4000000000}));
  EXPECT_EQ(window("10:20", 1000000000), std::make_pair(Cycles{10}, Cycles{20})) << "bare numbers are cycles";
  EXPECT_FALSE(parse_time_window("100ms", 1000000000)) << "no colon";
  EXPECT_FALSE(parse_time_window("2ms:1ms", 1000000000)) << "TO before FROM";
  EXPECT_FALSE(parse_time_window("1ms:1ms", 1000000000)) << "an empty window";
  EXPECT_FALSE(parse_time_window("x:1ms", 1000000000));
  EXPECT_FALSE(parse_time_window(":1ms", 1000000000));
}
