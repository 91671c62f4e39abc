// Reads a simulation config (INI via Boost.Program_options' config-file
// parser) into a resolved Config. Plain C++: no SystemC.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/control_checks.h"  // parse_swap

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


}  // namespace vmmsim::config
