#include "report/vcd_writer.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace vmmsim::report {

namespace {

// Identifier codes: a, b, ..., z, aa, ab, ... (as short as the count allows).
std::string code_of(std::uint32_t index) {
  std::string code;
  std::uint64_t n = index;
  do {
    code.insert(code.begin(), static_cast<char>('a' + n % 26));
    n /= 26;
  } while (n-- > 0);
  return code;
}

// The eight binary digits of each byte, most significant first (and eight
// bytes of padding: the top byte's copy below reads past its own entry).
struct ByteDigits {
  char text[257 * 8] = {};
  constexpr ByteDigits() {
    for (unsigned b = 0; b < 256; ++b)
      for (unsigned bit = 0; bit < 8; ++bit) text[b * 8 + bit] = (b >> (7 - bit)) & 1 ? '1' : '0';
  }
};
constexpr ByteDigits kByteDigits;

// A vector value as VCD binary, leading zeros dropped, into `out` (72 bytes
// of room: a copy is 8 bytes whatever its digits), a byte of the value at a
// time: a traced run writes a few such lines per scheduling request.
inline char* binary(char* out, std::uint64_t v) {
  if (v == 0) {
    *out = '0';
    return out + 1;
  }
  const unsigned bits = 64 - static_cast<unsigned>(__builtin_clzll(v));
  unsigned shift = (bits - 1) & ~7u;  // of the top byte
  const unsigned top = bits - shift;  // its digits without leading zeros, 1 to 8
  std::memcpy(out, kByteDigits.text + (v >> shift) * 8 + (8 - top), 8);
  out += top;
  while (shift > 0) {
    shift -= 8;
    std::memcpy(out, kByteDigits.text + ((v >> shift) & 0xff) * 8, 8);
    out += 8;
  }
  return out;
}

// A decimal number into `out` (20 bytes), in place, two digits per step: a
// traced run writes a time stamp per changed cycle (std::to_chars measured
// 170 instructions per stamp here, and a copy of the digits a memmove call).
constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

char* decimal(char* out, std::uint64_t v) {
  static constexpr std::uint64_t kPow10[20] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
                                               10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
                                               100000000000ULL, 1000000000000ULL, 10000000000000ULL,
                                               100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
                                               100000000000000000ULL, 1000000000000000000ULL,
                                               10000000000000000000ULL};
  // Digits from the bit length: log10(2) ~ 1233/4096, corrected by one compare.
  const unsigned bits = 64 - static_cast<unsigned>(__builtin_clzll(v | 1));
  unsigned length = (bits * 1233) >> 12;
  length += length < 20 && v >= kPow10[length];
  if (length == 0) length = 1;
  char* const end = out + length;
  char* p = end;
  while (v >= 100) {
    const auto pair = static_cast<unsigned>(v % 100) * 2;
    v /= 100;
    *--p = kDigitPairs[pair + 1];
    *--p = kDigitPairs[pair];
  }
  if (v >= 10) {
    *--p = kDigitPairs[v * 2 + 1];
    *--p = kDigitPairs[v * 2];
  } else {
    *--p = static_cast<char>('0' + v);
  }
  return end;
}

}  // namespace

std::string leaf_name(const std::string& scope, const std::string& quantity) {
  std::string name = scope + "_" + quantity;
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

VcdWriter::VcdWriter(OutputFile& file, std::uint64_t period_ps) : m_file(file) {
  // The coarsest unit that keeps every cycle boundary exact.
  static constexpr std::pair<std::uint64_t, const char*> kScales[] = {
      {1000, "1 ns"}, {100, "100 ps"}, {10, "10 ps"}, {1, "1 ps"}};
  for (auto [ps, name] : kScales)
    if (period_ps % ps == 0) {
      m_units_per_cycle = period_ps / ps;
      m_timescale = name;
      m_viewer_units_per_cycle = ps == 1000 ? period_ps / 1000 : period_ps;
      break;
    }
  m_buffer.resize(kBufferBytes);
}

void VcdWriter::declare(VcdSignal& signal, const std::string& scope, const std::string& quantity, unsigned width,
                        std::uint64_t initial, const std::string& legend) {
  signal.m_writer = this;
  signal.m_index = static_cast<std::uint32_t>(m_signals.size());
  Signal s;
  Details d;
  d.scope = scope;
  d.name = leaf_name(scope, quantity);
  d.code = code_of(signal.m_index);
  d.width = width;
  s.single_bit = width == 1;
  s.mask = width < 64 ? (std::uint64_t{1} << width) - 1 : ~std::uint64_t{0};
  s.value = s.written = initial;
  if (!legend.empty()) {
    auto known = std::find_if(m_legends.begin(), m_legends.end(), [&](const Legend& l) { return l.name == legend; });
    d.legend = static_cast<std::uint32_t>(known - m_legends.begin());
    if (known == m_legends.end()) m_legends.push_back({legend, {}});
  }
  if (d.code.size() >= sizeof s.code_line) throw std::length_error("VCD: too many signals");
  std::memcpy(s.code_line, d.code.data(), d.code.size());
  s.code_line[d.code.size()] = '\n';
  s.code_line_length = static_cast<std::uint8_t>(d.code.size() + 1);
  m_signals.push_back(s);
  m_details.push_back(std::move(d));
  m_dirty.resize(m_signals.size());
  m_scheduled.resize(2 * m_signals.size());  // room for every signal's, and as many taken off the front
}

void VcdWriter::label(const std::string& legend, std::uint64_t value, const std::string& text) {
  auto l = std::find_if(m_legends.begin(), m_legends.end(), [&](const Legend& x) { return x.name == legend; });
  if (l == m_legends.end()) throw std::logic_error("VCD: label of an undeclared legend " + legend);
  auto named = std::find_if(l->labels.begin(), l->labels.end(), [&](const auto& v) { return v.first == value; });
  if (named == l->labels.end()) {
    l->labels.emplace_back(value, text);
    return;
  }
  // A slot that held two schedulers in turn: "bvt / eevdf", each name once.
  const std::string names = " / " + named->second + " / ";
  if (names.find(" / " + text + " / ") == std::string::npos) named->second += " / " + text;
}

void VcdWriter::label_signal(std::uint32_t index, std::uint64_t value, const std::string& text) {
  const std::uint32_t legend = m_details[index].legend;
  if (legend == kNoLegend) throw std::logic_error("VCD: label of a signal without a legend: " + m_details[index].name);
  label(m_legends[legend].name, value, text);
}

std::vector<VcdWriter::Declared> VcdWriter::declared() const {
  std::vector<Declared> out;
  for (const Details& s : m_details)
    out.push_back(
        {s.scope, s.name, s.width, s.legend == kNoLegend ? "" : m_legends[s.legend].name, s.bit_field, s.history});
  return out;
}

void VcdWriter::change(std::uint32_t index, std::uint64_t value, Cycles now) {
  Signal& s = m_signals[index];
  if (now != m_step || m_next_scheduled <= now || s.scheduled_at != kForever || s.has_waveform)
    return change_slowly(s, index, value, now);
  set_value(s, index, value);  // even an unchanged value: the first set in a cycle orders its line
}

void VcdWriter::change_slowly(Signal& s, std::uint32_t index, std::uint64_t value, Cycles now) {
  advance(now);
  if (s.scheduled_at != kForever) unschedule(s, index);  // a set overrides what was scheduled
  drop_waveform(s, index);
  set_value(s, index, value);
}

// `s` has nothing scheduled.
inline void VcdWriter::enqueue(Signal& s, std::uint32_t index, std::uint64_t value, Cycles at,
                               Cycles then_every) {
  s.scheduled_at = at;
  s.scheduled_value = value;
  s.count_down_every = then_every;
  // Into place from the back, where the latest are.
  if (m_scheduled_end == m_scheduled.size()) {  // the room the front has left, taken back
    std::copy(m_scheduled.begin() + m_scheduled_begin, m_scheduled.end(), m_scheduled.begin());
    m_scheduled_end -= m_scheduled_begin;
    m_scheduled_begin = 0;
  }
  const Scheduled added{at, index};
  std::uint32_t i = m_scheduled_end++;
  for (; i > m_scheduled_begin && added.before(m_scheduled[i - 1]); --i) m_scheduled[i] = m_scheduled[i - 1];
  m_scheduled[i] = added;
  m_next_scheduled = m_scheduled[m_scheduled_begin].at;
}

void VcdWriter::schedule(std::uint32_t index, std::uint64_t value, Cycles at, Cycles then_every) {
  Signal& s = m_signals[index];
  if (s.has_waveform || s.scheduled_at != kForever) return schedule_slowly(s, index, value, at, then_every);
  enqueue(s, index, value, at, then_every);
}

void VcdWriter::schedule_slowly(Signal& s, std::uint32_t index, std::uint64_t value, Cycles at,
                                Cycles then_every) {
  drop_waveform(s, index);  // the model's own change replaces its waveform
  if (s.scheduled_at != kForever) unschedule(s, index);
  enqueue(s, index, value, at, then_every);
}

void VcdWriter::unschedule(Signal& s, std::uint32_t index) {
  // Found by its place in the order, and the gap closed from the nearer end:
  // on huge a withdrawn VM entry has some hundred others in flight.
  const Scheduled taken{s.scheduled_at, index};
  s.scheduled_at = kForever;
  Scheduled* const first = m_scheduled.data() + m_scheduled_begin;
  Scheduled* const last = m_scheduled.data() + m_scheduled_end;
  Scheduled* const at =
      std::lower_bound(first, last, taken, [](const Scheduled& a, const Scheduled& b) { return a.before(b); });
  if (at - first < last - at) {
    std::copy_backward(first, at, at + 1);
    ++m_scheduled_begin;
  } else {
    std::copy(at + 1, last, at);
    --m_scheduled_end;
  }
  taken_out();
}

void VcdWriter::waveform(std::uint32_t index, VcdWaveform& waveform, Cycles from) {
  Signal& s = m_signals[index];
  if (s.scheduled_at != kForever) unschedule(s, index);
  m_details[index].waveform = &waveform;
  s.has_waveform = true;
  Cycles at = 0;
  std::uint64_t value = 0;
  if (waveform.next_change(from, &at, &value)) enqueue(s, index, value, at, 0);
}

void VcdWriter::comment(const std::string& text, Cycles now) {
  if (!m_started && now == 0) {
    m_header_comments += "$comment " + text + " $end\n";
    return;
  }
  advance(now);
  m_comments.push_back(text);
}

// Scheduled changes up to `now` come first, in cycle order: at their cycle
// they happened before anything a model sets at it directly.
void VcdWriter::advance(Cycles now) {
  if (m_next_scheduled <= now) apply_scheduled(now);
  if (now != m_step) {
    flush_step();
    m_step = now;
  }
}

void VcdWriter::apply_scheduled(Cycles upto) {
  while (m_next_scheduled <= upto) {
    const auto [at, index] = m_scheduled[m_scheduled_begin++];
    taken_out();
    Signal& s = m_signals[index];
    s.scheduled_at = kForever;
    const std::uint64_t value = s.scheduled_value;
    // Its next change, always at a later cycle.
    Cycles next_at = 0;
    std::uint64_t next_value = 0;
    if (s.count_down_every > 0 && value > 0)
      enqueue(s, index, value - 1, at + s.count_down_every, s.count_down_every);
    else if (s.has_waveform && m_details[index].waveform->next_change(at, &next_at, &next_value))
      enqueue(s, index, next_value, next_at, 0);
    if (at != m_step) {
      flush_step();
      m_step = at;
      // Alone in a cycle already past (a PIT edge, a FIFO count-down step):
      // nothing can join it, so it is written without the dirty list.
      if (at < upto && m_next_scheduled > at) {
        write_alone(s, index, value);
        continue;
      }
    }
    set_value(s, index, value);
  }
}

void VcdWriter::write_header() {
  std::string h;
  h += "$version vmmsim $end\n$timescale " + m_timescale + " $end\n" + m_header_comments;
  // Scopes nest by their dotted names; signals of one scope are declared
  // together (the platform does), so a scope opens and closes once.
  std::vector<std::string> open;
  auto parts_of = [](const std::string& scope) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t dot; (dot = scope.find('.', start)) != std::string::npos; start = dot + 1)
      parts.push_back(scope.substr(start, dot - start));
    parts.push_back(scope.substr(start));
    return parts;
  };
  for (const Details& s : m_details) {
    std::vector<std::string> parts = parts_of(s.scope);
    std::size_t common = 0;
    while (common < open.size() && common < parts.size() && open[common] == parts[common]) ++common;
    for (; open.size() > common; open.pop_back()) h += "$upscope $end\n";
    for (; open.size() < parts.size(); open.push_back(parts[open.size()]))
      h += "$scope module " + parts[open.size()] + " $end\n";
    h += "$var wire " + std::to_string(s.width) + " " + s.code + " " + s.name;
    if (s.width > 1) h += " [" + std::to_string(s.width - 1) + ":0]";
    h += " $end\n";
  }
  for (; !open.empty(); open.pop_back()) h += "$upscope $end\n";
  h += "$enddefinitions $end\n";
  text(h);
}

// Lines are written straight into the buffer (the hot part of a traced run:
// a few lines per scheduling request); room() keeps a line's worth free.
char* VcdWriter::room() {
  if (m_used + kLineBytes > m_buffer.size()) spill();
  return m_buffer.data() + m_used;
}

inline void VcdWriter::reserve(std::size_t bytes) {
  if (m_used + bytes <= m_buffer.size()) return;
  spill();
  if (bytes > m_buffer.size()) m_buffer.resize(bytes);
}

inline char* VcdWriter::write_value(char* out, const Signal& s) {
  if (s.single_bit) {
    *out++ = static_cast<char>('0' + (s.value & 1));
  } else {
    *out++ = 'b';
    out = binary(out, s.value & s.mask);
    *out++ = ' ';
  }
  std::memcpy(out, s.code_line, sizeof s.code_line);  // a fixed-size copy: no call
  return out + s.code_line_length;
}

inline char* VcdWriter::write_stamp(char* out, Cycles at) {
  *out = '#';
  out = m_stamp.write(out + 1, at * m_units_per_cycle);
  *out = '\n';
  return out + 1;
}

void VcdWriter::time_stamp(Cycles at) {
  char* const line = room();
  m_used += static_cast<std::size_t>(write_stamp(line, at) - line);
}

inline char* VcdWriter::Stamp::write(char* out, std::uint64_t v) {
  constexpr std::uint64_t kLow = 100000000;  // the low 8 digits
  if (v - m_base >= kLow) rebase(v);
  if (m_high_length == 0) return decimal(out, v);
  std::memcpy(out, m_high_digits, sizeof m_high_digits);  // a fixed-size copy: no call
  out += m_high_length;
  // The low 8 digits as a fraction low / 10^6 in 48-bit fixed point: its
  // integer part is the first pair, and each multiplication of the fraction
  // by 100 brings out the next, with no division. Exact: the multiplier's
  // excess (0.29 / 2^48) times low < 10^8 errs by under 1.1e-7 of a pair's
  // unit, 0.11 of the last digit's after the three steps, never enough to
  // cross a digit; the product stays under 2^55.
  constexpr std::uint64_t kFraction = (std::uint64_t{1} << 48) - 1;
  std::uint64_t f = (v - m_base) * 281474977u;  // ceil(2^48 / 10^6)
  std::memcpy(out, kDigitPairs + (f >> 48) * 2, 2);
  f = (f & kFraction) * 100;
  std::memcpy(out + 2, kDigitPairs + (f >> 48) * 2, 2);
  f = (f & kFraction) * 100;
  std::memcpy(out + 4, kDigitPairs + (f >> 48) * 2, 2);
  f = (f & kFraction) * 100;
  std::memcpy(out + 6, kDigitPairs + (f >> 48) * 2, 2);
  return out + 8;
}

void VcdWriter::Stamp::rebase(std::uint64_t v) {
  constexpr std::uint64_t kLow = 100000000;
  const std::uint64_t high = v / kLow;
  m_base = high * kLow;
  m_high_length = high == 0 ? 0 : static_cast<unsigned>(decimal(m_high_digits, high) - m_high_digits);
}

void VcdWriter::text(const std::string& s) {
  for (std::size_t at = 0; at < s.size(); at += kLineBytes) {
    const std::size_t n = std::min(kLineBytes, s.size() - at);
    std::copy_n(s.data() + at, n, room());
    m_used += n;
  }
}

// The values of the first cycle: all of them, after the header.
void VcdWriter::start() {
  m_started = true;
  write_header();
  time_stamp(0);
  text("$dumpvars\n");
  for (std::uint32_t index = 0; index < m_signals.size(); ++index) {
    Signal& s = m_signals[index];
    char* const line = room();
    m_used += static_cast<std::size_t>(write_value(line, s) - line);
    record(s, index, m_step);
    s.written = s.value;
    s.dirty = false;
  }
  text("$end\n");
  m_dirty_count = 0;
  write_comments();
}

// Writes the values of cycle m_step: the initial dump for the first one,
// then only what differs from the file.
void VcdWriter::write_step() {
  if (!m_started) return start();
  // Room for the stamp and every line at once, written through a local end.
  reserve((m_dirty_count + 1) * kLineBytes);
  char* const begin = m_buffer.data() + m_used;
  char* out = begin;
  // In locals: the lines' stores are of chars, which may alias any member,
  // so the loop would load each of these again per line.
  const std::uint32_t* const dirty = m_dirty.data();
  const std::uint32_t dirty_count = m_dirty_count;
  Signal* const signals = m_signals.data();
  const Cycles step = m_step;
  for (std::uint32_t d = 0; d < dirty_count; ++d) {
    const std::uint32_t index = dirty[d];
    Signal& s = signals[index];
    s.dirty = false;
    if (s.value == s.written) continue;  // changed and changed back within the cycle
    if (out == begin) out = write_stamp(out, step);
    out = write_value(out, s);
    record(s, index, step);
    s.written = s.value;
  }
  const bool stamped = out != begin;
  m_used += static_cast<std::size_t>(out - begin);
  m_dirty_count = 0;
  if (!m_comments.empty()) {
    if (!stamped) time_stamp(m_step);
    write_comments();
  }
}

// As write_step() writes a cycle that holds one change and no comment.
void VcdWriter::write_alone(Signal& s, std::uint32_t index, std::uint64_t value) {
  s.value = value;
  if (value == s.written) return;
  reserve(2 * kLineBytes);  // the stamp and the line
  char* const begin = m_buffer.data() + m_used;
  char* out = write_stamp(begin, m_step);
  out = write_value(out, s);
  m_used += static_cast<std::size_t>(out - begin);
  record(s, index, m_step);
  s.written = value;
}

void VcdWriter::write_comments() {
  for (const std::string& c : m_comments) text("$comment " + c + " $end\n");
  m_comments.clear();
}

void VcdWriter::spill() {
  m_file.write(m_buffer.data(), m_used);  // an error is kept by the file, reported when it is finished
  m_used = 0;
}

void VcdWriter::close(Cycles end, bool end_served) {
  if (m_closed) return;
  m_closed = true;
  // Those after the end never happened; those at it only if it was served.
  if (end_served || end > 0) apply_scheduled(end_served ? end : end - 1);
  flush_step();
  if (end > m_step) time_stamp(end);  // the waveform spans the whole run
  spill();
}

}  // namespace vmmsim::report
