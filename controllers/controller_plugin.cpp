#include "controllers/controller_plugin.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>

#include "base/text.h"

namespace vmmsim::controllers {
namespace {

constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

// What a call threw, for the reason.
std::string thrown() {
  try {
    throw;
  } catch (const std::exception& e) {
    return fmt::format("threw: {}", printable(e.what()));
  } catch (...) {
    return "threw an exception that is not a std::exception";
  }
}

// The table's defect, or "" (read no further than its bounds).
std::string defect(const vmm_controller_ops_t& ops) {
  const std::size_t n = ops.name ? strnlen(ops.name, 65) : 0;
  if (n == 0 || n > 64 || !plain_name(std::string_view(ops.name, n)))
    return "has no valid 'name'; expected 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'";
  if (!ops.description) return "has no description";
  if (!ops.create) return "has no 'create'";
  if (!ops.destroy) return "has no 'destroy'";
  if (!ops.decide) return "has no 'decide'";
  return "";
}

}  // namespace

ControllerPlugin::~ControllerPlugin() {
  if (m_self) disable("unloaded");
}

void ControllerPlugin::disable(std::string why) {
  if (m_disabled.empty()) m_disabled = std::move(why);
  if (!m_self) return;
  void* self = m_self;
  m_self = nullptr;
  try {
    m_ops->destroy(self);
  } catch (...) {
    m_disabled += "; destroy " + thrown();
  }
}

void ControllerPlugin::open(const std::string& path, const Setup& setup) {
  m_name = std::filesystem::path(path).filename().string();  // until its table names it
  const std::string where = path.find('/') == std::string::npos ? "./" + path : path;
  void* raw = dlopen(where.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!raw)
    return disable(fmt::format("{}: not a loadable plugin ({})", path, printable(dlerror())));
  m_handle.reset(raw, [](void* h) { dlclose(h); });
  auto entry = reinterpret_cast<vmm_controller_entry_t>(dlsym(raw, VMMSIM_CONTROLLER_ENTRY));
  if (!entry)
    return disable(fmt::format("{}: not a controller plugin (no '{}' entry point)", path,
                               VMMSIM_CONTROLLER_ENTRY));
  try {
    m_ops = entry();
  } catch (...) {
    return disable(fmt::format("{}: its entry point {}", path, thrown()));
  }
  if (!m_ops) return disable(fmt::format("{}: its entry point returned no table", path));
  if (m_ops->abi_version != VMMSIM_CONTROLLER_ABI_VERSION)
    return disable(fmt::format("{}: ABI version {} does not match the VMM's {}", path,
                               m_ops->abi_version, VMMSIM_CONTROLLER_ABI_VERSION));
  if (std::string d = defect(*m_ops); !d.empty())
    return disable(fmt::format("{}: its table {}", path, d));
  m_name = m_ops->name;
  std::vector<const char*> vms, keys, values;
  for (const std::string& vm : setup.vms) vms.push_back(vm.c_str());
  for (const auto& [key, value] : setup.args)
    keys.push_back(key.c_str()), values.push_back(value.c_str());
  const vmm_ctl_config_t config{setup.cpus,
                                setup.clock,
                                setup.window,
                                vms.data(),
                                static_cast<std::uint32_t>(vms.size()),
                                keys.data(),
                                values.data(),
                                static_cast<std::uint32_t>(keys.size())};
  char err[VMM_CTL_TEXT] = "";
  try {
    m_self = m_ops->create(&config, err, sizeof err);
  } catch (...) {
    return disable(fmt::format("create {}", thrown()));
  }
  err[sizeof err - 1] = '\0';
  if (!m_self)
    disable(fmt::format("create failed: {}", err[0] ? printable(err) : "no reason given"));
}

std::optional<ControllerPlugin::Answer> ControllerPlugin::decide(const Snapshot& s,
                                                                 const std::string& active,
                                                                 Cycles active_since) {
  if (!on()) return std::nullopt;
  std::vector<vmm_ctl_vm_t> vms;
  for (const VmWindow& vm : s.vms)
    vms.push_back({vm.name.c_str(), vm.service ? 1 : 0, vm.share, vm.fair,
                   vm.fair_share_ratio.value_or(kNone), vm.input_p99.value_or(kNone),
                   vm.wait_p99.value_or(kNone), vm.deadline_misses});
  const vmm_ctl_snapshot_t snapshot{
      s.from,          s.to,           vms.data(),    static_cast<std::uint32_t>(vms.size()),
      s.runqueue_mean, s.runqueue_max, s.utilisation, s.last_swap_downtime.value_or(kNone),
      active.c_str(),  active_since};
  vmm_ctl_action_t action{};
  int failed = 0;
  try {
    failed = m_ops->decide(m_self, &snapshot, &action);
  } catch (...) {
    disable(fmt::format("decide {}", thrown()));
    return std::nullopt;
  }
  // Whatever it wrote, the VMM reads C strings.
  action.request[sizeof action.request - 1] = '\0';
  action.note[sizeof action.note - 1] = '\0';
  if (failed) {
    disable(fmt::format("decide failed: {}",
                        action.note[0] ? printable(action.note) : "no reason given"));
    return std::nullopt;
  }
  if (action.kind < VMM_CTL_NONE || action.kind > VMM_CTL_REVERT) {
    disable(fmt::format("decide answered action kind {}; expected 0 (none) to 3 (revert)",
                        action.kind));
    return std::nullopt;
  }
  return Answer{action.kind, action.request, action.note};
}

}  // namespace vmmsim::controllers
