// Image sources ([0019]) and the loader's request words (docs/config.md
// "[image_source.NAME]", docs/trace-format.md "sched-load"): policy=unload-after,
// source=NAME, what a source charges, and every request naming a source the
// config does not declare refused with the config.
#include <gtest/gtest.h>

#include "config/config_parser.h"
#include "config/image_source.h"
#include "tests/config_fixture.h"
#include "workload/control_request.h"

using namespace vmmsim;

namespace {

workload::ControlRequest load(const std::string& words, std::string* err = nullptr) {
  workload::ControlRequest r;
  std::string why = workload::parse_control(workload::ControlRequest::Kind::Load, words, "", &r);
  if (err) *err = why;
  return r;
}

TEST(LoadWords, UnloadAfterAndSource) {
  workload::ControlRequest r = load("/p/lottery.so policy=unload-after source=disk quantum=2ms");
  EXPECT_EQ(r.policy, workload::LoadPolicy::UnloadAfter);
  EXPECT_EQ(r.source, "disk");
  ASSERT_EQ(r.params.size(), 1u) << "source= is no scheduler parameter";
  EXPECT_EQ(r.params[0].first, "quantum");
  EXPECT_EQ(load("/p/lottery.so").source, "") << "no source: the VMM's own memory";
}

TEST(LoadWords, ABuiltInHasNoSource) {
  std::string why;
  load("bvt source=disk", &why);
  EXPECT_EQ(why, "'source=disk' for the built-in 'bvt', whose image is in the VMM's own memory; expected "
                 "source= only with a plugin path");
}

TEST(LoadWords, BadSources) {
  std::string why;
  load("/p/x.so source=a source=b", &why);
  EXPECT_EQ(why, "second source 'source=b' (first 'source=a'); expected at most one source=");
  load("/p/x.so source=", &why);
  EXPECT_EQ(why.rfind("bad source ''; expected source=NAME of an [image_source.NAME] section", 0), 0u) << why;
  load("/p/x.so source=a/b", &why);
  EXPECT_EQ(why.rfind("bad source 'a/b'", 0), 0u) << why;
}

TEST(ImageSourceCost, BytesAtTheSourcesBandwidthPlusItsLatency) {
  // 12 KiB at 1 MiB/s on a 1 GHz clock: 11,718,750 cycles, then 2 ms.
  config::ImageSource disk{1024 * 1024, 2000000};
  EXPECT_EQ(config::load_cycles(disk, 12 * 1024, 1000000000), 11718750u + 2000000u);
  // Rounded up to a whole cycle: 1 byte at 3 B/s on a 1 Hz clock.
  EXPECT_EQ(config::load_cycles(config::ImageSource{3, 0}, 1, 1), 1u);
  EXPECT_EQ(config::load_cycles(config::ImageSource{1, 0}, ~Bytes{0}, 1000000000), kForever) << "saturates";
}

TEST(ImageSourceBandwidth, ASizePerSecond) {
  EXPECT_EQ(config::parse_bandwidth("100MiB/s", nullptr), std::optional<std::uint64_t>(100u << 20));
  EXPECT_EQ(config::parse_bandwidth("4096/s", nullptr), std::optional<std::uint64_t>(4096));
  EXPECT_EQ(config::parse_bandwidth("1.5KiB/s", nullptr), std::optional<std::uint64_t>(1536));
  for (const char* bad : {"100MiB", "0/s", "/s", "fast/s", "1MHz/s"})
    EXPECT_FALSE(config::parse_bandwidth(bad, nullptr)) << bad;
}

constexpr const char* kVm = "[vm.a]\ntrace = one.trace\n";

// A plugin a load names must exist when the config is read (not more).
class ImageSourceConfigTest : public vmmsim::testing::ConfigFiles {
 protected:
  void SetUp() override {
    vmmsim::testing::ConfigFiles::SetUp();
    write("p.so", "");
  }
};

TEST_F(ImageSourceConfigTest, SectionsAreRead) {
  config::Config c = config::load_config(
      write("c.ini", std::string(kVm) + "[image_source.web]\nbandwidth = 2MiB/s\nlatency = 30ms\n"
                                        "[image_source.disk]\nbandwidth = 200MiB/s\n"
                                        "[run]\nswap = 1ms:p.so,source=web\n"));
  ASSERT_EQ(c.image_sources.size(), 2u);
  EXPECT_EQ(c.image_sources.at("web").bytes_per_second, 2u << 20);
  EXPECT_EQ(c.image_sources.at("web").latency, 30000000u);
  EXPECT_EQ(c.image_sources.at("disk").latency, 0u) << "latency defaults to 0";
  EXPECT_EQ(c.swaps.at(0).request.source, "web");
}

TEST_F(ImageSourceConfigTest, AnUnknownSourceIsBadInputWhereverItIsNamed) {
  const std::string expected = "unknown image source 'cdn'; expected source= one of disk";
  const std::string disk = "[image_source.disk]\nbandwidth = 1MiB/s\n";
  // [run] swap, declared before the section: checked once all is read.
  EXPECT_EQ(error_of(std::string(kVm) + "[run]\nswap = 1ms:p.so,source=cdn\n" + disk),
            path("c.ini") + ":4: [run] swap = '1ms:p.so,source=cdn': swap '1ms:p.so,source=cdn': " + expected);
  write("svc.trace", "vcpu 0\n  sleep 1ms\n  sched-load p.so source=cdn\n");
  EXPECT_EQ(error_of(std::string(kVm) + "[service]\ntrace = svc.trace\n" + disk),
            path("svc.trace") + ":3: sched-load: " + expected);
  EXPECT_EQ(error_of(std::string(kVm) + "[run]\nswap = 1ms:p.so,source=cdn\n"),
            path("c.ini") + ":4: [run] swap = '1ms:p.so,source=cdn': swap '1ms:p.so,source=cdn': unknown image "
                            "source 'cdn'; expected no source= (the config has no [image_source.NAME] section)");
}

TEST_F(ImageSourceConfigTest, BadSections) {
  EXPECT_EQ(error_of(std::string(kVm) + "[image_source.web]\nlatency = 1ms\n"),
            path("c.ini") + ":4: [image_source.web]: missing key 'bandwidth'; expected a size per second, like "
                            "100MiB/s");
  EXPECT_EQ(error_of(std::string(kVm) + "[image_source.web]\nbandwidth = 10MiB\n"),
            path("c.ini") + ":4: [image_source.web] bandwidth = '10MiB': expected a bandwidth: a size per second, "
                            "like 100MiB/s or 4096/s, above 0");
  EXPECT_EQ(error_of(std::string(kVm) + "[image_source.web]\nbandwidth = 1MiB/s\nspeed = 3\n"),
            path("c.ini") + ":5: [image_source.web] speed = '3': unknown key; [image_source.web] allows bandwidth, "
                            "latency");
  EXPECT_NE(error_of(std::string(kVm) + "[image_source.memory]\nbandwidth = 1MiB/s\n").find("other than 'memory'"),
            std::string::npos);
}

}  // namespace
