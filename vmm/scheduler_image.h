// A scheduler image: a built-in policy, or a shared object opened with
// dlopen whose entry point returns the ops table (schedulers/sched_abi.h).
#pragma once

#include <memory>
#include <string>

#include "base/units.h"
#include "schedulers/sched_abi.h"

namespace vmmsim::vmm {

struct SchedulerImage {
  std::string name;             // the table's name
  std::string path;             // the shared object; empty for a built-in
  const vmm_sched_ops_t* ops = nullptr;
  Bytes bytes = 0;              // what it occupies in the image area
  std::shared_ptr<void> handle; // keeps a plugin open while any slot uses it

  bool builtin() const { return path.empty(); }
};

// Resolves a sched-load target: a built-in name, or a path to a plugin (it
// contains '/' or ends in ".so"). On failure returns false with the reason
// in *why: unknown name, missing file, not a plugin, no entry point, null
// table, ABI mismatch, or a table that fails sched::table_defect (checked
// whole before anything in it is called; built-ins too).
bool open_image(const std::string& target, SchedulerImage* image, std::string* why);

}  // namespace vmmsim::vmm
