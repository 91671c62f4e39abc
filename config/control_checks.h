// The checks every scheduler control request of a run passes before the
// run (docs/config.md): `[run] swap`, `stage` and `shadow`, their options
// and the service trace's control steps alike. Plain C++.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace vmmsim::config {

// The built-in schedulers' names, for messages: "fifo, rr, ...".
std::string builtin_names();

// Why a load can never succeed, whatever runs before it: an unknown
// built-in, or a plugin file that is not there. "" if it may.
std::string hopeless_load(const workload::ControlRequest& r);

// Why a load names an image source the config does not declare; "" if it
// names none or a declared one.
std::string unknown_source(const workload::ControlRequest& r, const std::map<std::string, ImageSource>& sources);

// The words of a request as --swap and [run] swap write them after TIME:
// "TARGET,KEY=VALUE,..." split at commas or blanks outside double quotes,
// each unquoted. False with `why` for a bad quote or escape.
bool control_words(std::string_view text, std::vector<std::string>* words, std::string* why);

// A scheduler swap "TIME:SCHEDULER[,KEY=VALUE...]" (KEY=VALUE includes
// policy=keep-old|unload-old|unload-after|auto and source=NAME) or
// "TIME:unload[=NAME]", as --swap and [run] swap take it. A relative plugin
// path is resolved against base_dir. The source is checked by the caller
// (unknown_source): [run] swap may come before [image_source.NAME].
// With SwapOption::Stage, "TIME:SCHEDULER[,source=NAME][,KEY=VALUE...]" as
// --stage and [run] stage take it: a request to stage the image.
// With SwapOption::Shadow, "TIME:SCHEDULER[,KEY=VALUE...]" (KEY=VALUE
// includes tolerance= and host_budget=) or "TIME:unshadow", as --shadow and
// [run] shadow take it. The option names the request in messages.
enum class SwapOption { Swap, Stage, Shadow };
std::optional<Swap> parse_swap(const std::string& spec, Hertz clock, const std::string& base_dir,
                               std::string* why, SwapOption option = SwapOption::Swap);

}  // namespace vmmsim::config
