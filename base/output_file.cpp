#include "base/output_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <streambuf>
#include <vector>

#include "base/input_error.h"
#include "base/temporary_files.h"

namespace vmmsim {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxLinks = 40;                     // as the kernel's path walk (ELOOP)
constexpr std::size_t kMaxNameInTemporary = 200;  // ".NAME.XXXXXX" stays under NAME_MAX

// Errors that say the path cannot be an output, not that writing failed.
bool is_bad_path(int error) {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
    case EACCES:
    case EPERM:
    case EROFS:
    case EISDIR:
    case ENAMETOOLONG:
    case ELOOP:
    case ENXIO:
    case ECONNREFUSED:
    case ETXTBSY:
      return true;
    default:
      return false;
  }
}

[[noreturn]] void refuse(const std::string& message, int error) {
  if (is_bad_path(error)) throw InputError(message);
  throw OutputError(message);
}

// The file a chain of symbolic links ends in (which need not exist yet).
std::string follow_links(const std::string& path) {
  fs::path at = path;
  for (int i = 0; i < kMaxLinks; ++i) {
    struct stat st;
    if (::lstat(at.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return at.string();
    std::error_code ec;
    const fs::path to = fs::read_symlink(at, ec);
    if (ec) return at.string();
    at = to.is_absolute() ? to : at.parent_path() / to;
  }
  throw InputError(
      fmt::format("{}: {}; expected a link that ends in a file", path, std::strerror(ELOOP)));
}

std::string folder_of(const std::string& target) {
  const fs::path folder = fs::path(target).parent_path();
  return folder.empty() ? "." : folder.string();
}

// The permissions a new file gets (0666 less the umask), or the replaced one's.
mode_t mode_for(const std::string& target) {
  struct stat st;
  if (::stat(target.c_str(), &st) == 0) return st.st_mode & 0777;  // not set-user-ID and the like
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

int connect_socket(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

}  // namespace

// A stream buffer over a file descriptor that keeps the first error (errno)
// and drops everything after it, so that finish() can name the cause.
class OutputFile::Buffer : public std::streambuf {
 public:
  explicit Buffer(int fd) : m_fd(fd), m_data(kBytes) { reset(); }
  int error() const { return m_error; }
  bool drain() {
    const bool ok = m_error == 0 && write_all(pbase(), static_cast<std::size_t>(pptr() - pbase()));
    reset();
    return ok;
  }

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (m_error) return 0;
    if (n > epptr() - pptr() && !drain()) return 0;
    if (n >= static_cast<std::streamsize>(kBytes / 2) && pptr() == pbase())  // a block: no copy
      return write_all(s, static_cast<std::size_t>(n)) ? n : 0;
    std::memcpy(pptr(), s, static_cast<std::size_t>(n));
    pbump(static_cast<int>(n));
    return n;
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  static constexpr std::size_t kBytes = std::size_t{1} << 16;
  void reset() { setp(m_data.data(), m_data.data() + m_data.size()); }
  bool write_all(const char* p, std::size_t n) {
    while (n > 0) {
      const ssize_t written = ::write(m_fd, p, n);
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) {
        m_error = written < 0 ? errno : EIO;
        return false;
      }
      p += written;
      n -= static_cast<std::size_t>(written);
    }
    return true;
  }

  int m_fd;
  std::vector<char> m_data;
  int m_error = 0;
};

OutputFile::OutputFile(std::string path) : m_path(std::move(path)) {
  if (m_path == "-") {
    m_kind = Kind::StandardStream;
    m_fd = STDOUT_FILENO;
    m_identity = FileIdentity::of_descriptor(STDOUT_FILENO).value_or(FileIdentity{});
    if (!m_identity.exists) m_identity.resolved = "<standard output>";
    return;
  }
  struct stat st;
  if (::stat(m_path.c_str(), &st) != 0) {
    const int error = errno;
    if (error != ENOENT && error != ENOTDIR)  // those two: open() names the folder
      throw InputError(fmt::format("{}: {}; expected a path where a file can be written", m_path,
                                   std::strerror(error)));
    m_target = follow_links(m_path);  // a new file, maybe through a dangling link
    m_identity = FileIdentity::of_path(m_target);
    return;
  }
  if (S_ISDIR(st.st_mode))
    throw InputError(fmt::format(
        "{}: is a directory; expected a file, a device or '-' (standard output)", m_path));
  // A disk or a partition: a report written there would destroy what it holds.
  if (S_ISBLK(st.st_mode))
    throw InputError(fmt::format(
        "{}: is a block device (a disk); expected a file, a character device, a FIFO, a socket or '-'",
        m_path));
  m_identity = FileIdentity::of_path(m_path);
  // The file this process already writes as standard output or error
  // (/dev/stdout, a shell's redirection): written there, in order.
  for (int fd : {STDOUT_FILENO, STDERR_FILENO}) {
    if (!m_identity.null_device && FileIdentity::of_descriptor(fd) == m_identity) {
      m_kind = Kind::StandardStream;
      m_fd = fd;
      return;
    }
  }
  if (S_ISREG(st.st_mode)) {
    std::error_code ec;
    const fs::path target = fs::canonical(m_path, ec);
    m_target = ec ? m_path : target.string();
  } else {
    m_kind = Kind::Direct;
    m_target = m_path;
  }
}

OutputFile::~OutputFile() { discard(); }

void OutputFile::open() {
  if (m_state != State::Unopened) return;
  if (m_kind == Kind::Direct) {
    struct stat st;
    const bool socket = ::stat(m_target.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
    m_fd = socket ? connect_socket(m_target)
                  : ::open(m_target.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (m_fd < 0) {
      const int error = errno;
      refuse(fmt::format("{}: cannot open for writing ({}); expected a writable file or device",
                         m_path, std::strerror(error)),
             error);
    }
    m_owns_fd = true;
  } else if (m_kind == Kind::Replaced) {
    const std::string folder = folder_of(m_target);
    struct stat st;
    const int found = ::stat(folder.c_str(), &st);
    if (found != 0 || !S_ISDIR(st.st_mode)) {
      const int error = found != 0 ? errno : ENOTDIR;
      const std::string what = error == ENOENT ? fmt::format("folder '{}' does not exist", folder)
                               : error == ENOTDIR
                                   ? fmt::format("'{}' is not a folder", folder)
                                   : fmt::format("folder '{}': {}", folder, std::strerror(error));
      throw InputError(fmt::format("{}: {}; expected a file in an existing folder", m_path, what));
    }
    // A file the user made read-only is not replaced behind their back.
    if (::access(m_target.c_str(), F_OK) == 0 && ::access(m_target.c_str(), W_OK) != 0) {
      const int error = errno;
      refuse(fmt::format("{}: cannot replace it ({}); expected a writable file", m_path,
                         std::strerror(error)),
             error);
    }
    const std::string name = fs::path(m_target).filename().string().substr(0, kMaxNameInTemporary);
    std::string temporary = (fs::path(folder) / ("." + name + ".XXXXXX")).string();
    int error = 0;
    {
      HeldSignals held;  // created and registered as one step
      m_fd = ::mkostemp(temporary.data(), O_CLOEXEC);
      error = errno;
      if (m_fd >= 0) register_temporary(temporary);
    }
    if (m_fd < 0) {
      refuse(fmt::format("{}: cannot create a file in '{}' ({}); expected a writable folder",
                         m_path, folder, std::strerror(error)),
             error);
    }
    m_temporary = temporary;
    m_owns_fd = true;
    if (::fchmod(m_fd, mode_for(m_target)) != 0) fail("cannot set the permissions", errno);
  }
  m_buffer = std::make_unique<Buffer>(m_fd);
  m_stream.rdbuf(m_buffer.get());
  m_state = State::Open;
}

void OutputFile::write(const char* data, std::size_t size) {
  if (m_state == State::Open) m_buffer->sputn(data, static_cast<std::streamsize>(size));
}

bool OutputFile::failed() const { return m_state == State::Open && m_buffer->error() != 0; }

void OutputFile::fail(const std::string& what, int error) {
  discard();
  throw OutputError(fmt::format("{}: {} ({})", m_path, what, std::strerror(error)));
}

void OutputFile::finish() {
  if (m_state != State::Open) return;
  m_state = State::Finished;
  m_stream.rdbuf(nullptr);
  if (!m_buffer->drain()) fail("write failed", m_buffer->error());
  if (m_kind == Kind::Replaced && ::fsync(m_fd) != 0) fail("write failed", errno);
  if (m_owns_fd) {
    const int fd = m_fd;
    m_fd = -1;
    m_owns_fd = false;
    if (::close(fd) != 0 && errno != EINTR) fail("write failed", errno);
  }
}

void OutputFile::commit() {
  if (m_temporary.empty()) return;
  if (::rename(m_temporary.c_str(), m_target.c_str()) != 0) fail("cannot rename into place", errno);
  unregister_temporary(m_temporary);
  m_temporary.clear();
}

void OutputFile::discard() {
  if (m_owns_fd) {
    ::close(m_fd);
    m_owns_fd = false;
    m_fd = -1;
  }
  if (!m_temporary.empty()) {
    ::unlink(m_temporary.c_str());
    unregister_temporary(m_temporary);
    m_temporary.clear();
  }
}

}  // namespace vmmsim
