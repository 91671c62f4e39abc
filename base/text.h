// Text that comes from outside (file names, config and trace words, a
// plugin's name and error strings) as each output format must carry it: one
// function per format, used by every writer of that format
// (docs/robustness.md, "Names in outputs").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vmmsim {

// Terminal (messages on stderr, the text report): printable ASCII kept,
// every other byte as \xNN, so that binary or escape-laden text cannot
// garble a terminal or forge a line.
std::string printable(std::string_view text);
// The same, bounded: max_chars, then "...". For words quoted in messages.
std::string shown(std::string_view word, std::size_t max_chars = 40);

// JSON: a string literal, quotes included, written by nlohmann::json (the
// one JSON string escape of every writer). Valid UTF-8 is kept; '"', '\\'
// and control characters (DEL too) are escaped; each invalid UTF-8 sequence
// becomes U+FFFD, the replacement character: the output is always valid
// UTF-8 JSON (docs/robustness.md "Names in outputs").
std::string json_quoted(std::string_view text);

// CSV (RFC 4180): a field with a comma, a double quote, CR or LF is put in
// double quotes, its quotes doubled; any other field as it is.
std::string csv_field(std::string_view text);

// HTML text and attribute values: &, <, >, " and ' as character references,
// and control characters and bytes that are not valid UTF-8 as &#xXX; (the
// code point of the same number, as for JSON).
std::string escape_html(std::string_view text);

// A name a user gives a VM or an image source: letters, digits, '_' and '-'
// only, as it appears in JSON, VCD scopes and file names unquoted.
bool plain_name(std::string_view name);

// The blanks between and around words in every file vmmsim reads (configs,
// traces, importers' input, durations): space, tab and the line ends. A form
// feed or vertical tab is a byte of the text, and an error where it cannot be
// one (found by fuzzing the config reader; ConfigTest.FormFeedAndVerticalTab...).
constexpr bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
// `text` without the blanks at either end.
std::string_view trim(std::string_view text);

// Appends code point `cp` (at most U+10FFFF) as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);

// The length of the valid UTF-8 sequence starting at text[at] (1 to 4), or
// 0 when the byte there does not start one (a stray continuation byte, an
// overlong form, a surrogate, past U+10FFFF, or cut short).
std::size_t utf8_sequence(std::string_view text, std::size_t at);

}  // namespace vmmsim
