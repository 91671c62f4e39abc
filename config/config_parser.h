// Reads a simulation config (INI via Boost.Program_options' config-file
// parser) into a resolved Config. Plain C++: no SystemC.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace vmmsim::config {

// An override from the command line, "SECTION.KEY=VALUE".
struct Override {
  std::string key;
  std::string value;
};

// Throws InputError naming the file (and line where known), the key and what
// is allowed: unknown sections or keys, bad values or units, missing trace
// files, zero CPUs, ...
Config load_config(const std::string& path, const std::vector<Override>& overrides = {});

// The same for config text already in memory: `path` names it in messages and
// relative trace paths are relative to its folder (the traces are read).
Config parse_config(const std::string& text, const std::string& path,
                    const std::vector<Override>& overrides = {});

// A scheduler swap "TIME:SCHEDULER[,KEY=VALUE...]" (KEY=VALUE includes
// policy=keep-old|unload-old|auto) or "TIME:unload[=NAME]", as --swap and
// [run] swap take it. A relative plugin path is resolved against base_dir.
std::optional<Swap> parse_swap(const std::string& spec, Hertz clock, const std::string& base_dir,
                               std::string* why);

}  // namespace vmmsim::config
