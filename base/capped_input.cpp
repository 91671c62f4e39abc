#include "base/capped_input.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "base/input_error.h"
#include "base/text.h"

namespace vmmsim {

namespace {
constexpr std::size_t kChunk = 1 << 16;

bool gzip_magic(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}
}  // namespace

struct CappedInput::Inflater {
  z_stream zs{};
  Inflater() {
    if (inflateInit2(&zs, 15 + 16) != Z_OK) throw std::bad_alloc();  // 16: the gzip wrapper only
  }
  ~Inflater() { inflateEnd(&zs); }
};

CappedInput::CappedInput(const std::string& path, const InputKind& kind) : m_name(printable(path)), m_kind(kind) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(fmt::format("is a directory; expected {}", kind.expected));
  m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m_fd < 0) fail(fmt::format("cannot read {} ({})", kind.noun, std::strerror(errno)));
}

CappedInput::CappedInput(std::string_view data, const std::string& name, const InputKind& kind)
    : m_name(printable(name)), m_kind(kind), m_data(data) {}

CappedInput::~CappedInput() {
  if (m_fd >= 0) ::close(m_fd);
}

void CappedInput::fail(const std::string& what) const { throw InputError(m_name + ": " + what); }

bool CappedInput::fill(std::size_t bytes) {
  if (m_in_at > 0 && m_in_at == m_in.size()) m_in.clear(), m_in_at = 0;
  while (m_in.size() - m_in_at < bytes && !m_source_end) {
    if (m_in_at >= kChunk) m_in.erase(0, m_in_at), m_in_at = 0;
    const std::size_t at = m_in.size();
    m_in.resize(at + kChunk);
    std::size_t got = 0;
    if (m_fd >= 0) {
      ssize_t n;
      do n = ::read(m_fd, m_in.data() + at, kChunk);
      while (n < 0 && errno == EINTR);
      if (n < 0) fail(fmt::format("cannot read {} ({})", m_kind.noun, std::strerror(errno)));
      got = static_cast<std::size_t>(n);
    } else {
      got = std::min(kChunk, m_data.size());
      std::memcpy(m_in.data() + at, m_data.data(), got);
      m_data.remove_prefix(got);
    }
    m_in.resize(at + got);
    m_source_end = got == 0;
  }
  return m_in.size() - m_in_at >= bytes;
}

std::size_t CappedInput::inflate_into(char* out, std::size_t size) {
  z_stream& zs = m_inflater->zs;
  for (;;) {
    fill(1);
    zs.next_in = reinterpret_cast<Bytef*>(m_in.data() + m_in_at);
    zs.avail_in = static_cast<uInt>(m_in.size() - m_in_at);
    zs.next_out = reinterpret_cast<Bytef*>(out);
    zs.avail_out = static_cast<uInt>(size);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    m_in_at = m_in.size() - zs.avail_in;
    const std::size_t produced = size - zs.avail_out;
    if (rc == Z_STREAM_END) {
      // `gzip -c a b > c` concatenates members; anything else after one ends the data.
      fill(2);
      if (!gzip_magic(std::string_view(m_in).substr(m_in_at))) {
        m_inflater.reset();
        m_in_at = m_in.size();
        m_data = {};
        m_source_end = true;
        return produced;
      }
      inflateReset(&zs);
    } else if (rc == Z_BUF_ERROR && zs.avail_in == 0 && m_source_end) {
      fail("truncated gzip data; expected a complete .gz file");
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      fail(fmt::format("corrupt gzip data ({}); expected a .gz file", zs.msg ? zs.msg : fmt::format("zlib error {}", rc)));
    }
    if (produced > 0) return produced;
  }
}

CappedInput::int_type CappedInput::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  if (!m_started) {
    m_started = true;
    if (m_kind.gunzip && fill(2) && gzip_magic(std::string_view(m_in).substr(m_in_at)))
      m_inflater = std::make_unique<Inflater>(), m_gzip = true;
  }
  std::size_t n = 0;
  if (m_inflater) {
    n = inflate_into(m_buffer, sizeof m_buffer);
  } else if (fill(1)) {
    n = std::min(sizeof m_buffer, m_in.size() - m_in_at);
    std::memcpy(m_buffer, m_in.data() + m_in_at, n);
    m_in_at += n;
  }
  if (n == 0) return traits_type::eof();
  m_total += n;
  if (m_total > m_kind.max_bytes)
    fail(fmt::format("more than {}{}; expected {} of at most {}", cap_text(m_kind.max_bytes),
                     m_gzip ? " uncompressed" : "", m_kind.expected, cap_text(m_kind.max_bytes)));
  setg(m_buffer, m_buffer, m_buffer + n);
  return traits_type::to_int_type(*gptr());
}

std::string read_capped(const std::string& path, const InputKind& kind) {
  CappedInput in(path, kind);
  std::string text;
  char chunk[kChunk];
  for (std::streamsize n; (n = in.sgetn(chunk, sizeof chunk)) > 0;) text.append(chunk, static_cast<std::size_t>(n));
  return text;
}

std::string read_capped(std::string_view data, const std::string& name, const InputKind& kind) {
  CappedInput in(data, name, kind);
  std::string text;
  char chunk[kChunk];
  for (std::streamsize n; (n = in.sgetn(chunk, sizeof chunk)) > 0;) text.append(chunk, static_cast<std::size_t>(n));
  return text;
}

std::string read_capped_lines(const std::string& path, const InputKind& kind, std::size_t max_line_chars) {
  CappedInput buffer(path, kind);
  std::istream in(&buffer);
  std::string text, line;
  for (std::uint64_t n = 1; read_line(in, &line, max_line_chars, path, n); ++n) text += line + '\n';
  return text;
}

bool read_line(std::istream& in, std::string* line, std::size_t max_chars, const std::string& file,
               std::uint64_t line_number) {
  line->clear();
  std::streambuf* buffer = in.rdbuf();
  bool any = false;
  for (;;) {
    const auto c = buffer->sbumpc();
    if (c == std::streambuf::traits_type::eof()) return any;
    any = true;
    if (c == '\n') return true;
    // A '\r' may follow the longest line: it belongs to the line end.
    if (line->size() >= max_chars && !(line->size() == max_chars && c == '\r'))
      throw InputError(fmt::format("{}:{}: line of more than {} characters; expected at most {}", printable(file),
                                   line_number, max_chars, max_chars));
    *line += static_cast<char>(c);
  }
}

std::string cap_text(std::uint64_t bytes) {
  if (bytes % (std::uint64_t{1} << 30) == 0) return fmt::format("{} GiB", bytes >> 30);
  if (bytes % (std::uint64_t{1} << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes % (std::uint64_t{1} << 10) == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}

}  // namespace vmmsim
