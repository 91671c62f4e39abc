// A read-only view of a JSON document parsed by nlohmann::json (RFC 8259:
// any valid JSON, any depth; invalid JSON and invalid UTF-8 in strings
// refused). Reads are tolerant, for results files written by other versions
// of vmmsim: an absent member is a Null value, a number read from Null or
// from a value of another kind is 0, a string "" (nlohmann's own const
// operator[] has undefined behaviour on an absent key).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vmmsim::report {

class JsonValue {
 public:
  // Null.
  JsonValue();
  // Throws std::runtime_error "SOURCE: not valid JSON: line L, column C:
  // WHAT" (one line, printable) on malformed input, or a number that no
  // double holds (1e400). `source` names the file.
  static JsonValue parse(const std::string& text, const std::string& source = "JSON");

  bool is_null() const { return m_node->is_null(); }
  double number() const { return m_node->is_number() ? m_node->get<double>() : 0; }
  // A non-negative integer exactly; a fraction truncated; 0 for negatives.
  std::uint64_t integer() const;
  bool boolean() const { return m_node->is_boolean() && m_node->get<bool>(); }
  // The string, or "" for a value that is not one.
  const std::string& string() const;
  // The elements, or none for a value that is not an array.
  std::vector<JsonValue> array() const;
  // A member, or a Null value when absent (or not an object).
  JsonValue operator[](const std::string& key) const;
  // Element i; std::out_of_range past the end.
  JsonValue operator[](std::size_t i) const;
  // Elements of an array, members of an object, else 0.
  std::size_t size() const {
    return m_node->is_array() || m_node->is_object() ? m_node->size() : 0;
  }
  // The node itself, for code that wants nlohmann's whole interface.
  const nlohmann::json& json() const { return *m_node; }

 private:
  JsonValue(std::shared_ptr<const nlohmann::json> root, const nlohmann::json* node)
      : m_root(std::move(root)), m_node(node) {}
  std::shared_ptr<const nlohmann::json> m_root;  // keeps the document alive
  const nlohmann::json* m_node;
};

}  // namespace vmmsim::report
