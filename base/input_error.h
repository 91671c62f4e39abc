// Errors in what the user gave us: reported once, at the CLI, with exit code 2.
#pragma once

#include <stdexcept>
#include <string>

namespace vmmsim {

// A bad config, trace or command-line value. what() is the whole one-line
// message, already naming the file, line or key and what is allowed.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace vmmsim
