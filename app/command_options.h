// What the subcommands share about command lines: parsing options into one
// line of bad input, and writing a command back as a shell would read it.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace vmmsim::app {

// Parses `args`; InputError "COMMAND: what; see 'COMMAND --help'" otherwise.
boost::program_options::variables_map parse_options(
    const char* command, const std::vector<std::string>& args,
    const boost::program_options::options_description& options,
    const boost::program_options::positional_options_description& positional);

// With --help in `vm`: prints `options`, then `more`, and says so.
bool printed_help(const boost::program_options::variables_map& vm,
                  const boost::program_options::options_description& options, const char* more);

// A word as a POSIX shell needs it: as it is when it holds only safe
// characters, else in single quotes.
std::string shell_word(const std::string& word);
// `prefix` and each of `args` as shell words.
std::string command_line(const char* prefix, const std::vector<std::string>& args);

}  // namespace vmmsim::app
