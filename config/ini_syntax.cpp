#include "config/ini_syntax.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "base/input_error.h"
#include "base/text.h"

namespace vmmsim::config {
namespace {

// Where the comment of a line starts: the first '#' outside double quotes
// (a '\' inside quotes escapes the next byte), or npos.
std::size_t comment_start(std::string_view line) {
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (quoted && line[i] == '\\') {
      ++i;
    } else if (line[i] == '"') {
      quoted = !quoted;
    } else if (line[i] == '#' && !quoted) {
      return i;
    }
  }
  return std::string_view::npos;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool unquote_value(std::string_view raw, std::string* value, std::string* why) {
  std::string out;
  bool quoted = false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted || c != '\\') {
      out += c;
    } else if (i + 1 < raw.size() && (raw[i + 1] == '"' || raw[i + 1] == '\\')) {
      out += raw[++i];
    } else if (i + 3 < raw.size() && raw[i + 1] == 'x' && hex_digit(raw[i + 2]) >= 0 && hex_digit(raw[i + 3]) >= 0) {
      out += static_cast<char>(hex_digit(raw[i + 2]) * 16 + hex_digit(raw[i + 3]));
      i += 3;
    } else {
      *why = fmt::format("unknown escape '{}' in quotes; expected \\\" \\\\ or \\xNN", shown(raw.substr(i, 4)));
      return false;
    }
  }
  if (quoted) {
    *why = "a double quote is not closed; expected \"...\" around a quoted part";
    return false;
  }
  *value = std::move(out);
  return true;
}

namespace {

// Parts of `raw` between separators outside quotes, each with its quotes.
std::vector<std::string> split_parts(std::string_view raw, std::string_view separators, bool drop_empty) {
  std::vector<std::string> parts(1);
  bool quoted = false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (!quoted && separators.find(c) != std::string_view::npos) {
      parts.emplace_back();
      continue;
    }
    parts.back() += c;
    if (quoted && c == '\\' && i + 1 < raw.size())
      parts.back() += raw[++i];
    else if (c == '"')
      quoted = !quoted;
  }
  if (drop_empty) parts.erase(std::remove(parts.begin(), parts.end(), std::string()), parts.end());
  return parts;
}

}  // namespace

std::vector<std::string> value_words(std::string_view raw) { return split_parts(raw, " \t\r\n", true); }

std::vector<std::string> split_outside_quotes(std::string_view raw, char separator) {
  return split_parts(raw, std::string_view(&separator, 1), false);
}

std::string quoted_value(std::string_view value, std::string_view also) {
  bool plain = !value.empty() && !is_blank(value.front()) && !is_blank(value.back());
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '#' || c == ';' || c == '\\' || also.find(c) != std::string_view::npos)
      plain = false;
  }
  if (plain) return std::string(value);
  std::string q = "\"";
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\')
      q += '\\', q += c;
    else if (u < 0x20 || u >= 0x7f)
      q += fmt::format("\\x{:02x}", u);
    else
      q += c;
  }
  return q + "\"";
}

IniDocument read_ini(std::string_view text, const std::string& file) {
  const std::string& where = file;  // the CLI shows the whole message printable
  IniDocument doc;
  std::map<std::string, unsigned> seen;  // "section\nkey" -> its line
  std::string section;
  bool in_section = false;
  unsigned n = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++n;
    if (line.find('\0') != std::string_view::npos)
      throw InputError(fmt::format("{}:{}: binary data; expected an INI text file", where, n));
    const std::size_t hash = comment_start(line);
    line = trim(line.substr(0, hash));
    if (line.empty()) continue;
    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3)
        throw InputError(fmt::format("{}:{}: '{}': expected a section header like [vmm]", where, n, shown(line, 200)));
      section = std::string(line.substr(1, line.size() - 2));  // "[ vm.a ]" is " vm.a ", an unknown section
      in_section = true;
      doc.sections.push_back({section, n});
      continue;
    }
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos || trim(line.substr(0, eq)).empty())
      throw InputError(fmt::format("{}:{}: '{}': expected KEY = VALUE", where, n, shown(line, 200)));
    if (!in_section)
      throw InputError(
          fmt::format("{}:{}: '{}' is outside any section; expected a [section] first", where, n, shown(line, 200)));
    IniEntry e{section, std::string(trim(line.substr(0, eq))), std::string(trim(line.substr(eq + 1))), "", n};
    auto [first, fresh] = seen.emplace(e.section + '\n' + e.key, n);
    if (!fresh)
      throw InputError(fmt::format("{}:{}: [{}] {} is set twice (first at line {})", where, n, shown(e.section, 200),
                                   shown(e.key, 200), first->second));
    std::string why;
    if (!unquote_value(e.raw, &e.value, &why))
      throw InputError(fmt::format("{}:{}: [{}] {} = {}: {}", where, n, shown(e.section, 200), shown(e.key, 200),
                                   shown(e.raw, 200), why));
    doc.entries.push_back(std::move(e));
  }
  return doc;
}

}  // namespace vmmsim::config
