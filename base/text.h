// Quoting user input in messages.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vmmsim {

// A word from the input as shown in a message: printable (other bytes as
// \xNN) and bounded (max_chars, then "..."), so that binary or escape-laden
// input cannot garble a terminal.
std::string shown(std::string_view word, std::size_t max_chars = 40);

}  // namespace vmmsim
