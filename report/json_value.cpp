#include "report/json_value.h"

#include <cctype>
#include <cstdlib>
#include <stdexcept>

#include "base/text.h"

namespace vmmsim::report {

class JsonReader {
 public:
  explicit JsonReader(const std::string& text) : m_text(text) {}

  JsonValue document() {
    JsonValue v = value(0);
    space();
    if (m_at != m_text.size()) fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw std::runtime_error("offset " + std::to_string(m_at) + ": " + what);
  }
  void space() {
    while (m_at < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_at]))) ++m_at;
  }
  bool take(char c) {
    space();
    if (m_at < m_text.size() && m_text[m_at] == c) return ++m_at, true;
    return false;
  }
  void expect(char c) {
    if (!take(c)) fail("unexpected character");
  }

  JsonValue value(int depth) {
    if (depth > 64) fail("nested too deep");
    space();
    if (m_at >= m_text.size()) fail("unexpected end");
    JsonValue v;
    char c = m_text[m_at];
    if (c == '{') {
      ++m_at;
      v.m_kind = JsonValue::Kind::Object;
      if (take('}')) return v;
      do {
        space();
        std::string key = string();
        expect(':');
        v.m_object[key] = value(depth + 1);
      } while (take(','));
      expect('}');
    } else if (c == '[') {
      ++m_at;
      v.m_kind = JsonValue::Kind::Array;
      if (take(']')) return v;
      do v.m_array.push_back(value(depth + 1));
      while (take(','));
      expect(']');
    } else if (c == '"') {
      v.m_kind = JsonValue::Kind::String;
      v.m_string = string();
    } else if (m_text.compare(m_at, 4, "true") == 0 || m_text.compare(m_at, 5, "false") == 0) {
      v.m_kind = JsonValue::Kind::Bool;
      v.m_bool = c == 't';
      m_at += v.m_bool ? 4 : 5;
    } else if (m_text.compare(m_at, 4, "null") == 0) {
      m_at += 4;
    } else {
      const char* start = m_text.c_str() + m_at;
      char* end = nullptr;
      v.m_number = std::strtod(start, &end);
      if (end == start) fail("expected a value");
      std::string digits(start, static_cast<std::size_t>(end - start));
      if (digits.find_first_not_of("0123456789") == std::string::npos)
        v.m_integer = std::strtoull(digits.c_str(), nullptr, 10);
      else
        v.m_integer = v.m_number > 0 ? static_cast<std::uint64_t>(v.m_number) : 0;
      v.m_kind = JsonValue::Kind::Number;
      m_at += digits.size();
    }
    return v;
  }

  std::string string() {
    if (m_at >= m_text.size() || m_text[m_at] != '"') fail("expected a string");
    ++m_at;
    std::string s;
    while (m_at < m_text.size() && m_text[m_at] != '"') {
      const auto c = static_cast<unsigned char>(m_text[m_at]);
      if (c < 0x20) fail("control character in a string");
      if (c != '\\') {
        std::size_t length = utf8_sequence(m_text, m_at);
        if (length == 0) fail("invalid UTF-8 in a string");
        s.append(m_text, m_at, length);
        m_at += length;
        continue;
      }
      if (++m_at >= m_text.size()) fail("unexpected end");
      char e = m_text[m_at++];
      switch (e) {
        case '"': case '\\': case '/': s += e; break;
        case 'b': s += '\b'; break;
        case 'f': s += '\f'; break;
        case 'n': s += '\n'; break;
        case 'r': s += '\r'; break;
        case 't': s += '\t'; break;
        case 'u': append_utf8(s, code_point()); break;
        default: fail("bad escape");
      }
    }
    if (m_at >= m_text.size()) fail("unterminated string");
    ++m_at;
    return s;
  }

  // After "\u": XXXX, or a surrogate pair \uD8XX\uDCXX.
  std::uint32_t code_point() {
    std::uint32_t cp = hex4();
    if (cp >= 0xdc00 && cp <= 0xdfff) fail("lone low surrogate");
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (m_text.compare(m_at, 2, "\\u") != 0) fail("lone high surrogate");
      m_at += 2;
      std::uint32_t low = hex4();
      if (low < 0xdc00 || low > 0xdfff) fail("lone high surrogate");
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }
    return cp;
  }

  std::uint32_t hex4() {
    if (m_at + 4 > m_text.size()) fail("bad escape");
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char h = m_text[m_at++];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= static_cast<std::uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f') v |= static_cast<std::uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') v |= static_cast<std::uint32_t>(h - 'A' + 10);
      else fail("bad escape");
    }
    return v;
  }

  const std::string& m_text;
  std::size_t m_at = 0;
};

JsonValue JsonValue::parse(const std::string& text) { return JsonReader(text).document(); }

const JsonValue& JsonValue::operator[](const std::string& key) const {
  static const JsonValue null;
  auto it = m_object.find(key);
  return it == m_object.end() ? null : it->second;
}

}  // namespace vmmsim::report
