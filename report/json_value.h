// A small JSON reader for vmmsim's own result files (compare reads back what
// each run wrote), strict about strings: every escape of RFC 8259 (\u ones
// as UTF-8, surrogate pairs joined), no raw control character, no invalid
// UTF-8. Numbers as double plus an exact unsigned value where integral.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vmmsim::report {

class JsonValue {
 public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  // Throws std::runtime_error "offset N: what" on malformed input.
  static JsonValue parse(const std::string& text);

  Kind kind() const { return m_kind; }
  bool is_null() const { return m_kind == Kind::Null; }
  double number() const { return m_number; }
  std::uint64_t integer() const { return m_integer; }
  bool boolean() const { return m_bool; }
  const std::string& string() const { return m_string; }
  const std::vector<JsonValue>& array() const { return m_array; }
  // A member, or a Null value when absent.
  const JsonValue& operator[](const std::string& key) const;
  const JsonValue& operator[](std::size_t i) const { return m_array.at(i); }
  std::size_t size() const { return m_kind == Kind::Array ? m_array.size() : m_object.size(); }

 private:
  friend class JsonReader;
  Kind m_kind = Kind::Null;
  bool m_bool = false;
  double m_number = 0;
  std::uint64_t m_integer = 0;
  std::string m_string;
  std::vector<JsonValue> m_array;
  std::map<std::string, JsonValue> m_object;
};

}  // namespace vmmsim::report
