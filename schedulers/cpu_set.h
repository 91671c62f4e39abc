// A set of pCPUs as a bitmap: insert, erase and test in O(1), the
// lowest-numbered member (after a given pCPU, in a mask) in a visit of the
// words that may hold one, found through a summary word (bit w: word w may
// have a member; 64 words cover [platform] cpus' limit of 4096). On bench
// huge (256 pCPUs, all busy) credit's "next idler" read eight empty words
// per wake before, 34 instructions a decision
// (docs/performance/twelfth-round.md). Policies use it for "the
// lowest-numbered idle pCPU nobody has tickled", which a scan of every pCPU
// answered before, and a std::set with a node per insert after; credit for
// "the next idler after the last one tickled".
#pragma once

#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

namespace vmmsim::sched {

class CpuSet {
 public:
  static constexpr int kNone = -1;
  static constexpr unsigned kMaxCpus = 64 * 64;  // the summary's 64 words

  CpuSet() = default;
  explicit CpuSet(unsigned cpus, bool full = false) { assign(cpus, full); }
  CpuSet(const CpuSet&) = default;
  CpuSet& operator=(const CpuSet&) = default;
  // A moved-from set is empty and of size 0, as a default one.
  CpuSet(CpuSet&& other) noexcept { *this = std::move(other); }
  CpuSet& operator=(CpuSet&& other) noexcept {
    m_cpus = std::exchange(other.m_cpus, 0);
    m_used = std::exchange(other.m_used, 0);
    m_words = std::move(other.m_words);
    other.m_words.clear();
    return *this;
  }

  void assign(unsigned cpus, bool full) {
    if (cpus > kMaxCpus) throw std::length_error("CpuSet: more than 4096 pCPUs");
    m_cpus = cpus;
    m_words.assign((cpus + 63) / 64, full ? ~std::uint64_t{0} : 0);
    if (full && cpus % 64 != 0) m_words.back() = (std::uint64_t{1} << (cpus % 64)) - 1;
    m_used = 0;
    for (std::size_t w = 0; w < m_words.size(); ++w) m_used |= std::uint64_t{m_words[w] != 0} << w;
  }

  unsigned size() const { return m_cpus; }
  bool test(unsigned cpu) const { return (m_words[cpu / 64] >> (cpu % 64)) & 1u; }
  void insert(unsigned cpu) {
    m_words[cpu / 64] |= std::uint64_t{1} << (cpu % 64);
    m_used |= std::uint64_t{1} << (cpu / 64);
  }
  // The word's summary bit stays: a search clears it when it finds the word
  // empty, so that an erase costs what it did without the summary.
  void erase(unsigned cpu) { m_words[cpu / 64] &= ~(std::uint64_t{1} << (cpu % 64)); }
  void set(unsigned cpu, bool member) { member ? insert(cpu) : erase(cpu); }

  // The lowest member, or kNone.
  int first() const { return first_from(0); }

  // The lowest member that is also in `mask` (same size), or kNone.
  int first_in(const CpuSet& mask) const { return first_from(0, &mask); }

  // The lowest member >= `from` (and in `mask`, same size, unless null), or kNone.
  int first_from(unsigned from, const CpuSet* mask = nullptr) const {
    if (from >= m_cpus) return kNone;
    const unsigned from_word = from / 64;
    // The words at or after from's that have members (in the mask's too).
    std::uint64_t words = m_used & (~std::uint64_t{0} << from_word);
    if (mask) words &= mask->m_used;
    for (; words != 0; words &= words - 1) {
      const unsigned w = lowest(words);
      std::uint64_t bits = m_words[w];
      if (bits == 0) {  // emptied since its bit was set
        m_used &= ~(std::uint64_t{1} << w);
        continue;
      }
      if (mask) bits &= mask->m_words[w];
      if (w == from_word) bits &= ~std::uint64_t{0} << (from % 64);
      if (bits) return static_cast<int>(w * 64 + lowest(bits));
    }
    return kNone;
  }

  bool empty() const { return first() == kNone; }
  unsigned count() const {
    unsigned n = 0;
    for (std::uint64_t w : m_words) n += static_cast<unsigned>(__builtin_popcountll(w));
    return n;
  }

 private:
  static unsigned lowest(std::uint64_t bits) { return static_cast<unsigned>(__builtin_ctzll(bits)); }

  unsigned m_cpus = 0;
  // Bit w: m_words[w] may have members; clear: it has none. A search
  // clears the bits of the empty words it meets.
  mutable std::uint64_t m_used = 0;
  std::vector<std::uint64_t> m_words;
};

}  // namespace vmmsim::sched
