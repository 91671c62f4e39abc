#include "report/vcd_writer.h"

#include <cerrno>
#include <cstring>

#include "base/input_error.h"

namespace vmmsim::report {

namespace {

constexpr std::size_t kSpillBytes = std::size_t{1} << 20;

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

void append_decimal(std::string& out, std::uint64_t v) {
  char digits[20];
  int n = 0;
  do digits[n++] = static_cast<char>('0' + v % 10);
  while ((v /= 10) != 0);
  while (n > 0) out.push_back(digits[--n]);
}

// A vector value as VCD binary, leading zeros dropped.
void append_binary(std::string& out, std::uint64_t v, unsigned width) {
  if (width < 64) v &= (std::uint64_t{1} << width) - 1;
  int bit = v == 0 ? 0 : 63 - __builtin_clzll(v);
  for (; bit >= 0; --bit) out.push_back((v >> bit) & 1 ? '1' : '0');
}

}  // namespace

VcdWriter::VcdWriter(const std::string& path, std::uint64_t period_ps) : m_path(path) {
  // The coarsest unit that keeps every cycle boundary exact.
  static constexpr std::pair<std::uint64_t, const char*> kScales[] = {
      {1000, "1 ns"}, {100, "100 ps"}, {10, "10 ps"}, {1, "1 ps"}};
  for (auto [ps, name] : kScales)
    if (period_ps % ps == 0) {
      m_units_per_cycle = period_ps / ps;
      m_timescale = name;
      break;
    }
  m_file = std::fopen((path + ".partial").c_str(), "wb");
  if (!m_file) throw InputError(path + ": cannot write the VCD (" + std::strerror(errno) + ")");
  m_buffer.reserve(kSpillBytes + 4096);
}

VcdWriter::~VcdWriter() {
  if (m_file) {  // not closed: an aborted run leaves no half file
    std::fclose(m_file);
    std::remove((m_path + ".partial").c_str());
  }
}

void VcdWriter::declare(VcdSignal& signal, const std::string& scope, const std::string& name, unsigned width,
                        std::uint64_t initial) {
  signal.m_writer = this;
  signal.m_index = static_cast<std::uint32_t>(m_signals.size());
  m_signals.push_back(Signal{scope, name, code_of(signal.m_index), width, initial, initial});
}

void VcdWriter::change(std::uint32_t index, std::uint64_t value, Cycles now) {
  if (now != m_step) {
    flush_step();
    m_step = now;
  }
  Signal& s = m_signals[index];
  if (!s.dirty) {
    s.dirty = true;
    m_dirty.push_back(index);
  }
  s.value = value;
}

void VcdWriter::write_header() {
  m_buffer += "$version vmmsim $end\n$timescale " + m_timescale + " $end\n";
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
  for (const Signal& s : m_signals) {
    std::vector<std::string> parts = parts_of(s.scope);
    std::size_t common = 0;
    while (common < open.size() && common < parts.size() && open[common] == parts[common]) ++common;
    for (; open.size() > common; open.pop_back()) m_buffer += "$upscope $end\n";
    for (; open.size() < parts.size(); open.push_back(parts[open.size()]))
      m_buffer += "$scope module " + parts[open.size()] + " $end\n";
    m_buffer += "$var wire " + std::to_string(s.width) + " " + s.code + " " + s.name;
    if (s.width > 1) m_buffer += " [" + std::to_string(s.width - 1) + ":0]";
    m_buffer += " $end\n";
  }
  for (; !open.empty(); open.pop_back()) m_buffer += "$upscope $end\n";
  m_buffer += "$enddefinitions $end\n";
}

void VcdWriter::write_value(const Signal& s) {
  if (s.width == 1) {
    m_buffer.push_back(s.value & 1 ? '1' : '0');
  } else {
    m_buffer.push_back('b');
    append_binary(m_buffer, s.value, s.width);
    m_buffer.push_back(' ');
  }
  m_buffer += s.code;
  m_buffer.push_back('\n');
}

void VcdWriter::time_stamp(Cycles at) {
  m_buffer.push_back('#');
  append_decimal(m_buffer, at * m_units_per_cycle);
  m_buffer.push_back('\n');
}

// Writes the values of cycle m_step: the initial dump for the first one,
// then only what differs from the file.
void VcdWriter::flush_step() {
  if (!m_started) {
    m_started = true;
    write_header();
    time_stamp(0);
    m_buffer += "$dumpvars\n";
    for (Signal& s : m_signals) {
      write_value(s);
      s.written = s.value;
      s.dirty = false;
    }
    m_buffer += "$end\n";
    m_dirty.clear();
    return;
  }
  bool stamped = false;
  for (std::uint32_t i : m_dirty) {
    Signal& s = m_signals[i];
    s.dirty = false;
    if (s.value == s.written) continue;  // changed and changed back within the cycle
    if (!stamped) time_stamp(m_step), stamped = true;
    write_value(s);
    s.written = s.value;
  }
  m_dirty.clear();
  if (m_buffer.size() >= kSpillBytes) spill();
}

void VcdWriter::spill() {
  if (!m_buffer.empty() && std::fwrite(m_buffer.data(), 1, m_buffer.size(), m_file) != m_buffer.size())
    throw InputError(m_path + ": write failed (" + std::strerror(errno) + ")");
  m_buffer.clear();
}

void VcdWriter::close(Cycles end) {
  if (!m_file) return;
  flush_step();
  if (end > m_step) time_stamp(end);  // the waveform spans the whole run
  spill();
  const bool failed = std::fclose(m_file) != 0;
  m_file = nullptr;
  const std::string partial = m_path + ".partial";
  if (failed || std::rename(partial.c_str(), m_path.c_str()) != 0) {
    std::remove(partial.c_str());
    throw InputError(m_path + ": cannot write the VCD (" + std::strerror(errno) + ")");
  }
}

}  // namespace vmmsim::report
