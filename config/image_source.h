// Image sources ([0019]: a website, a local disk, a data-centre image
// server): `[image_source.NAME]` with a bandwidth and a latency. A load that
// names one (`source=NAME`) is charged from it; the image file itself is
// still read from its local path — the source models only the cost.
// Plain C++.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/units.h"

namespace vmmsim::config {

struct ImageSource {
  std::uint64_t bytes_per_second = 0;  // above 0
  Cycles latency = 0;                  // before the first byte
};

// ceil(bytes * clock / bytes_per_second) + latency, kForever if it would wrap.
Cycles load_cycles(const ImageSource& source, Bytes bytes, Hertz clock);

// A size per second: "100MiB/s", "1.5GiB/s", "4096/s" (bare number = bytes),
// above 0. nullopt with what is allowed in *why otherwise.
std::optional<std::uint64_t> parse_bandwidth(std::string_view text, std::string* why);

// What reports call the source of a load without source=: the VMM's own
// memory ([memory] load_bandwidth, load_latency). No section may take it.
inline constexpr const char* kMemorySource = "memory";

}  // namespace vmmsim::config
