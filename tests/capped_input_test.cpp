// The one reader of configs, traces and importer inputs: caps checked while
// reading (docs/robustness.md, "Caps on inputs"), gzip included, so that a
// gzip bomb stops at the cap instead of filling memory.
#include <gtest/gtest.h>
#include <zlib.h>

#include <functional>
#include <istream>
#include <sstream>
#include <string>

#include "base/capped_input.h"
#include "base/input_error.h"

using namespace vmmsim;

namespace {

std::string gzip(const std::string& data) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

constexpr std::uint64_t kMiB = 1 << 20;
const InputKind kSmall{"file", "a file", kMiB, true};

TEST(CappedInput, TheCapIsAcceptedAndOneByteMoreIsNot) {
  EXPECT_EQ(read_capped(std::string(kMiB, 'x'), "x", kSmall).size(), kMiB);
  EXPECT_EQ(error_of([] { read_capped(std::string(kMiB + 1, 'x'), "big.txt", kSmall); }),
            "big.txt: more than 1 MiB; expected a file of at most 1 MiB");
}

TEST(CappedInput, AGzipBombStopsAtTheCap) {
  // 8 MiB of valid ftrace lines in about 40 KiB: inflated only to the cap.
  std::string lines;
  while (lines.size() < 8 * kMiB)
    lines += "  sh-1642  [002]    76.211701: sched_switch: prev_comm=sh prev_pid=1642 prev_prio=120 "
             "prev_state=S ==> next_comm=swapper/2 next_pid=0 next_prio=120\n";
  const std::string bomb = gzip(lines);
  ASSERT_LT(bomb.size(), 100 * 1024u);
  CappedInput buffer(bomb, "bomb.txt.gz", kSmall);
  std::istream in(&buffer);
  std::string line;
  std::uint64_t n = 0;
  EXPECT_EQ(error_of([&] {
              while (read_line(in, &line, 4096, "bomb.txt.gz", n + 1)) ++n;
            }),
            "bomb.txt.gz: more than 1 MiB uncompressed; expected a file of at most 1 MiB");
  EXPECT_LE(buffer.bytes_read(), kMiB + (1 << 16)) << "inflated no further than the cap and one buffer";
  EXPECT_GT(n, 1000u) << "the lines before the cap were read";
  // Zeros have no line end: the line limit stops them after 4096 bytes.
  const std::string zeros = gzip(std::string(8 * kMiB, '\0'));
  CappedInput zero_buffer(zeros, "zeros.gz", kSmall);
  std::istream zero_in(&zero_buffer);
  EXPECT_EQ(error_of([&] { read_line(zero_in, &line, 4096, "zeros.gz", 1); }),
            "zeros.gz:1: line of more than 4096 characters; expected at most 4096");
  EXPECT_LE(zero_buffer.bytes_read(), 1u << 16);
}

TEST(CappedInput, GzipMembersTruncationAndCorruption) {
  EXPECT_EQ(read_capped(gzip("a\n") + gzip("b\n"), "two.gz", kSmall), "a\nb\n") << "concatenated members";
  EXPECT_EQ(read_capped(gzip("a\n"), "plain", InputKind{"file", "a file", kMiB, false}), gzip("a\n"))
      << "no inflating unless the kind says so";
  const std::string whole = gzip(std::string(10000, 'x'));
  EXPECT_EQ(error_of([&] { read_capped(whole.substr(0, whole.size() / 2), "cut.gz", kSmall); }),
            "cut.gz: truncated gzip data; expected a complete .gz file");
  std::string corrupt = whole;
  corrupt[2] = 9;  // compression method
  EXPECT_EQ(error_of([&] { read_capped(corrupt, "bad.gz", kSmall); }),
            "bad.gz: corrupt gzip data (unknown compression method); expected a .gz file");
}

TEST(CappedInput, LinesUpToTheLimitWithTheirLineEnds) {
  const std::string longest(4096, 'a');
  std::istringstream in(longest + "\r\n" + longest + "\n" + longest + "a\n");
  std::string line;
  EXPECT_TRUE(read_line(in, &line, 4096, "f", 1));
  EXPECT_EQ(line, longest + "\r") << "a CR before the LF is not counted";
  EXPECT_TRUE(read_line(in, &line, 4096, "f", 2));
  EXPECT_EQ(error_of([&] { read_line(in, &line, 4096, "f", 3); }),
            "f:3: line of more than 4096 characters; expected at most 4096");
  std::istringstream last("x\ny");
  EXPECT_TRUE(read_line(last, &line, 10, "f", 1));
  EXPECT_TRUE(read_line(last, &line, 10, "f", 2));
  EXPECT_EQ(line, "y") << "a last line without its line end";
  EXPECT_FALSE(read_line(last, &line, 10, "f", 3));
}

}  // namespace
