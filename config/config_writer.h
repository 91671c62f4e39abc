// Writes the resolved configuration back as INI: every key, defaults
// included, so that a result can be reproduced without the command line.
#pragma once

#include <ostream>

#include "config/config.h"

namespace vmmsim::config {

void write_resolved_config(const Config& config, std::ostream& out);

}  // namespace vmmsim::config
