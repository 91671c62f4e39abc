// A scheduler's parameters for one request: what a sched-load, a
// sched-stage and a sched-shadow give the instance they create
// (docs/replacement.md). Plain C++.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/units.h"
#include "config/config.h"
#include "vmm/scheduler_image.h"

namespace vmmsim::vmm {

// Every parameter of `image`: a built-in's from its [sched.NAME] section, a
// plugin's from its defaults, then `words` (KEY=VALUE as written) over them,
// each checked against the scheduler's spec. On failure returns false with
// the reason in *why; an unknown key's reason ends with " (`also`)" when
// `also` is given (what else the request takes).
bool resolve_scheduler_params(const SchedulerImage& image,
                              const std::vector<std::pair<std::string, std::string>>& words,
                              const config::Config& config, std::map<std::string, std::int64_t>* params,
                              std::string* why, const char* also = nullptr);

}  // namespace vmmsim::vmm
