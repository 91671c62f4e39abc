#include "base/text.h"

#include <fmt/format.h>

namespace vmmsim {

std::string shown(std::string_view word, std::size_t max_chars) {
  const std::size_t kShown = max_chars;
  std::string out;
  for (std::size_t i = 0; i < word.size() && i < kShown; ++i) {
    auto c = static_cast<unsigned char>(word[i]);
    if (c >= 0x20 && c < 0x7f)
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  if (word.size() > kShown) out += "...";
  return out;
}

}  // namespace vmmsim
