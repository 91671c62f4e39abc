#include "base/temporary_files.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace vmmsim {
namespace {

// Changed only while the signals are held (HeldSignals), read by a handler.
std::vector<std::string>& temporaries() {
  static std::vector<std::string> list;
  return list;
}

}  // namespace

HeldSignals::HeldSignals() {
  sigset_t held;
  sigemptyset(&held);
  sigaddset(&held, SIGINT);
  sigaddset(&held, SIGTERM);
  sigaddset(&held, SIGHUP);
  sigprocmask(SIG_BLOCK, &held, &m_previous);
}

HeldSignals::~HeldSignals() { sigprocmask(SIG_SETMASK, &m_previous, nullptr); }

void register_temporary(const std::string& path) {
  std::string copy = path;  // allocate before the signals are held
  HeldSignals held;
  temporaries().reserve(temporaries().size() + 1);
  temporaries().push_back(std::move(copy));
}

void unregister_temporary(const std::string& path) {
  HeldSignals held;
  auto& list = temporaries();
  list.erase(std::remove(list.begin(), list.end(), path), list.end());
}

void remove_temporaries_now() {
  for (const std::string& path : temporaries()) ::unlink(path.c_str());
}

}  // namespace vmmsim
