#include "report/json_value.h"

#include <cctype>
#include <cstdlib>
#include <stdexcept>

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
      char c = m_text[m_at++];
      if (c == '\\') {
        if (m_at >= m_text.size()) fail("unexpected end");
        char e = m_text[m_at++];
        switch (e) {
          case 'n': s += '\n'; break;
          case 't': s += '\t'; break;
          case 'u':
            if (m_at + 4 > m_text.size()) fail("bad escape");
            s += static_cast<char>(std::strtol(m_text.substr(m_at, 4).c_str(), nullptr, 16) & 0x7f);
            m_at += 4;
            break;
          default: s += e;
        }
      } else {
        s += c;
      }
    }
    if (m_at >= m_text.size()) fail("unterminated string");
    ++m_at;
    return s;
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
