// A set of pCPUs as a bitmap: insert, erase and test in O(1), the
// lowest-numbered member in O(pCPUs / 64) (4 words for 256 pCPUs). Policies
// use it for "the lowest-numbered idle pCPU nobody has tickled", which a scan
// of every pCPU answered before, and a std::set with a node per insert after;
// credit for "the next idler after the last one tickled".
#pragma once

#include <cstdint>
#include <vector>

namespace vmmsim::sched {

class CpuSet {
 public:
  static constexpr int kNone = -1;

  CpuSet() = default;
  explicit CpuSet(unsigned cpus, bool full = false) { assign(cpus, full); }

  void assign(unsigned cpus, bool full) {
    m_cpus = cpus;
    m_words.assign((cpus + 63) / 64, full ? ~std::uint64_t{0} : 0);
    if (full && cpus % 64 != 0) m_words.back() = (std::uint64_t{1} << (cpus % 64)) - 1;
  }

  unsigned size() const { return m_cpus; }
  bool test(unsigned cpu) const { return (m_words[cpu / 64] >> (cpu % 64)) & 1u; }
  void insert(unsigned cpu) { m_words[cpu / 64] |= std::uint64_t{1} << (cpu % 64); }
  void erase(unsigned cpu) { m_words[cpu / 64] &= ~(std::uint64_t{1} << (cpu % 64)); }
  void set(unsigned cpu, bool member) { member ? insert(cpu) : erase(cpu); }

  // The lowest member, or kNone.
  int first() const {
    for (std::size_t w = 0; w < m_words.size(); ++w)
      if (m_words[w]) return static_cast<int>(w * 64 + __builtin_ctzll(m_words[w]));
    return kNone;
  }

  // The lowest member that is also in `mask` (same size), or kNone.
  int first_in(const CpuSet& mask) const {
    for (std::size_t w = 0; w < m_words.size(); ++w)
      if (std::uint64_t both = m_words[w] & mask.m_words[w])
        return static_cast<int>(w * 64 + __builtin_ctzll(both));
    return kNone;
  }

  // The lowest member >= `from` (and in `mask`, same size, unless null), or kNone.
  int first_from(unsigned from, const CpuSet* mask = nullptr) const {
    for (std::size_t w = from / 64; w < m_words.size(); ++w) {
      std::uint64_t bits = m_words[w];
      if (mask) bits &= mask->m_words[w];
      if (w == from / 64) bits &= ~std::uint64_t{0} << (from % 64);
      if (bits) return static_cast<int>(w * 64 + __builtin_ctzll(bits));
    }
    return kNone;
  }

  bool empty() const {
    for (std::uint64_t w : m_words)
      if (w) return false;
    return true;
  }
  unsigned count() const {
    unsigned n = 0;
    for (std::uint64_t w : m_words) n += static_cast<unsigned>(__builtin_popcountll(w));
    return n;
  }

 private:
  unsigned m_cpus = 0;
  std::vector<std::uint64_t> m_words;
};

}  // namespace vmmsim::sched
