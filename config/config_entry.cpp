#include "config/config_entry.h"

#include <fmt/format.h>

#include "base/input_error.h"
#include "base/text.h"

namespace vmmsim::config {

std::string text_of(std::string_view text) { return shown(text, 200); }

void fail(const Entry& e, const std::string& what) {
  throw InputError(fmt::format("{}: [{}] {} = '{}': {}", e.origin, text_of(e.section),
                               text_of(e.key), text_of(e.value), what));
}

Cycles duration_of(const Entry& e, Hertz clock) {
  std::string why;
  auto v = parse_simulated_duration(e.value, clock, &why);
  if (!v) fail(e, "expected " + why);
  return *v;
}

Bytes size_of(const Entry& e, Bytes min) {
  std::string why;
  auto v = parse_size(e.value, &why);
  if (!v) fail(e, "expected " + why);
  if (*v < min) fail(e, fmt::format("expected a size of at least {} bytes", min));
  return *v;
}

std::uint64_t count_of(const Entry& e, std::uint64_t min, std::uint64_t max) {
  auto v = parse_count(e.value, nullptr);
  if (!v || *v < min || *v > max)
    fail(e, fmt::format("expected a whole number from {} to {}", min, max));
  return *v;
}

}  // namespace vmmsim::config
