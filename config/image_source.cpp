#include "config/image_source.h"

namespace vmmsim::config {

Cycles load_cycles(const ImageSource& source, Bytes bytes, Hertz clock) {
  using u128 = unsigned __int128;
  const u128 transfer = (u128{bytes} * clock + source.bytes_per_second - 1) / source.bytes_per_second;
  if (transfer >= kForever) return kForever;
  return saturating_add(static_cast<Cycles>(transfer), source.latency);
}

std::optional<std::uint64_t> parse_bandwidth(std::string_view text, std::string* why) {
  const char* allowed = "a bandwidth: a size per second, like 100MiB/s or 4096/s, above 0";
  if (text.size() < 3 || text.substr(text.size() - 2) != "/s") {
    if (why) *why = allowed;
    return std::nullopt;
  }
  auto bytes = parse_size(text.substr(0, text.size() - 2), nullptr);
  if (!bytes || *bytes == 0) {
    if (why) *why = allowed;
    return std::nullopt;
  }
  return bytes;
}

}  // namespace vmmsim::config
