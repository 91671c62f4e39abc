// The UART-like console at 115200 baud on a 1 GHz clock: one 8N1 frame is
// ceil(1e9 * 10 / 115200) = 86806 cycles.
#include "devices/console.h"

#include <gtest/gtest.h>

#include <functional>
#include <systemc>
#include <utility>
#include <vector>

#include "sim/cycle_clock.h"

namespace vmmsim::devices {
namespace {

constexpr Cycles kByte = 86806;

// The console, a script that plays the VMM's calls at given cycles, and
// records of what the console reported and when.
class ConsoleBench : public sc_core::sc_module {
 public:
  CycleClock clock{1000000000};
  Console console;
  std::function<void(ConsoleBench&)> script;
  std::vector<std::pair<Cycles, Bytes>> rx;              // (cycle, bytes) per on_rx
  std::vector<Cycles> tx_space;                          // cycle of each on_tx_space
  std::vector<std::pair<Cycles, std::uint32_t>> levels;  // fifo_level changes
  std::vector<std::pair<Cycles, Console::Retirement>> retirements;

  ConsoleBench(sc_core::sc_module_name name, Bytes fifo)
      : sc_module(name), console("console", clock, kByte, fifo) {
    console.on_rx = [this](Bytes n, std::uint32_t) { rx.emplace_back(clock.now(), n); };
    console.on_tx_space = [this] { tx_space.push_back(clock.now()); };
    SC_HAS_PROCESS(ConsoleBench);
    SC_METHOD(watch_level);
    sensitive << console.fifo_level;
    dont_initialize();
    SC_THREAD(play);
  }

  void until(Cycles cycle) {
    if (cycle > clock.now()) wait(clock.span(cycle - clock.now()));
  }
  void retire() {
    console.retire([this](Console::Retirement r) { retirements.emplace_back(clock.now(), r); });
  }
  void run_to(Cycles cycle) { sc_core::sc_start(clock.span(cycle)); }

 private:
  void watch_level() { levels.emplace_back(clock.now(), console.fifo_level.read()); }
  void play() {
    if (script) script(*this);
  }
};

TEST(Console, DrainsOneByteEveryFrame) {
  ConsoleBench bench("bench", 16);
  bench.script = [](ConsoleBench& b) {
    EXPECT_EQ(b.console.write(16), 16u);
    b.until(16 * kByte - 1);
    EXPECT_EQ(b.console.level(), 1u) << "the last byte is still being shifted out";
    EXPECT_EQ(b.console.bytes_transmitted(), 15u);
    b.until(16 * kByte);
    EXPECT_EQ(b.console.level(), 0u);
    EXPECT_EQ(b.console.bytes_transmitted(), 16u);
  };
  bench.run_to(20 * kByte);
  EXPECT_EQ(bench.console.bytes_written(), 16u);
  EXPECT_TRUE(bench.tx_space.empty()) << "no writer was refused";
  // Untraced, the drain costs no event per byte.
  EXPECT_LT(sc_core::sc_delta_count(), 10u);
}

TEST(Console, TracedLevelChangesAtEachByteBoundary) {
  ConsoleBench bench("bench", 16);
  bench.console.trace_level(true);
  bench.script = [](ConsoleBench& b) {
    b.until(1000);
    b.console.write(5);
  };
  bench.run_to(10 * kByte);
  std::vector<std::pair<Cycles, std::uint32_t>> expected{{1000, 5}};
  for (Cycles k = 1; k <= 5; ++k) expected.emplace_back(1000 + k * kByte, 5 - k);
  EXPECT_EQ(bench.levels, expected);
}

TEST(Console, FullFifoAcceptsPartlyAndSignalsSpacePerByte) {
  ConsoleBench bench("bench", 4);
  Bytes remaining = 10;
  bench.script = [&remaining](ConsoleBench& b) {
    remaining -= b.console.write(remaining);
    EXPECT_EQ(remaining, 6u) << "only the free space is accepted";
  };
  // The blocked writer retries whenever space frees, as the VMM does.
  bench.console.on_tx_space = [&bench, &remaining] {
    bench.tx_space.push_back(bench.clock.now());
    remaining -= bench.console.write(remaining);
  };
  bench.run_to(12 * kByte);

  EXPECT_EQ(remaining, 0u);
  std::vector<Cycles> expected;
  for (Cycles k = 1; k <= 6; ++k) expected.push_back(k * kByte);
  EXPECT_EQ(bench.tx_space, expected) << "space frees when a byte's frame completes";
  EXPECT_EQ(bench.console.bytes_written(), 10u);
  EXPECT_EQ(bench.console.bytes_transmitted(), 10u);
}

TEST(Console, ReceivedBytesAreDeliveredWhenTheirFrameCompletes) {
  ConsoleBench bench("bench", 16);
  bench.script = [](ConsoleBench& b) {
    b.until(1000);
    b.console.input(3);
    b.until(200000);
    b.console.input(1);  // queued behind the third byte on the line
    EXPECT_EQ(b.console.bytes_received(), 2u);
  };
  bench.run_to(400000);
  using Rx = std::vector<std::pair<Cycles, Bytes>>;
  EXPECT_EQ(
      bench.rx,
      (Rx{{1000 + kByte, 1}, {1000 + 2 * kByte, 1}, {1000 + 3 * kByte, 1}, {1000 + 4 * kByte, 1}}));
  EXPECT_EQ(bench.console.bytes_received(), 4u);
  EXPECT_EQ(bench.console.bytes_delivered(), 4u);
}

TEST(Console, FocusIsPublishedOnItsSignal) {
  ConsoleBench bench("bench", 16);
  bench.console.set_focus(2);  // from the configuration, before the simulation
  bench.script = [](ConsoleBench& b) {
    b.until(10);
    EXPECT_EQ(b.console.focus_signal.read(), 2u);
    b.console.set_focus(5);
    EXPECT_EQ(b.console.focus(), 5u);
    b.until(20);
    EXPECT_EQ(b.console.focus_signal.read(), 5u);
  };
  bench.run_to(100);
}

TEST(Console, RetireDrainsTxAndReportsExactCycles) {
  ConsoleBench bench("bench", 16);
  bench.script = [](ConsoleBench& b) {
    EXPECT_EQ(b.console.write(4), 4u);  // the line is idle again at 4 * 86806 = 347224
    b.until(100000);                    // 3 bytes left: the one in the shift register counts
    b.retire();
    EXPECT_EQ(b.console.write(2), 0u) << "writes are refused while retiring";
    b.until(347224);
    EXPECT_EQ(b.console.write(1), 0u) << "and after the drain, until resume()";
    b.until(400000);
    b.console.resume();
    EXPECT_EQ(b.console.write(2), 2u);
  };
  bench.run_to(700000);

  ASSERT_EQ(bench.retirements.size(), 1u);
  EXPECT_EQ(bench.retirements[0].first, 347224u);
  EXPECT_EQ(bench.retirements[0].second.tx_bytes, 3u);
  EXPECT_EQ(bench.retirements[0].second.rx_bytes, 0u);
  EXPECT_EQ(bench.retirements[0].second.cycles, 247224u);
  // The writers refused while retired hear of space once traffic resumes.
  EXPECT_EQ(bench.tx_space, (std::vector<Cycles>{400000}));
  EXPECT_EQ(bench.console.bytes_written(), 6u);
  EXPECT_EQ(bench.console.bytes_transmitted(), 6u);
}

TEST(Console, RetireWithNothingInFlightCompletesInZeroCycles) {
  ConsoleBench bench("bench", 16);
  bench.script = [](ConsoleBench& b) {
    b.until(5000);
    b.retire();
    EXPECT_TRUE(b.retirements.empty()) << "done must not be called from inside retire()";
    b.until(5001);
    EXPECT_EQ(b.retirements.size(), 1u);
  };
  bench.run_to(10000);
  ASSERT_EQ(bench.retirements.size(), 1u);
  EXPECT_EQ(bench.retirements[0].first, 5000u);
  EXPECT_EQ(bench.retirements[0].second.tx_bytes, 0u);
  EXPECT_EQ(bench.retirements[0].second.rx_bytes, 0u);
  EXPECT_EQ(bench.retirements[0].second.cycles, 0u);
}

TEST(Console, RetireDeliversRxInFlightAndHoldsLaterInput) {
  ConsoleBench bench("bench", 16);
  bench.script = [](ConsoleBench& b) {
    b.console.input(2);  // frames complete at 86806 and 173612
    b.console.write(3);  // TX idle at 260418
    b.until(50000);
    b.retire();
    b.until(100000);
    b.console.input(1);  // completes at 260418, after the retired bytes
    b.until(300000);
    EXPECT_EQ(b.console.bytes_received(), 3u);
    EXPECT_EQ(b.console.bytes_delivered(), 2u) << "input typed during retirement is held";
    b.console.resume();
  };
  bench.run_to(400000);

  ASSERT_EQ(bench.retirements.size(), 1u);
  EXPECT_EQ(bench.retirements[0].first, 260418u);
  EXPECT_EQ(bench.retirements[0].second.tx_bytes, 3u);
  EXPECT_EQ(bench.retirements[0].second.rx_bytes, 2u);
  EXPECT_EQ(bench.retirements[0].second.cycles, 210418u);
  // Both in-flight bytes in one delivery at the end of the retirement, the
  // held one at resume().
  using Rx = std::vector<std::pair<Cycles, Bytes>>;
  EXPECT_EQ(bench.rx, (Rx{{260418, 2}, {300000, 1}}));
}

// A writer streams bytes in uneven chunks, blocking whenever the FIFO is
// full, while the console is retired twice mid-stream.
TEST(Console, NoByteIsLostOrDoubledAcrossRetirements) {
  ConsoleBench bench("bench", 16);
  sc_core::sc_event space;
  bench.console.on_tx_space = [&space] { space.notify(); };
  constexpr Bytes kTotal = 1000;
  Bytes accepted = 0, retired_tx = 0;
  bench.script = [&](ConsoleBench& b) {
    for (int chunk = 1; accepted < kTotal; chunk = chunk % 37 + 5) {
      Bytes want = std::min<Bytes>(chunk, kTotal - accepted);
      while (want > 0) {
        Bytes n = b.console.write(want);
        accepted += n;
        want -= n;
        if (want > 0) wait(space);
      }
    }
  };
  bench.run_to(100 * kByte);
  for (int round = 0; round < 2; ++round) {
    bench.retire();
    bench.run_to(20 * kByte);  // the 16-byte FIFO drains within this
    ASSERT_EQ(bench.retirements.size(), static_cast<std::size_t>(round + 1));
    retired_tx += bench.retirements.back().second.tx_bytes;
    EXPECT_EQ(bench.console.level(), 0u);
    bench.console.resume();
    bench.run_to(300 * kByte);
  }
  bench.run_to(kTotal * kByte);

  EXPECT_EQ(accepted, kTotal);
  EXPECT_EQ(bench.console.bytes_written(), kTotal);
  EXPECT_EQ(bench.console.bytes_transmitted(), kTotal);
  EXPECT_EQ(bench.console.level(), 0u);
  EXPECT_GT(retired_tx, 0u);
  EXPECT_LE(retired_tx, 32u);
}

}  // namespace
}  // namespace vmmsim::devices
