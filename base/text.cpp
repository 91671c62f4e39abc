#include "base/text.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace vmmsim {

std::string printable(std::string_view text) { return shown(text, text.size()); }

std::string shown(std::string_view word, std::size_t max_chars) {
  std::string out;
  for (std::size_t i = 0; i < word.size() && i < max_chars; ++i) {
    auto c = static_cast<unsigned char>(word[i]);
    if (c >= 0x20 && c < 0x7f)
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  if (word.size() > max_chars) out += "...";
  return out;
}

std::size_t utf8_sequence(std::string_view text, std::size_t at) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xbf;  // the allowed range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;   // overlong
    if (lead == 0xed) high = 0x9f;  // UTF-16 surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;   // overlong
    if (lead == 0xf4) high = 0x8f;  // past U+10FFFF
  } else {
    return 0;  // a continuation byte, C0, C1 or F5..FF
  }
  if (at + length > text.size()) return 0;
  if (byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i)
    if (byte(at + i) < 0x80 || byte(at + i) > 0xbf) return 0;
  return length;
}

namespace {

// Copies `text`, keeping each valid multi-byte UTF-8 sequence as it is and
// handing every other byte to `byte(out, c, valid)` (valid: a byte of ASCII,
// not a stray byte of broken UTF-8).
template <class EscapeByte>
std::string escaped_utf8(std::string_view text, const char* open, const char* close, EscapeByte byte) {
  std::string out = open;
  out.reserve(text.size() + 2);
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence(text, i);
    if (length > 1) {
      out.append(text, i, length);
      i += length;
    } else {
      byte(out, text[i++], length == 1);
    }
  }
  return out + close;
}

}  // namespace

std::string json_quoted(std::string_view text) {
  // nlohmann's serializer with UTF-8 kept as it is (ensure_ascii off) and
  // each invalid UTF-8 sequence replaced by U+FFFD instead of an exception:
  // JSON is UTF-8, and a name a plugin or a file system gave us must not
  // stop a report.
  std::string out = nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // DEL is valid raw in JSON but a terminal control character: escaped like
  // the C0 ones. (0x7f is never part of a multi-byte UTF-8 sequence.)
  for (std::size_t at = out.find('\x7f'); at != std::string::npos; at = out.find('\x7f', at + 6))
    out.replace(at, 1, "\\u007f");
  return out;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string q = "\"";
  for (char c : text) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

std::string escape_html(std::string_view text) {
  return escaped_utf8(text, "", "", [](std::string& out, char c, bool valid) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f || !valid)
          out += fmt::format("&#x{:02x};", u);
        else
          out += c;
    }
  });
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

bool plain_name(std::string_view name) {
  return !name.empty() &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == std::string::npos;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace vmmsim
