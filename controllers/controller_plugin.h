// A controller plugin (controllers/controller_abi.h) as the VMM drives it:
// opened with dlopen, its table checked before anything in it is called,
// each call guarded. A plugin that fails, throws or answers what cannot be
// read is disabled with the reason, and stays so; the run goes on without
// it (docs/controller.md "Controller plugins"). Plain C++.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/units.h"
#include "controllers/controller_abi.h"
#include "controllers/metric.h"

namespace vmmsim::controllers {

class ControllerPlugin {
 public:
  ControllerPlugin() = default;
  ~ControllerPlugin();
  ControllerPlugin(const ControllerPlugin&) = delete;
  ControllerPlugin& operator=(const ControllerPlugin&) = delete;

  struct Setup {
    unsigned cpus = 1;
    Hertz clock = 0;
    Cycles window = 0;
    std::vector<std::string> vms;
    std::vector<std::pair<std::string, std::string>> args;
  };
  // Opens `path` and creates the controller; on failure the plugin is
  // disabled with the reason (not a shared object, no entry point, another
  // ABI, a bad table, create failed or threw).
  void open(const std::string& path, const Setup& setup);

  bool on() const { return m_self != nullptr && m_disabled.empty(); }
  const std::string& name() const {
    return m_name;
  }  // the table's, or the file's name until opened
  const std::string& disabled() const { return m_disabled; }  // why; "" while on
  // Disables it: destroys its state (a destroy that throws is noted).
  void disable(std::string why);

  // Its answer to a window's metrics: kind (VMM_CTL_NONE..VMM_CTL_REVERT),
  // the request's words and its note. None if the call failed, threw or
  // answered a kind out of range: it is disabled then.
  struct Answer {
    int kind = VMM_CTL_NONE;
    std::string request, note;
  };
  std::optional<Answer> decide(const Snapshot& s, const std::string& active, Cycles active_since);

 private:
  std::shared_ptr<void> m_handle;
  const vmm_controller_ops_t* m_ops = nullptr;
  void* m_self = nullptr;
  std::string m_name;
  std::string m_disabled;
};

}  // namespace vmmsim::controllers
