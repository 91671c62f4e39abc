// A run's lock in a sweep (docs/sweeps.md "What sweep run guarantees"): a file made
// with O_CREAT | O_EXCL, which one process at a time can make, also on NFS
// (v3 and later) and the cluster file systems. It holds its owner: host,
// boot, process and the process's start time. It saves work — two workers
// that meet at one run do not both simulate it — while the results stay
// correct without it: a run's result folder is put in place by one rename
// that only the first finisher wins (app/sweep_run.cpp).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace vmmsim::app {

class RunLock {
 public:
  // Takes the lock `file`, or gives none and says in `holder` who holds it
  // ("host vm, pid 4242"). A lock whose owner process on this host has ended
  // (killed, its node rebooted) is stale and taken over.
  static std::optional<RunLock> take(const std::filesystem::path& file, std::string* holder);
  // Who holds `file` now, and whether that owner is known to be gone (on
  // this host, ended): for `sweep status`. "" when there is no lock.
  static std::string holder(const std::filesystem::path& file, bool* stale);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  ~RunLock();
  // Removes the file if it is still this process's lock.
  void release() noexcept;

 private:
  RunLock(std::filesystem::path file, std::string owner)
      : m_file(std::move(file)), m_owner(std::move(owner)) {}
  std::filesystem::path m_file;
  std::string m_owner;  // the text written into it
};

}  // namespace vmmsim::app
