#include "app/interrupt.h"

#include <unistd.h>

#include <cstring>

namespace vmmsim::app {

namespace {

volatile std::sig_atomic_t g_signal = 0;
// Filled before the handlers are installed and never changed after: the
// handler only reads it.
std::vector<std::string> g_temporaries;

void on_signal(int signal) {
  if (g_signal == 0) {
    g_signal = signal;
    return;
  }
  // The second one: nothing half-written stays, and the process dies of the
  // signal, as its sender expects. unlink and raise are async-signal-safe.
  for (const std::string& path : g_temporaries) ::unlink(path.c_str());
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

}  // namespace

void catch_interrupts(std::vector<std::string> temporaries) {
  g_temporaries = std::move(temporaries);
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signal : {SIGINT, SIGTERM}) {
    // A signal the parent ignores stays ignored (a shell's `vmmsim run &`
    // must not stop on the terminal's Ctrl-C), as with nohup.
    struct sigaction old;
    if (sigaction(signal, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    sigaction(signal, &action, nullptr);
  }
}

const volatile std::sig_atomic_t* interrupt_signal() { return &g_signal; }

std::string signal_name(int signal) {
  switch (signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "signal " + std::to_string(signal);
  }
}

}  // namespace vmmsim::app
