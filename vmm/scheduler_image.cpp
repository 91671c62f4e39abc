#include "vmm/scheduler_image.h"

#include <dlfcn.h>

#include <exception>
#include <filesystem>

#include <fmt/format.h>

#include "schedulers/registry.h"
#include "schedulers/table_check.h"
#include "workload/control_request.h"

namespace vmmsim::vmm {

bool open_image(const std::string& target, SchedulerImage* image, std::string* why) {
  if (!workload::is_image_path(target)) {
    const vmm_sched_ops_t* ops = sched::find_builtin(target);
    if (!ops) {
      std::string names;
      for (const auto* b : sched::builtin_schedulers()) names += (names.empty() ? "" : ", ") + std::string(b->name);
      *why = fmt::format("unknown scheduler '{}'; built-ins are {}, or give a plugin path (.so)", target, names);
      return false;
    }
    // Built-ins pass the same checks as plugins (a unit test holds them to it).
    if (std::string defect = sched::table_defect(*ops); !defect.empty()) {
      *why = fmt::format("{}: its ops table {}", target, defect);
      return false;
    }
    *image = SchedulerImage{ops->name, "", ops, ops->image_bytes, nullptr};
    return true;
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(target, ec)) {
    *why = fmt::format("{}: no such plugin file", target);
    return false;
  }
  // A name without '/' would make dlopen search the system's library path.
  const std::string where = target.find('/') == std::string::npos ? "./" + target : target;
  void* raw = dlopen(where.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!raw) {
    *why = fmt::format("{}: not a loadable plugin ({})", target, dlerror());
    return false;
  }
  std::shared_ptr<void> handle(raw, [](void* h) { dlclose(h); });
  auto entry = reinterpret_cast<vmm_sched_entry_t>(dlsym(raw, VMMSIM_SCHED_ENTRY));
  if (!entry) {
    *why = fmt::format("{}: not a vmmsim plugin (no '{}' entry point)", target, VMMSIM_SCHED_ENTRY);
    return false;
  }
  const vmm_sched_ops_t* ops = nullptr;
  try {  // a plugin in C++ may throw even here
    ops = entry();
  } catch (const std::exception& e) {
    *why = fmt::format("{}: its entry point threw: {}", target, e.what());
    return false;
  } catch (...) {
    *why = fmt::format("{}: its entry point threw", target);
    return false;
  }
  if (!ops) {
    *why = fmt::format("{}: its entry point returned no ops table", target);
    return false;
  }
  if (ops->abi_version != VMMSIM_SCHED_ABI_VERSION) {
    *why = fmt::format("{}: ABI version {} does not match the VMM's {}", target, ops->abi_version,
                       VMMSIM_SCHED_ABI_VERSION);
    return false;
  }
  // The whole table before anything in it is called (docs/plugins.md).
  if (std::string defect = sched::table_defect(*ops); !defect.empty()) {
    *why = fmt::format("{}: its ops table {}", target, defect);
    return false;
  }
  Bytes bytes = ops->image_bytes ? ops->image_bytes : std::filesystem::file_size(target, ec);
  *image = SchedulerImage{ops->name, target, ops, bytes, std::move(handle)};
  return true;
}

}  // namespace vmmsim::vmm
