// What the vCPUs running on the pCPUs would add to a weighted virtual-time
// sum if each were charged now, without charging them: eevdf's V must count
// every running vCPU, and charging all of them on every wake and block cost
// O(pCPUs) (with a 128-bit division each).
//
// Charging a vCPU of weight w for the cycles since t, with the remainder
// `rem` (0 <= rem < w) carried from its last charge, advances its virtual
// time by floor((scale * (T - t) + rem) / w), which adds
//   w * floor(X / w) = X - (X mod w),   X = scale * (T - t) + rem
// to the sum. The sum of X over the members is linear in T. For the members
// of one weight, X mod w = (a + c) mod w with a = scale * T mod w and
// c = (rem - scale * t) mod w fixed per member, i.e. a + c - w when c >= w - a:
// a count over the members' c, kept sorted. So the total is exact, in
// O(weights x log members) per query and O(members of the weight) per change.
// A weight that divides `scale` (Linux's nice 0, 1024, with the default
// scale) has a = 0 and c = rem: nothing wraps, and its c need not be sorted
// at all (O(1) per change and query).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace vmmsim::sched {

class RunningAdvance {
 public:
  explicit RunningAdvance(unsigned cpus = 0, std::int64_t scale = 1024)
      : m_scale(scale), m_fits64((std::uint64_t{1} << 62) / static_cast<std::uint64_t>(scale)) {
    m_members.assign(cpus, Member{});
  }

  bool contains(unsigned cpu) const { return m_members[cpu].weight != 0; }

  // cpu's vCPU (weight w) was last charged up to cycle t, with remainder rem.
  void add(unsigned cpu, std::int64_t weight, std::uint64_t t, std::int64_t rem) {
    Member& m = m_members[cpu];
    m.weight = weight;
    m.t = t;
    m.rem = rem;
    m.group = group_of(weight);
    Group& g = m_groups[m.group];
    m.divides = g.divides;
    m.c = g.divides ? rem : add_residue(g, m);
    ++g.count;
    g.sum_c += m.c;
    ++m_count;
    m_sum_t += t;
    m_sum_rem += rem;
  }

  void remove(unsigned cpu) {
    Member& m = m_members[cpu];
    if (m.weight == 0) return;
    Group& g = m_groups[m.group];
    if (!g.divides) remove_residue(g, m.c);
    --g.count;
    g.sum_c -= m.c;
    --m_count;
    m_sum_t -= m.t;
    m_sum_rem -= m.rem;
    m = Member{};
  }

  // What charging cpu's vCPU up to `at` (>= its t) adds to the weighted sum.
  std::int64_t of(unsigned cpu, std::uint64_t at) const {
    const Member& m = m_members[cpu];
    if (m.weight == 0 || at <= m.t) return 0;
    if (at - m.t < m_fits64) {  // the usual case: no 128-bit remainder (a libgcc call)
      // A weight that divides the scale: X mod w is rem, no division.
      if (m.divides) return static_cast<std::int64_t>(at - m.t) * m_scale;
      const std::int64_t x = static_cast<std::int64_t>(at - m.t) * m_scale + m.rem;
      return x - x % m.weight;
    }
    __int128 x = static_cast<__int128>(at - m.t) * m_scale + m.rem;
    return static_cast<std::int64_t>(x - x % m.weight);
  }

  // The same summed over every member; `at` >= every member's t.
  std::int64_t total(std::uint64_t at) const {
    if (m_count == 0) return 0;
    __int128 x = (static_cast<__int128>(at) * m_count - m_sum_t) * m_scale + m_sum_rem;
    for (const Group& g : m_groups) {
      if (g.count == 0) continue;
      if (g.divides) {  // a = 0, nothing wraps
        x -= g.sum_c;
        continue;
      }
      const std::int64_t a = mod(m_scale * static_cast<std::int64_t>(at % static_cast<std::uint64_t>(g.weight)), g.weight);
      auto wrap = g.c.end() - std::lower_bound(g.c.begin(), g.c.end(), g.weight - a);
      x -= static_cast<__int128>(a) * static_cast<std::int64_t>(g.c.size()) + g.sum_c -
           static_cast<__int128>(g.weight) * wrap;
    }
    return static_cast<std::int64_t>(x);
  }

 private:
  struct Member {
    std::int64_t weight = 0;  // 0: not a member
    std::uint64_t t = 0;
    std::int64_t rem = 0;
    std::int64_t c = 0;
    std::uint32_t group = 0;  // index into m_groups
    bool divides = false;     // its group's
  };
  struct Group {
    std::int64_t weight;
    bool divides;                 // weight divides m_scale: c = rem, never wraps
    std::vector<std::int64_t> c;  // sorted; empty when `divides`
    std::int64_t sum_c = 0;
    std::int64_t count = 0;       // members
  };

  // The sorted residues of a weight that does not divide the scale, out of
  // line: add() and remove() then save few registers for the usual weights.
  [[gnu::noinline]] std::int64_t add_residue(Group& g, const Member& m) {
    const std::int64_t w = m.weight;
    const std::int64_t c =
        mod(m.rem - mod(m_scale * static_cast<std::int64_t>(m.t % static_cast<std::uint64_t>(w)), w), w);
    g.c.insert(std::upper_bound(g.c.begin(), g.c.end(), c), c);
    return c;
  }
  [[gnu::noinline]] static void remove_residue(Group& g, std::int64_t c) {
    g.c.erase(std::lower_bound(g.c.begin(), g.c.end(), c));
  }

  static std::int64_t mod(std::int64_t a, std::int64_t w) {
    std::int64_t r = a % w;
    return r < 0 ? r + w : r;
  }

  std::uint32_t group_of(std::int64_t weight) {
    for (std::size_t i = 0; i < m_groups.size(); ++i)
      if (m_groups[i].weight == weight) return static_cast<std::uint32_t>(i);
    m_groups.push_back(Group{weight, m_scale % weight == 0, {}, 0, 0});
    if (!m_groups.back().divides) m_groups.back().c.reserve(m_members.size());
    return static_cast<std::uint32_t>(m_groups.size() - 1);
  }

  std::int64_t m_scale;
  std::uint64_t m_fits64;  // cycles below this times m_scale (plus a remainder) fit 63 bits
  std::vector<Member> m_members;  // by pCPU
  std::vector<Group> m_groups;    // by weight, few
  std::int64_t m_count = 0;
  __int128 m_sum_t = 0;
  std::int64_t m_sum_rem = 0;
};

}  // namespace vmmsim::sched
