// Intel 8254 channel 0, programmed through its ports as the VMM does it.
// Expected cycles are hand-computed: PIT tick k falls on cycle
// ceil(k * cpu_hz / 1193182), and counting starts at the first tick after
// the reload value is written (tick 1 for a write at cycle 0).
#include "devices/pit.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <systemc>
#include <vector>

#include "base/output_file.h"
#include "report/vcd_writer.h"
#include "sim/cycle_clock.h"

namespace vmmsim::devices {
namespace {

constexpr std::uint16_t kControl = 0x43;
constexpr std::uint16_t kCounter0 = 0x40;

// The PIT, the IRQ0 line it drives, a monitor of that line and a script that
// plays the VMM's port accesses at given cycles.
class PitBench : public sc_core::sc_module {
 public:
  CycleClock clock;
  Pit pit;
  sc_core::sc_signal<bool> irq0{"irq0", true};  // OUT is high until programmed
  std::vector<Cycles> rising;                   // cycles of OUT's rising edges
  std::vector<Cycles> falling;                  // cycles of OUT's falling edges
  std::function<void(PitBench&)> script;

  PitBench(sc_core::sc_module_name name, Hertz hz) : sc_module(name), clock(hz), pit("pit", clock) {
    pit.out(irq0);
    SC_HAS_PROCESS(PitBench);
    SC_METHOD(watch_irq0);
    sensitive << irq0;
    dont_initialize();
    SC_THREAD(play);
  }

  // Waits in the script until the given cycle (not before now).
  void until(Cycles cycle) {
    if (cycle > clock.now()) wait(clock.span(cycle - clock.now()));
  }
  // Programs channel 0 with a control word and a 16-bit reload, lobyte first.
  void program(std::uint8_t control, std::uint32_t reload) {
    pit.io_write(kControl, control);
    pit.io_write(kCounter0, reload & 0xff);
    pit.io_write(kCounter0, (reload >> 8) & 0xff);
  }
  void run_to(Cycles cycle) { sc_core::sc_start(clock.span(cycle)); }

 private:
  void watch_irq0() { (irq0.read() ? rising : falling).push_back(clock.now()); }
  void play() {
    if (script) script(*this);
  }
};

constexpr std::uint8_t kMode2Word = 0x34;  // channel 0, lobyte/hibyte, mode 2, binary
constexpr std::uint8_t kMode3Word = 0x36;  // channel 0, lobyte/hibyte, mode 3, binary

TEST(Pit, RateGeneratorRaisesIrq0AtExactCycles) {
  PitBench bench("bench", 1000000000);
  bench.script = [](PitBench& b) { b.program(kMode2Word, 1193); };
  bench.run_to(10000000);

  // Rising edge k at tick 1 + 1193k.
  ASSERT_GE(bench.rising.size(), 10u);
  EXPECT_EQ(bench.rising[0], 1000686u) << "first IRQ0 not at tick 1194";
  EXPECT_EQ(bench.rising[1], 2000534u);
  EXPECT_EQ(bench.rising[2], 3000381u);
  EXPECT_EQ(bench.rising[9], 9999313u);
  EXPECT_EQ(bench.rising.size(), 10u);
  EXPECT_EQ(bench.pit.irq_edges(), 10u);
  EXPECT_EQ(bench.pit.period_cycles(), 999847u);
  // Event-driven: a handful of delta cycles per edge, not one per PIT tick.
  EXPECT_LT(sc_core::sc_delta_count(), 100u);
}

TEST(Pit, RateGeneratorPulsesLowForOneInputClock) {
  PitBench bench("bench", 1000000000);
  bench.script = [](PitBench& b) { b.program(kMode2Word, 1193); };
  bench.run_to(2100000);

  // OUT falls when the count reaches 1 (tick 1193) and rises at the reload.
  ASSERT_EQ(bench.falling.size(), 2u);
  ASSERT_EQ(bench.rising.size(), 2u);
  EXPECT_EQ(bench.falling[0], 999848u);
  EXPECT_EQ(bench.falling[1], 1999695u);
  for (int k = 0; k < 2; ++k) {
    Cycles low = bench.rising[k] - bench.falling[k];
    // One input clock is 838.095 cycles at 1 GHz.
    EXPECT_TRUE(low == 838 || low == 839) << "low for " << low << " cycles";
  }
}

TEST(Pit, SquareWaveOddReloadIsHighOneClockLonger) {
  PitBench bench("bench", 1000000000);
  bench.script = [](PitBench& b) { b.program(kMode3Word, 1193); };
  bench.run_to(2100000);

  // High for 597 ticks (1..598), low for 596 (598..1194).
  ASSERT_EQ(bench.falling.size(), 2u);
  ASSERT_EQ(bench.rising.size(), 2u);
  EXPECT_EQ(bench.falling[0], 501181u);
  EXPECT_EQ(bench.rising[0], 1000686u);
  EXPECT_EQ(bench.falling[1], 1501029u);
  EXPECT_EQ(bench.rising[1], 2000534u);
  // The rising edges (IRQ0) are at the same cycles as in mode 2.
  EXPECT_EQ(bench.pit.irq_edges(), 2u);
}

TEST(Pit, SquareWaveEvenReloadHasEqualHalves) {
  PitBench bench("bench", 1000000000);
  bench.script = [](PitBench& b) {
    b.program(kMode3Word, 1000);
    b.until(1000000);
    EXPECT_TRUE(b.pit.output()) << "OUT should be high in the first half of the second period";
  };
  bench.run_to(1700000);

  EXPECT_EQ(bench.falling, (std::vector<Cycles>{419886, 1257981}));
  EXPECT_EQ(bench.rising, (std::vector<Cycles>{838934, 1677029}));
}

TEST(Pit, CounterLatchHoldsTheCountUntilRead) {
  PitBench bench("bench", 1000000000);
  bench.script = [](PitBench& b) {
    b.program(kMode2Word, 1193);
    b.until(100000);  // tick 119: 118 ticks after the load, count 1193 - 118
    b.pit.io_write(kControl, 0x00);
    b.until(200000);  // tick 238: the live count is 1193 - 237 = 956
    EXPECT_EQ(b.pit.io_read(kCounter0), 1075 & 0xff);
    EXPECT_EQ(b.pit.io_read(kCounter0), 1075 >> 8);
    // The latch is consumed: the next reads are live, lobyte then hibyte.
    EXPECT_EQ(b.pit.io_read(kCounter0), 956 & 0xff);
    EXPECT_EQ(b.pit.io_read(kCounter0), 956 >> 8);
    EXPECT_EQ(b.pit.count(), 956);
  };
  bench.run_to(300000);
}

TEST(Pit, SquareWaveCountsDownByTwo) {
  PitBench bench("bench", 1000000000);
  bench.script = [](PitBench& b) {
    b.program(kMode3Word, 1000);
    b.until(100000);  // tick 119, 118 ticks in: high half
    EXPECT_EQ(b.pit.count(), 1000 - 2 * 118);
    b.until(500000);  // tick 596, 95 ticks into the low half
    EXPECT_EQ(b.pit.count(), 1000 - 2 * 95);
    EXPECT_FALSE(b.pit.output());
    // Odd reload: N, N-1, N-3, ... in the high half.
    b.program(kMode3Word, 1193);  // at tick 596: loads at tick 597
    b.until(501181);              // tick 598
    EXPECT_EQ(b.pit.count(), 1192);
    b.until(502019);  // tick 599
    EXPECT_EQ(b.pit.count(), 1190);
  };
  bench.run_to(600000);
}

TEST(Pit, FasterCpuClockGivesProportionalCycles) {
  PitBench bench("bench", 2000000000);
  bench.script = [](PitBench& b) { b.program(kMode2Word, 1193); };
  bench.run_to(6100000);

  EXPECT_EQ(bench.rising, (std::vector<Cycles>{2001372, 4001067, 6000761}));
  EXPECT_EQ(bench.pit.period_cycles(), 1999695u);
}

TEST(Pit, ReloadZeroCountsFrom65536) {
  PitBench bench("bench", 1000000000);
  bench.script = [](PitBench& b) {
    b.program(kMode2Word, 0);
    b.until(1000);  // tick 1: just loaded
    EXPECT_EQ(b.pit.count(), 0) << "65536 reads back as 0";
    b.until(2000);  // tick 2
    EXPECT_EQ(b.pit.count(), 65535);
  };
  bench.run_to(110000000);

  EXPECT_EQ(bench.rising, (std::vector<Cycles>{54926240, 109851641}));
  EXPECT_EQ(bench.falling.front(), 54925402u);
}

TEST(Pit, LobyteOnlyAccessAndLoadAtTheNextInputClock) {
  PitBench bench("bench", 1000000000);
  bench.script = [](PitBench& b) {
    b.until(5000);                             // tick 5, so the count loads at tick 6
    b.pit.io_write(kControl, 0x14);            // RW=01 lobyte only, mode 2
    b.pit.io_write(kCounter0, 100);            // complete: hibyte is 0
    EXPECT_EQ(b.pit.io_read(kCounter0), 100);  // not loaded yet: reads the reload
  };
  bench.run_to(200000);
  // Rising edges at ticks 106, 206: ceil(106e9 / 1193182), ceil(206e9 / 1193182).
  EXPECT_EQ(bench.rising, (std::vector<Cycles>{88839, 172648}));
}

TEST(Pit, HibyteOnlyAccess) {
  PitBench bench("bench", 1000000000);
  bench.script = [](PitBench& b) {
    b.pit.io_write(kControl, 0x24);  // RW=10 hibyte only, mode 2
    b.pit.io_write(kCounter0, 0x04);
  };
  bench.run_to(900000);
  EXPECT_EQ(bench.pit.period_cycles(), 858209u);           // 1024 ticks
  EXPECT_EQ(bench.rising, (std::vector<Cycles>{859048}));  // tick 1025
}

TEST(Pit, OtherChannelsAreIgnoredAndModesAlias) {
  PitBench bench("bench", 1000000000);
  bench.script = [](PitBench& b) {
    b.pit.io_write(kControl, 0x3c);  // mode 6 is mode 2
    b.pit.io_write(kCounter0, 1193 & 0xff);
    b.pit.io_write(kCounter0, 1193 >> 8);
    EXPECT_EQ(b.pit.mode(), 2u);
    b.pit.io_write(kControl, 0xb6);  // channel 2, mode 3: not modelled
    b.pit.io_write(0x42, 0x12);
    b.pit.io_write(0x42, 0x34);
    b.pit.io_write(kControl, 0xc2);  // read-back command: ignored
    EXPECT_EQ(b.pit.io_read(0x42), 0xff);
    EXPECT_EQ(b.pit.mode(), 2u);
  };
  bench.run_to(2100000);
  EXPECT_EQ(bench.rising, (std::vector<Cycles>{1000686, 2000534}));
}

TEST(Pit, UnsupportedModeStopsTheChannelWithOutHigh) {
  PitBench bench("bench", 1000000000);
  bench.script = [](PitBench& b) {
    b.program(kMode3Word, 1193);
    b.until(600000);  // in the low half
    EXPECT_FALSE(b.pit.output());
    b.program(0x30, 1193);  // mode 0 (interrupt on terminal count): not modelled
    EXPECT_FALSE(b.pit.counting());
    EXPECT_TRUE(b.pit.output());
  };
  bench.run_to(3000000);
  // OUT fell at 501181 and rose when the control word stopped the channel.
  EXPECT_EQ(bench.falling, (std::vector<Cycles>{501181}));
  EXPECT_EQ(bench.rising, (std::vector<Cycles>{600000}));
  EXPECT_EQ(bench.pit.period_cycles(), 0u);
}

TEST(Pit, ReprogrammingRestartsCounting) {
  PitBench bench("bench", 1000000000);
  bench.script = [](PitBench& b) {
    b.program(kMode2Word, 1193);
    b.until(1500000);  // tick 1789: loads the new count at tick 1790
    b.program(kMode2Word, 100);
  };
  bench.run_to(1700000);
  // 1000686 from the first count, then ticks 1890 and 1990.
  EXPECT_EQ(bench.rising, (std::vector<Cycles>{1000686, 1584000, 1667810}));
}

// The traced OUT (--vcd), computed change by change from the last one
// (Pit::step_to_next), against the formula: tick t at ceil(t * hz / 1193182),
// loaded at tick 1, high from load + kN for `high` ticks, low for the rest of
// N. Thousands of periods at clocks whose cycles of a tick carry a remainder.
void expect_traced_out_follows_the_formula(Hertz hz, std::uint64_t period_ps, std::uint8_t word,
                                           std::uint32_t reload, std::uint32_t high, Cycles until) {
  PitBench bench("bench", hz);
  const std::string path = (std::filesystem::temp_directory_path() / "vmmsim_pit_out.vcd").string();
  OutputFile file(path);
  file.open();
  report::VcdWriter vcd(file, period_ps);
  vcd.declare(bench.pit.out_trace, "pit", "out", 1, 1);
  vcd.keep_history(bench.pit.out_trace);
  bench.pit.trace_out_waveform();
  bench.script = [&](PitBench& b) { b.program(word, reload); };
  bench.run_to(until);
  vcd.close(until);
  file.finish();
  std::filesystem::remove(path);

  auto cycle_of = [hz](std::uint64_t tick) {
    return static_cast<Cycles>((static_cast<unsigned __int128>(tick) * hz + Pit::kInputHz - 1) / Pit::kInputHz);
  };
  std::vector<std::pair<Cycles, std::uint64_t>> expected{{0, 1}};
  for (std::uint64_t start = 1;; start += reload) {
    if (cycle_of(start + high) > until) break;
    expected.emplace_back(cycle_of(start + high), 0);
    if (cycle_of(start + reload) > until) break;
    expected.emplace_back(cycle_of(start + reload), 1);
  }
  ASSERT_GT(expected.size(), 2000u);
  const auto history = vcd.declared().at(0).history;
  ASSERT_EQ(history.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(history[i], expected[i]) << "change " << i;
}

// The traced OUT of a channel that a control word stops: `word` at `at`
// after mode 3 with reload 10 from tick 1 (high for ticks 1-5, low 6-10).
std::vector<std::pair<Cycles, std::uint64_t>> traced_out_stopped_by(std::uint8_t word, Cycles at) {
  PitBench bench("bench", 1000000000);
  const std::string path = (std::filesystem::temp_directory_path() / "vmmsim_pit_stop.vcd").string();
  OutputFile file(path);
  file.open();
  report::VcdWriter vcd(file, 1000);
  vcd.declare(bench.pit.out_trace, "pit", "out", 1, 1);
  vcd.keep_history(bench.pit.out_trace);
  bench.pit.trace_out_waveform();
  bench.script = [&](PitBench& b) {
    b.program(kMode3Word, 10);
    b.until(at);
    b.pit.io_write(kControl, word);
  };
  bench.run_to(30000);
  vcd.close(30000);
  file.finish();
  std::filesystem::remove(path);
  return vcd.declared().at(0).history;
}

// A control word that changes the mode mid-count: OUT up to it is the old
// mode's (the review of the traced OUT's stepping: the next edge came from
// the new mode's lengths, a rise at tick 7 instead of 11), then high.
// Tick 13 (cycle 10896), OUT high: the fall at tick 6 and the rise at 11.
TEST(Pit, AControlWordEndsTheTracedWaveOfTheOldMode) {
  using Changes = std::vector<std::pair<Cycles, std::uint64_t>>;
  EXPECT_EQ(traced_out_stopped_by(kMode2Word, 10896), (Changes{{0, 1}, {5029, 0}, {9220, 1}}));
}

// Tick 8 (cycle 6705), OUT low: it rises at the control word.
TEST(Pit, AControlWordWhileTheTracedOutIsLowRaisesIt) {
  using Changes = std::vector<std::pair<Cycles, std::uint64_t>>;
  EXPECT_EQ(traced_out_stopped_by(kMode2Word, 6705), (Changes{{0, 1}, {5029, 0}, {6705, 1}}));
}

TEST(Pit, TracedSquareWaveFollowsTheFormulaAtAnOddReload) {
  expect_traced_out_follows_the_formula(1600000000, 625, kMode3Word, 1193, 597, 2400000000);
}

TEST(Pit, TracedRateGeneratorFollowsTheFormulaAtAShortReload) {
  expect_traced_out_follows_the_formula(2500000000, 400, kMode2Word, 7, 6, 30000000);
}

TEST(Pit, ReloadForTickRate) {
  EXPECT_EQ(pit_reload_for(1000), 1193);
  EXPECT_EQ(pit_reload_for(100), 11932);
  EXPECT_EQ(pit_reload_for(19), 62799);
  EXPECT_EQ(pit_reload_for(18), 0) << "below 18.2 Hz the reload clamps to 65536";
  EXPECT_EQ(pit_reload_for(0), 0);
  EXPECT_EQ(pit_reload_for(1193182), 1);
  EXPECT_EQ(pit_reload_for(10000000), 1);
}

}  // namespace
}  // namespace vmmsim::devices
