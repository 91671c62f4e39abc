#include "base/content_hash.h"

#include <fmt/format.h>

#include <fstream>

namespace vmmsim {

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h) {
  for (char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

std::optional<std::string> file_fnv1a64(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::uint64_t h = kFnv1aBasis;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0)
    h = fnv1a64({buffer, static_cast<std::size_t>(in.gcount())}, h);
  if (in.bad()) return std::nullopt;
  return fmt::format("{:016x}", h);
}

}  // namespace vmmsim
