// Input files read with their caps checked while reading, so that /dev/zero,
// a pipe that never ends or a gzip bomb is an error once past the cap, not a
// read until memory runs out (docs/robustness.md, "Caps on inputs"). One
// reader for configs, traces and the importers' inputs.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <streambuf>
#include <string>
#include <string_view>

namespace vmmsim {

// What is read, for its cap and messages.
struct InputKind {
  const char* noun;       // "config file": "PATH: cannot read config file (...)"
  const char* expected;   // "an INI config file": "PATH: is a directory; expected ..."
  std::uint64_t max_bytes;  // more is "PATH: more than CAP; expected <expected> of at most CAP"
  bool gunzip;            // data that starts with the gzip magic is inflated (the cap counts what comes out)
};

// The bytes of a file (or of data in memory), inflated where the kind says,
// as a streambuf: reading past the cap, unreadable, truncated or corrupt
// data throw InputError naming the file, from the read that finds it.
class CappedInput : public std::streambuf {
 public:
  CappedInput(const std::string& path, const InputKind& kind);
  // Data already in memory; `name` names it in messages.
  CappedInput(std::string_view data, const std::string& name, const InputKind& kind);
  ~CappedInput() override;
  CappedInput(const CappedInput&) = delete;
  CappedInput& operator=(const CappedInput&) = delete;

  std::uint64_t bytes_read() const { return m_total; }

 protected:
  int_type underflow() override;

 private:
  struct Inflater;
  bool fill(std::size_t bytes);  // at least `bytes` unread in m_in, unless the source ends
  std::size_t inflate_into(char* out, std::size_t size);
  [[noreturn]] void fail(const std::string& what) const;

  std::string m_name;  // printable, for messages
  InputKind m_kind;
  int m_fd = -1;            // a file, or -1 for data in memory
  std::string_view m_data;  // data in memory not yet taken into m_in
  bool m_source_end = false;
  std::string m_in;         // bytes read from the source, not yet used from m_in_at on
  std::size_t m_in_at = 0;
  bool m_started = false;   // the gzip magic has been looked for
  std::unique_ptr<Inflater> m_inflater;  // while inside gzip data
  bool m_gzip = false;                   // the data was gzip
  char m_buffer[1 << 16];
  std::uint64_t m_total = 0;  // bytes delivered (inflated)
};

// The whole content, through CappedInput.
std::string read_capped(const std::string& path, const InputKind& kind);
std::string read_capped(std::string_view data, const std::string& name, const InputKind& kind);
// The same for line-oriented text, with read_line's limit on each line
// checked while reading (every line ends in '\n' in the result).
std::string read_capped_lines(const std::string& path, const InputKind& kind, std::size_t max_line_chars);

// The next line of `in` (without its line end) into *line; false at the end.
// A line longer than max_chars (a '\r' before the '\n' not counted) is an
// InputError "FILE:LINE: line of more than N characters; expected at most N".
bool read_line(std::istream& in, std::string* line, std::size_t max_chars, const std::string& file,
               std::uint64_t line_number);

// "1 MiB", "64 MiB", "1 GiB": a cap as messages and docs write it.
std::string cap_text(std::uint64_t bytes);

}  // namespace vmmsim
