// FNV-1a, 64 bits: a stable hash of text or of a file's bytes, the same on
// every machine. Names runs apart (app/compare_runs.cpp) and tells whether a
// sweep's inputs are still the ones it was planned with (app/sweep_*). Not
// a cryptographic hash: it detects change, not tampering.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vmmsim {

inline constexpr std::uint64_t kFnv1aBasis = 14695981039346656037ULL;

// Continues `h` over `bytes` (start with kFnv1aBasis).
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h = kFnv1aBasis);
// 16 hex digits of the hash of a file's bytes; none if it cannot be read.
std::optional<std::string> file_fnv1a64(const std::string& path);

}  // namespace vmmsim
