#include "app/command_options.h"

#include <fmt/format.h>

#include <iostream>

#include "base/input_error.h"

namespace vmmsim::app {

namespace po = boost::program_options;

po::variables_map parse_options(const char* command, const std::vector<std::string>& args,
                                const po::options_description& options,
                                const po::positional_options_description& positional) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError(fmt::format("{}: {}; see '{} --help'", command, e.what(), command));
  }
  return vm;
}

bool printed_help(const po::variables_map& vm, const po::options_description& options,
                  const char* more) {
  if (!vm.count("help")) return false;
  std::cout << options << more;
  return true;
}

std::string shell_word(const std::string& word) {
  const std::string safe =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=./,:@%";
  if (!word.empty() && word.find_first_not_of(safe) == std::string::npos) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string command_line(const char* prefix, const std::vector<std::string>& args) {
  std::string out = prefix;
  for (const std::string& a : args) out += " " + shell_word(a);
  return out;
}

}  // namespace vmmsim::app
