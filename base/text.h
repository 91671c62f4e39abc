// Quoting user input in messages.
#pragma once

#include <string>
#include <string_view>

namespace vmmsim {

// A word from the input as shown in a message: printable and bounded (40
// characters), so that binary or escape-laden input cannot garble a terminal.
std::string shown(std::string_view word);

}  // namespace vmmsim
