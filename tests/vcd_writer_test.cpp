// The VCD writer: what a waveform viewer reads from the file.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "report/vcd_writer.h"

namespace vmmsim::report {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("vmmsim_vcd_" + name)).string();
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string body_of(const std::string& vcd) { return vcd.substr(vcd.find("$enddefinitions $end\n") + 21); }

struct OpenedFile {
  explicit OpenedFile(const std::string& path) : file(path) { file.open(); }
  OutputFile file;
};

// A VCD as a run writes it: the writer's text into an output file, which
// close() commits (destroyed unclosed: an aborted run).
class TestVcd : private OpenedFile, public VcdWriter {
 public:
  TestVcd(const std::string& path, std::uint64_t period_ps) : OpenedFile(path), VcdWriter(file, period_ps) {}
  void close(Cycles end) {
    VcdWriter::close(end);
    file.finish();
    file.commit();
  }
};

// Leaves say whose signal they are: `running` four times in a viewer's list
// (or a collapsed scope) could be any VM's.
TEST(VcdWriter, DeclaresNestedScopesWithLeavesNamedByScopeAndQuantity) {
  const std::string path = temp_path("scopes.vcd");
  {
    TestVcd w(path, 1000);  // 1 GHz
    VcdSignal owner, running_web, running_db;
    w.declare(owner, "cpu0", "owner", 32, 0xffffffffu);
    w.declare(running_web, "vm.web", "running", 1, 0);
    w.declare(running_db, "vm.db", "running", 1, 1);
    w.close(0);
  }
  const std::string vcd = read(path);
  EXPECT_NE(vcd.find("$timescale 1 ns $end"), std::string::npos);
  EXPECT_NE(vcd.find("$scope module cpu0 $end\n$var wire 32 a cpu0_owner [31:0] $end\n$upscope $end\n"
                     "$scope module vm $end\n$scope module web $end\n$var wire 1 b vm_web_running $end\n$upscope $end\n"
                     "$scope module db $end\n$var wire 1 c vm_db_running $end\n$upscope $end\n$upscope $end\n"),
            std::string::npos)
      << vcd;
  EXPECT_EQ(body_of(vcd), "#0\n$dumpvars\nb11111111111111111111111111111111 a\n0b\n1c\n$end\n");
  std::filesystem::remove(path);
}

TEST(VcdWriter, OnlyTheLastValueOfACycleCountsAndUnchangedValuesAreNotWritten) {
  const std::string path = temp_path("steps.vcd");
  {
    TestVcd w(path, 1000);
    VcdSignal state, out;
    w.declare(state, "cpu0", "state", 8, 0);
    w.declare(out, "pit", "out", 1, 1);
    state.set(2, 0);  // at time 0: part of the initial dump
    state.set(1, 10);
    state.set(2, 10);  // the last value of cycle 10 wins
    out.set(0, 25);
    out.set(1, 25);  // changed back within the cycle: nothing at 25
    state.set(2, 30);  // same as written: nothing at 30
    out.set(0, 40);
    w.close(100);
  }
  EXPECT_EQ(body_of(read(path)), "#0\n$dumpvars\nb10 a\n1b\n$end\n#40\n0b\n#100\n");
  std::filesystem::remove(path);
}

TEST(VcdWriter, TimesAreExactInTheCoarsestUnitThatDividesTheClockPeriod) {
  const std::string path = temp_path("scale.vcd");
  {
    TestVcd w(path, 417);  // 2.4 GHz rounded to whole picoseconds
    VcdSignal s;
    w.declare(s, "pit", "out", 1, 0);
    s.set(1, 3);
    w.close(3);
  }
  const std::string vcd = read(path);
  EXPECT_NE(vcd.find("$timescale 1 ps $end"), std::string::npos);
  EXPECT_EQ(body_of(vcd), "#0\n$dumpvars\n0a\n$end\n#1251\n1a\n");
  std::filesystem::remove(path);
}

TEST(VcdWriter, AnUnclosedWriterLeavesNoFile) {
  const std::string path = temp_path("aborted.vcd");
  std::filesystem::remove(path);
  {
    TestVcd w(path, 1000);
    VcdSignal s;
    w.declare(s, "pit", "out", 1, 0);
    s.set(1, 5);
  }  // destroyed without close(): an aborted run
  EXPECT_FALSE(std::filesystem::exists(path));
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path()))
    EXPECT_EQ(entry.path().filename().string().find(".vmmsim_vcd_aborted.vcd."), std::string::npos)
        << "a temporary file is left: " << entry.path();
}

}  // namespace
}  // namespace vmmsim::report

namespace vmmsim::report {
namespace {

TEST(VcdWriter, AChangeSetAtALaterCycleComesFirstAtItsCycleUnlessWithdrawn) {
  const std::string path = temp_path("scheduled.vcd");
  {
    TestVcd w(path, 1000);
    VcdSignal state, owner;
    w.declare(state, "cpu0", "state", 8, 2);
    w.declare(owner, "cpu0", "owner", 32, 0);
    state.set_at(1, 50);  // enters the guest at 50, decided at 10
    owner.set(3, 10);
    owner.set(4, 70);  // time passes 50: the entry is written first
    state.set(2, 70);
    state.set_at(1, 90);
    state.withdraw();  // taken back: nothing at 90
    state.set_at(0, 120);
    state.set(3, 100);  // a set overrides what was scheduled
    owner.set_at(9, 300);  // after the end: never happened
    w.close(200);
  }
  EXPECT_EQ(body_of(read(path)),
            "#0\n$dumpvars\nb10 a\nb0 b\n$end\n#10\nb11 b\n#50\nb1 a\n#70\nb100 b\nb10 a\n#100\nb11 a\n#200\n");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace vmmsim::report

namespace vmmsim::report {
namespace {

// A tick reschedules every pCPU at one cycle, in index order: their VM
// entries are scheduled at one later cycle, with one far ahead (a PIT
// edge), some withdrawn; and in another order too. Round after round they
// are written at their cycle in signal order, the withdrawn ones not at
// all, while the writer's queue is used up and taken back, emptied, and
// has changes taken out at its front, its back and in between.
TEST(VcdWriter, ChangesScheduledAtOneCycleAreWrittenInSignalOrderRoundAfterRound) {
  const std::string path = temp_path("ties.vcd");
  constexpr unsigned kCpus = 40, kRounds = 12;
  std::string expected = "#0\n$dumpvars\n";
  {
    TestVcd w(path, 1000);
    std::vector<VcdSignal> state(kCpus);
    VcdSignal far;
    for (unsigned c = 0; c < kCpus; ++c) w.declare(state[c], "cpu" + std::to_string(c), "state", 1, 0);
    w.declare(far, "pit", "out", 1, 0);
    far.set_at(1, 1000000);  // after every round
    for (unsigned r = 1; r <= kRounds; ++r) {
      const Cycles decided = 100 * r, entry = decided + 40;
      far.settle(decided);  // time passes to the tick: the far change alone is left
      if (r % 3 == 0) far.withdraw();  // the queue empties
      // In index order, as the pCPUs step, in odd rounds; else in another.
      for (unsigned k = 0; k < kCpus; ++k) state[r % 2 ? k : k * 7 % kCpus].set_at(r % 2, entry);
      if (r % 3 == 0) far.set_at(1, 1000000);
      if (r % 3 == 1) {  // out of the back, and in again
        far.withdraw();
        far.set_at(1, 1000000);
      }
      for (unsigned c = r % 5; c < kCpus; c += 5) state[c].withdraw();  // every fifth taken back
      state[kCpus - 1].set(0, decided);  // overrides its entry: the last one never changes
    }
    w.close(2000);
  }
  // The reference: the same rounds, by hand.
  auto code = [](unsigned index) {  // a..z, then aa..az
    return (index < 26 ? "" : "a") + std::string(1, static_cast<char>('a' + index % 26));
  };
  for (unsigned c = 0; c <= kCpus; ++c) expected += "0" + code(c) + "\n";
  expected += "$end\n";
  std::vector<unsigned> written(kCpus, 0);
  for (unsigned r = 1; r <= kRounds; ++r) {
    std::string lines;
    for (unsigned c = 0; c < kCpus; ++c) {
      if (c % 5 == r % 5 || c == kCpus - 1 || written[c] == r % 2) continue;  // taken back, or unchanged
      written[c] = r % 2;
      lines += std::to_string(r % 2) + code(c) + "\n";
    }
    if (!lines.empty()) expected += "#" + std::to_string(100 * r + 40) + "\n" + lines;
  }
  expected += "#2000\n";
  EXPECT_EQ(body_of(read(path)), expected);
  std::filesystem::remove(path);
}

TEST(VcdWriter, ACountDownStepsAtItsRateUntilZeroOrTheNextSet) {
  const std::string path = temp_path("count_down.vcd");
  {
    TestVcd w(path, 1000);
    VcdSignal level;
    w.declare(level, "console", "fifo_level", 32, 0);
    level.set(3, 10);
    level.set_at(2, 15, 10);  // 2 at 15, 1 at 25, 0 at 35
    level.set(5, 25);         // a write at 25: the step due then comes first, the write wins
    level.set_at(4, 30, 100);
    w.close(140);             // 4 at 30, 3 at 130, (2 at 230: after the end)
  }
  EXPECT_EQ(body_of(read(path)), "#0\n$dumpvars\nb0 a\n$end\n#10\nb11 a\n#15\nb10 a\n#25\nb101 a\n#30\nb100 a\n#130\nb11 a\n#140\n");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace vmmsim::report

namespace vmmsim::report {
namespace {

TEST(VcdWriter, TimeStampsAreExactDecimalsAtEveryLength) {
  const std::string path = temp_path("digits.vcd");
  // Around 10^8, where the digits above the low 8 begin and are kept.
  const std::uint64_t times[] = {9,          10,          99,           100,           12345,
                                 99999999,   100000000,   100000001,    100000100,     1234567890,
                                 1234567891, 1300000000,  999999999999, 1000000000000, 18446744073709551ULL};
  {
    TestVcd w(path, 1000);
    VcdSignal s;
    w.declare(s, "pit", "out", 1, 0);
    std::uint64_t value = 0;
    for (std::uint64_t t : times) s.set(value ^= 1, t);
    w.close(times[std::size(times) - 1]);
  }
  std::string expected = "#0\n$dumpvars\n0a\n$end\n";
  std::uint64_t value = 0;
  for (std::uint64_t t : times) expected += "#" + std::to_string(t) + "\n" + std::to_string(value ^= 1) + "a\n";
  EXPECT_EQ(body_of(read(path)), expected);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace vmmsim::report

namespace vmmsim::report {
namespace {

// A waveform the model computes when the writer needs it (the PIT's OUT):
// its changes sit at their cycles among the others', and a set() of the
// signal replaces it.
TEST(VcdWriter, AWaveformIsWrittenChangeByChangeUntilASetReplacesIt) {
  const std::string path = temp_path("waveform.vcd");
  {
    TestVcd w(path, 1000);
    VcdSignal out, state;
    w.declare(out, "pit", "out", 1, 1);
    w.declare(state, "cpu0", "state", 8, 0);
    // Low at 10, 30, 50...; high at 20, 40, 60...
    struct Square final : VcdWaveform {
      int asked = 0;
      bool next_change(Cycles after, Cycles* at, std::uint64_t* level) override {
        ++asked;
        *at = (after / 10 + 1) * 10;
        *level = *at % 20 == 0;
        return true;
      }
    } square;
    out.set_waveform(square, 0);
    EXPECT_EQ(square.asked, 1) << "only the first change is computed ahead";
    state.set(1, 25);
    state.set(2, 40);
    out.set(0, 45);  // the model drives it again: no more waveform
    w.close(70);
  }
  EXPECT_EQ(body_of(read(path)), "#0\n$dumpvars\n1a\nb0 b\n$end\n#10\n0a\n#20\n1a\n#25\nb1 b\n#30\n0a\n"
                                 "#40\n1a\nb10 b\n#45\n0a\n#70\n");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace vmmsim::report

namespace vmmsim::report {
namespace {

// A value line's binary digits are written a byte of the value at a time:
// every length of the top byte, every width up to 64, and bits above the
// width dropped, against a bit-by-bit reference.
TEST(VcdWriter, VectorValuesAreBinaryWithoutLeadingZerosAtEveryWidth) {
  const std::string path = temp_path("binary.vcd");
  const unsigned widths[] = {2, 7, 8, 9, 16, 31, 32, 33, 63, 64};
  std::vector<std::uint64_t> values = {0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x1ff, 0xffff, 0x10000, 0x12345678,
                                       0x80000000ULL, 0xffffffffULL, 0x100000000ULL, 0x8000000000000000ULL,
                                       0xffffffffffffffffULL, 0x0123456789abcdefULL};
  for (unsigned bit = 0; bit < 64; ++bit) values.push_back(std::uint64_t{1} << bit | 1);
  auto reference = [](std::uint64_t v, unsigned width) {
    if (width < 64) v &= (std::uint64_t{1} << width) - 1;
    std::string digits;
    for (int bit = v == 0 ? 0 : 63 - __builtin_clzll(v); bit >= 0; --bit) digits += (v >> bit) & 1 ? '1' : '0';
    return digits;
  };
  std::string expected = "#0\n$dumpvars\n";
  {
    TestVcd w(path, 1000);
    std::vector<VcdSignal> signals(std::size(widths));
    for (std::size_t i = 0; i < signals.size(); ++i) {
      w.declare(signals[i], "v", "w" + std::to_string(widths[i]), widths[i], 0);
      expected += "b0 " + std::string(1, static_cast<char>('a' + i)) + "\n";
    }
    expected += "$end\n";
    Cycles at = 0;
    for (std::uint64_t value : values) {
      ++at;
      std::string lines;
      for (std::size_t i = 0; i < signals.size(); ++i) {
        signals[i].set(value, at);
        // A value set again is not written again (bits above the width count:
        // the model's value changed).
        const std::uint64_t before = at == 1 ? 0 : values[at - 2];
        if (value != before)
          lines += "b" + reference(value, widths[i]) + " " + std::string(1, static_cast<char>('a' + i)) + "\n";
      }
      if (!lines.empty()) expected += "#" + std::to_string(at) + "\n" + lines;
    }
    w.close(at);
  }
  EXPECT_EQ(body_of(read(path)), expected);
  std::filesystem::remove(path);
}

// Scheduled changes of several signals, due at one cycle or interleaved,
// taken back and scheduled again in any order: at their cycle they come in
// the order of the signals' declaration, before what is set then.
TEST(VcdWriter, ScheduledChangesOfOneCycleComeInTheOrderOfTheSignals) {
  const std::string path = temp_path("scheduled_order.vcd");
  {
    TestVcd w(path, 1000);
    VcdSignal s[5];
    for (int i = 0; i < 5; ++i) w.declare(s[i], "cpu" + std::to_string(i), "state", 8, 0);
    s[3].set_at(1, 50);
    s[1].set_at(1, 50);
    s[4].set_at(1, 40);
    s[2].set_at(1, 60);
    s[0].set_at(1, 70);
    s[1].set_at(2, 50);  // again, the same cycle: the later value
    s[4].withdraw();     // nothing at 40
    s[2].set_at(3, 50);  // again, earlier
    s[0].set_at(4, 45);  // again, earlier than all
    s[4].set_at(5, 50);
    s[0].set(6, 45);     // due now: the scheduled 4 comes first, the set wins
    s[3].set(7, 50);     // at its cycle: after the scheduled 1
    s[2].set_at(8, 80);
    s[1].set_at(9, 80);
    s[2].withdraw();     // the middle one of three: the others stay
    s[3].set_at(10, 90);
    w.close(100);
  }
  EXPECT_EQ(body_of(read(path)),
            "#0\n$dumpvars\nb0 a\nb0 b\nb0 c\nb0 d\nb0 e\n$end\n#45\nb110 a\n#50\nb10 b\nb11 c\nb111 d\nb101 e\n"
            "#80\nb1001 b\n#90\nb1010 d\n#100\n");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace vmmsim::report

namespace vmmsim::report {
namespace {

// A scheduled change alone in a cycle already past (a count-down step, a PIT
// edge) is written straight out; one that shares its cycle with another
// scheduled change, or with what is set at the cycle now, goes with them
// under one stamp, and one that leaves the value as written writes nothing.
TEST(VcdWriter, AScheduledChangeAloneInItsCycleIsWrittenLikeAnyOther) {
  const std::string path = temp_path("alone.vcd");
  std::vector<std::pair<Cycles, std::uint64_t>> history;
  {
    TestVcd w(path, 1000);
    VcdSignal level, state, out, other;
    w.declare(level, "console", "fifo_level", 32, 0);
    w.declare(state, "cpu0", "state", 8, 0);
    w.declare(out, "pit", "out", 1, 1);
    w.declare(other, "cpu1", "state", 8, 0);
    w.keep_history(level);
    level.set(3, 10);
    level.set_at(2, 20, 10);  // 2 at 20 (alone), 1 at 30, 0 at 40 (alone)
    state.set(5, 30);         // joins the count-down's step at 30
    state.set_at(5, 50);      // the value as written by then: nothing at 50
    out.set_at(0, 60);        // two at 60: one stamp
    other.set_at(2, 60);
    w.comment("x", 45);
    state.set(7, 70);
    level.set_at(4, 80);  // alone before the end
    out.set_at(1, 90);    // at the end
    w.close(90);
    history = w.declared()[0].history;
  }
  EXPECT_EQ(body_of(read(path)),
            "#0\n$dumpvars\nb0 a\nb0 b\n1c\nb0 d\n$end\n#10\nb11 a\n#20\nb10 a\n#30\nb1 a\nb101 b\n#40\nb0 a\n"
            "#45\n$comment x $end\n#60\n0c\nb10 d\n#70\nb111 b\n#80\nb100 a\n#90\n1c\n");
  const std::vector<std::pair<Cycles, std::uint64_t>> expected = {{0, 0}, {10, 3}, {20, 2}, {30, 1}, {40, 0}, {80, 4}};
  EXPECT_EQ(history, expected) << "a change written alone is kept in the history too";
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace vmmsim::report

namespace vmmsim::report {
namespace {

// A run whose file is several times the writer's buffer: nothing is lost or
// repeated where the buffer is written out, whichever path a line takes (a
// set, a change scheduled alone in its cycle).
TEST(VcdWriter, ARunOfManyBuffersIsWrittenWhole) {
  const std::string path = temp_path("many_buffers.vcd");
  std::string expected = "#0\n$dumpvars\nb0 a\n0b\n$end\n";
  constexpr std::uint64_t kSteps = 150000;  // about 8 MiB
  {
    TestVcd w(path, 1000);
    VcdSignal level, bit;
    w.declare(level, "console", "fifo_level", 32, 0);
    w.declare(bit, "pit", "out", 1, 0);
    for (std::uint64_t i = 1; i <= kSteps; ++i) {
      const Cycles t = 1000000000 * i;  // stamps of 10 to 15 digits
      level.set(i, t);
      bit.set_at(i & 1, t + 7);
      expected += "#" + std::to_string(t) + "\n";
      std::string binary;
      for (std::uint64_t v = i; v; v >>= 1) binary.insert(binary.begin(), static_cast<char>('0' + (v & 1)));
      expected += "b" + binary + " a\n#" + std::to_string(t + 7) + "\n" + std::to_string(i & 1) + "b\n";
    }
    w.close(1000000000 * (kSteps + 1));
    expected += "#" + std::to_string(1000000000 * (kSteps + 1)) + "\n";
  }
  const std::string body = body_of(read(path));
  EXPECT_GT(body.size(), 3 * VcdWriter::write_out_bytes());
  EXPECT_TRUE(body == expected) << "the file differs from byte "
                                << std::mismatch(body.begin(), body.end(), expected.begin(), expected.end()).first -
                                       body.begin();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace vmmsim::report
