#include "app/sweep_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <vector>

#include "base/file_text.h"
#include "base/output_file.h"

namespace vmmsim::app {
namespace {

namespace fs = std::filesystem;

std::string first_word(const fs::path& file) {
  std::ifstream in(file);
  std::string word;
  in >> word;
  return word;
}

std::string host_name() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

// A process's start time, in clock ticks after boot (/proc/PID/stat field
// 22): with the boot id, it tells a live owner from a later process that got
// its pid. "" if there is no such process.
std::string start_time(long pid) {
  const std::string stat = file_text(fmt::format("/proc/{}/stat", pid));
  const auto paren = stat.rfind(')');  // the command name may hold blanks and parentheses
  if (paren == std::string::npos) return "";
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
  }
  return field;
}

std::string own_identity() {
  return fmt::format("host {}\nboot {}\npid {}\nstart {}\n", host_name(),
                     first_word("/proc/sys/kernel/random/boot_id"), ::getpid(),
                     start_time(::getpid()));
}

struct Owner {
  std::string host, boot, start;
  long pid = 0;
};

Owner owner_of(const std::string& text) {
  Owner o;
  std::istringstream in(text);
  for (std::string key, value; in >> key >> value;) {
    if (key == "host") o.host = value;
    if (key == "boot") o.boot = value;
    if (key == "pid") o.pid = std::atol(value.c_str());
    if (key == "start") o.start = value;
  }
  return o;
}

// Known to be gone: an owner on this host, of an earlier boot or whose
// process has ended. An owner elsewhere cannot be asked.
bool gone(const Owner& o) {
  if (o.host != host_name()) return false;
  if (o.boot != first_word("/proc/sys/kernel/random/boot_id")) return true;
  return o.pid <= 0 || start_time(o.pid) != o.start;
}

bool make_exclusive(const fs::path& file, const std::string& text) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    throw OutputError(
        fmt::format("{}: cannot make the run's lock ({})", file.string(), std::strerror(errno)));
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written) {
    ::unlink(file.c_str());
    throw OutputError(fmt::format("{}: cannot write the run's lock", file.string()));
  }
  return true;
}

}  // namespace

std::optional<RunLock> RunLock::take(const fs::path& file, std::string* holder) {
  const std::string me = own_identity();
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (make_exclusive(file, me)) return RunLock(file, me);
    const std::string text = file_text(file);
    const Owner o = owner_of(text);
    *holder = fmt::format("host {}, pid {}", o.host, o.pid);
    if (text.empty() || !gone(o)) return std::nullopt;  // empty: its owner is writing it now
    // Stale: moved aside under a name of this process's own (a rename is
    // atomic), then made again. What was moved is looked at: if it is not the
    // stale lock read above, another worker took it over meanwhile, and it
    // is put back (a link fails if a third made one since) and wins.
    const fs::path aside = file.string() + fmt::format(".stale.{}", ::getpid());
    if (::rename(file.c_str(), aside.c_str()) == 0) {
      const bool moved_stale = file_text(aside) == text;
      if (!moved_stale) (void)::link(aside.c_str(), file.c_str());
      ::unlink(aside.c_str());
      if (!moved_stale) return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string RunLock::holder(const fs::path& file, bool* stale) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return "";
  const Owner o = owner_of(file_text(file));
  *stale = gone(o);
  return fmt::format("host {}, pid {}", o.host, o.pid);
}

RunLock::RunLock(RunLock&& other) noexcept
    : m_file(std::move(other.m_file)), m_owner(std::move(other.m_owner)) {
  other.m_file.clear();
}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    release();
    m_file = std::move(other.m_file);
    m_owner = std::move(other.m_owner);
    other.m_file.clear();
  }
  return *this;
}

RunLock::~RunLock() { release(); }

void RunLock::release() noexcept {
  if (m_file.empty()) return;
  try {
    if (file_text(m_file) == m_owner) ::unlink(m_file.c_str());
  } catch (...) {
  }
  m_file.clear();
}

}  // namespace vmmsim::app
