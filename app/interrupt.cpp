#include "app/interrupt.h"

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <ctime>

#include "base/temporary_files.h"

namespace vmmsim::app {

namespace {

volatile std::sig_atomic_t g_signal = 0;
std::int64_t g_first_ns = 0;  // when it came (CLOCK_MONOTONIC); the handler runs with the stop signals blocked

// Nothing half-written stays, and the process dies of the signal, as its
// sender expects. unlink and raise are async-signal-safe.
void die_of(int signal) {
  remove_temporaries_now();
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

void on_signal(int signal) {
  const std::int64_t now = monotonic_ns();
  if (g_signal == 0) {
    g_first_ns = now;
    g_signal = signal;
    return;
  }
  if (signal == g_signal && now - g_first_ns < kSameRequestNs) return;
  die_of(signal);
}

}  // namespace

std::int64_t monotonic_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);  // async-signal-safe
  return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

namespace {

void install(void (*handler)(int)) {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);  // one handler at a time: g_first_ns is plain data
  for (int signal : kStopSignals) sigaddset(&action.sa_mask, signal);
  action.sa_flags = SA_RESTART;
  // SIGHUP: the terminal went away (a closed ssh session); stop as for SIGTERM.
  for (int signal : kStopSignals) {
    // A signal the parent ignores stays ignored (a shell's `vmmsim run &`
    // must not stop on the terminal's Ctrl-C), as with nohup.
    struct sigaction old;
    if (sigaction(signal, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    sigaction(signal, &action, nullptr);
  }
}

}  // namespace

void catch_interrupts() { install(on_signal); }

void abort_on_interrupts() { install(die_of); }

const volatile std::sig_atomic_t* interrupt_signal() { return &g_signal; }

std::string signal_name(int signal) {
  switch (signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: {
      // Any other signal by its usual name (SIGKILL, SIGSEGV), as kill -l gives it.
      const char* abbreviation = sigabbrev_np(signal);
      return abbreviation ? std::string("SIG") + abbreviation : "signal " + std::to_string(signal);
    }
  }
}

}  // namespace vmmsim::app
