#include "vmm/scheduler_params.h"

#include <fmt/format.h>

#include "schedulers/param_value.h"

namespace vmmsim::vmm {

bool resolve_scheduler_params(const SchedulerImage& image,
                              const std::vector<std::pair<std::string, std::string>>& words,
                              const config::Config& config, std::map<std::string, std::int64_t>* params,
                              std::string* why, const char* also) {
  const vmm_sched_ops_t& ops = *image.ops;
  const Hertz clock = config.platform.clock;
  auto configured = config.sched.find(image.name);
  for (std::uint32_t i = 0; i < ops.param_count; ++i) {
    const vmm_param_spec_t& spec = ops.params[i];
    // A built-in starts from its [sched.NAME] section; a plugin from its defaults.
    if (image.builtin() && configured != config.sched.end() && configured->second.count(spec.key))
      (*params)[spec.key] = configured->second.at(spec.key);
    else
      (*params)[spec.key] = sched::param_default(spec, clock);
  }
  for (const auto& [key, text] : words) {
    const vmm_param_spec_t* spec = nullptr;
    for (std::uint32_t i = 0; i < ops.param_count; ++i)
      if (key == ops.params[i].key) spec = &ops.params[i];
    if (!spec) {
      *why = fmt::format("{} has no parameter '{}'{}", image.name, key, also ? fmt::format(" ({})", also) : "");
      return false;
    }
    std::string expected;
    auto v = sched::param_value(*spec, text, clock, &expected);
    if (!v) {
      *why = fmt::format("{}={}: expected {}", key, text, expected);
      return false;
    }
    (*params)[key] = *v;
  }
  return true;
}

}  // namespace vmmsim::vmm
