#include <gtest/gtest.h>

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
