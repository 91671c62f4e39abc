// The syntax of a config file (docs/config.md, "Syntax"): [section] headers,
// KEY = VALUE lines, '#' comments, and values that may be double-quoted so
// that any path reads back as written (a '#', a ';', blanks at either end,
// quotes, line breaks). Plain C++: no SystemC.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vmmsim::config {

// One KEY = VALUE line of a [section].
struct IniEntry {
  std::string section;  // as between the brackets
  std::string key;
  std::string raw;       // the value as written (comment and blanks at the ends removed)
  std::string value;     // with its quoting undone (what most keys take)
  unsigned line = 0;
};

// A [section] header and its line.
struct IniSection {
  std::string name;
  unsigned line = 0;
};

struct IniDocument {
  std::vector<IniSection> sections;  // in file order, repeats included
  std::vector<IniEntry> entries;     // in file order
};

// Reads config text. Throws InputError "FILE:LINE: what; expected ..." for a
// NUL byte, a line that is neither a header nor KEY = VALUE, a key outside
// any section, a key set twice in a section, or a bad quoted value.
IniDocument read_ini(std::string_view text, const std::string& file);

// Undoes the quoting of a value: text between double quotes is taken as it
// is, but for the escapes \" \\ and \xNN; text outside quotes is taken as it
// is. Returns false with `why` ("expected ...") if a quote is not closed or
// an escape is unknown.
bool unquote_value(std::string_view raw, std::string* value, std::string* why);

// Splits a list value ([run] swap) into words at blanks outside quotes; each
// word keeps its quotes, for the key's own parser to undo.
std::vector<std::string> value_words(std::string_view raw);
// Splits at each `separator` outside quotes (empty parts kept); each part
// keeps its quotes. A swap's "TARGET,KEY=VALUE,..." is split this way.
std::vector<std::string> split_outside_quotes(std::string_view raw, char separator);

// A value as the config writer writes it: as it is when it reads back the
// same, else in double quotes with ", \ and bytes that are not printable
// ASCII escaped. Bytes in `also` force the quotes too (a list's separators).
std::string quoted_value(std::string_view value, std::string_view also = "");

}  // namespace vmmsim::config
