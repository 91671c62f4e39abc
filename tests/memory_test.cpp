// The scheduler-image area and the cache refill model.
#include "devices/memory.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace vmmsim::devices {
namespace {

const CycleClock kClock(1000000000);

MemoryConfig config() {
  MemoryConfig c;
  c.image_area = 64 * 1024;
  c.load_bytes_per_cycle = 8;
  c.load_latency = 2000;
  c.refill_bytes_per_cycle = 32;
  c.remote_refill_bytes_per_cycle = 8;
  return c;
}

TEST(Memory, LoadCostIsBandwidthPlusLatency) {
  Memory memory("memory", kClock, config());
  EXPECT_EQ(memory.load_cycles(16 * 1024), 2048u + 2000u);
  EXPECT_EQ(memory.load_cycles(16 * 1024 + 1), 2049u + 2000u) << "a partial beat costs a cycle";
  EXPECT_EQ(memory.load_cycles(0), 2000u);

  MemoryConfig instant = config();
  instant.load_bytes_per_cycle = 0;
  EXPECT_EQ(Memory("instant", kClock, instant).load_cycles(1 << 20), 2000u) << "0 bandwidth: latency only";
}

TEST(Memory, ImageAreaRefusesWhatDoesNotFit) {
  Memory memory("memory", kClock, config());
  EXPECT_EQ(memory.capacity(), 65536u);
  auto a = memory.allocate(40 * 1024);
  ASSERT_TRUE(a);
  EXPECT_EQ(memory.used(), 40u * 1024);
  EXPECT_FALSE(memory.allocate(24 * 1024 + 1)) << "one byte too many";
  auto b = memory.allocate(24 * 1024);
  ASSERT_TRUE(b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(memory.used(), memory.capacity());
  EXPECT_FALSE(memory.allocate(1));
}

TEST(Memory, ReleaseMakesRoom) {
  Memory memory("memory", kClock, config());
  auto a = memory.allocate(60 * 1024);
  ASSERT_TRUE(a);
  EXPECT_FALSE(memory.allocate(8 * 1024));
  memory.release(*a);
  EXPECT_EQ(memory.used(), 0u);
  EXPECT_TRUE(memory.allocate(8 * 1024));
  EXPECT_THROW(memory.release(*a), std::logic_error) << "double release is a VMM bug";
}

TEST(Memory, RefillCostsMoreAfterMigration) {
  Memory memory("memory", kClock, config());
  EXPECT_EQ(memory.refill_cycles(256 * 1024, false), 8192u);
  EXPECT_EQ(memory.refill_cycles(256 * 1024, true), 32768u);
  EXPECT_EQ(memory.refill_cycles(33, false), 2u);
  EXPECT_EQ(memory.refill_cycles(0, true), 0u);

  MemoryConfig free_refill = config();
  free_refill.refill_bytes_per_cycle = 0;
  free_refill.remote_refill_bytes_per_cycle = 0;
  EXPECT_EQ(Memory("free_refill", kClock, free_refill).refill_cycles(1 << 20, true), 0u);
}

}  // namespace
}  // namespace vmmsim::devices
