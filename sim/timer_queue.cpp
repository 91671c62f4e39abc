#include "sim/timer_queue.h"

namespace vmmsim {

void TimerQueue::Lane::grow() {
  std::vector<Entry> grown(m_ring.empty() ? 8 : 2 * m_ring.size());
  for (std::size_t i = 0; i < m_size; ++i) grown[i] = m_ring[(m_head + i) & (m_ring.size() - 1)];
  m_ring.swap(grown);
  m_head = 0;
}

void TimerQueue::add(Cycles due, Rank rank, std::uint64_t order_key, std::uint32_t kind, std::uint64_t token) {
  const auto r = static_cast<unsigned>(rank);
  const Entry e{due, std::uint64_t{r} << kShift | order_key, m_seq++, std::uint64_t{kind} << kShift | token};
  Lane& lane = m_lanes[r];
  unsigned at = r;
  if (lane.empty() || !e.before(lane.back())) {
    lane.push(e);
    m_busy |= 1u << r;
  } else {
    push_heap(e);
    at = kHeap;
  }
  if (m_first_at == kNone || e.before(m_first)) {  // a new earliest entry
    m_first_at = at;
    m_first = e;
    post(e.due, rank);
  }
}

void TimerQueue::push_heap(const Entry& e) {
  std::size_t at = m_heap.size();
  m_heap.push_back(e);
  while (at > 0) {  // sift the hole up
    const std::size_t parent = (at - 1) / 2;
    if (!e.before(m_heap[parent])) break;
    m_heap[at] = m_heap[parent];
    at = parent;
  }
  m_heap[at] = e;
}

void TimerQueue::pop_heap() {
  const Entry last = m_heap.back();
  m_heap.pop_back();
  const std::size_t n = m_heap.size();
  if (n == 0) return;
  std::size_t at = 0;  // sift the hole at the root down
  for (;;) {
    std::size_t child = 2 * at + 1;
    if (child >= n) break;
    if (child + 1 < n && m_heap[child + 1].before(m_heap[child])) ++child;
    if (!m_heap[child].before(last)) break;
    m_heap[at] = m_heap[child];
    at = child;
  }
  m_heap[at] = last;
}

unsigned TimerQueue::earliest() const {
  unsigned best = m_heap.empty() ? kNone : kHeap;
  const Entry* first = m_heap.empty() ? nullptr : &m_heap.front();
  for (std::uint32_t busy = m_busy; busy != 0; busy &= busy - 1) {
    const auto r = static_cast<unsigned>(__builtin_ctz(busy));
    const Entry& e = m_lanes[r].front();
    if (!first || e.before(*first)) {
      first = &e;
      best = r;
    }
  }
  return best;
}

void TimerQueue::post_first() {
  m_first_at = earliest();
  if (m_first_at == kNone) return post(kForever, Rank::Arrival);
  m_first = m_first_at == kHeap ? m_heap.front() : m_lanes[m_first_at].front();
  post(m_first.due, static_cast<Rank>(m_first.rank_key >> kShift));
}

void TimerQueue::serve(Cycles now) {
  const std::uint64_t payload = m_first.payload;
  if (m_first_at == kHeap) {
    pop_heap();
  } else {
    Lane& lane = m_lanes[m_first_at];
    lane.pop();
    if (lane.empty()) m_busy &= ~(1u << m_first_at);
  }
  post_first();
  m_handler(static_cast<std::uint32_t>(payload >> kShift), payload & ((std::uint64_t{1} << kShift) - 1), now);
}

}  // namespace vmmsim
