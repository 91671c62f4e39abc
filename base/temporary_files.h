// The temporary files that outputs are being written to, by their real
// (unique) names, so that a signal handler can remove them: a run aborted
// by a second Ctrl-C leaves nothing behind (app/interrupt.h).
#pragma once

#include <signal.h>

#include <string>

namespace vmmsim {

// Both are called with SIGINT, SIGTERM and SIGHUP blocked, so a handler never
// sees the list half-changed.
void register_temporary(const std::string& path);
void unregister_temporary(const std::string& path);

// Unlinks every registered temporary. Async-signal-safe (only unlink(2) and
// reads), for the handler of the signal that aborts a run.
void remove_temporaries_now();

// Holds SIGINT, SIGTERM and SIGHUP while it lives: they are delivered when it
// ends. For steps a signal must not cut in two (the renames of a multi-file
// output).
class HeldSignals {
 public:
  HeldSignals();
  ~HeldSignals();
  HeldSignals(const HeldSignals&) = delete;
  HeldSignals& operator=(const HeldSignals&) = delete;

 private:
  sigset_t m_previous;  // the caller's mask, restored
};

}  // namespace vmmsim
