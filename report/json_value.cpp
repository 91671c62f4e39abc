#include "report/json_value.h"

#include <stdexcept>

#include <fmt/format.h>

#include "base/text.h"

namespace vmmsim::report {

namespace {

const nlohmann::json& null_node() {
  static const nlohmann::json null;
  return null;
}

// nlohmann's message from "line L, column C: ..." on, without its
// "[json.exception.parse_error.101] parse error at " prefix.
std::string reason(const nlohmann::json::exception& e) {
  std::string what = e.what();
  const std::size_t at = what.find("parse error at ");
  if (at != std::string::npos) return what.substr(at + 15);
  const std::size_t tag = what.find("] ");
  return what.rfind("[json.exception.", 0) == 0 && tag != std::string::npos ? what.substr(tag + 2)
                                                                            : what;
}

}  // namespace

JsonValue::JsonValue() : m_node(&null_node()) {}

JsonValue JsonValue::parse(const std::string& text, const std::string& source) {
  try {
    auto root = std::make_shared<const nlohmann::json>(nlohmann::json::parse(text));
    const nlohmann::json* node = root.get();
    return JsonValue(std::move(root), node);
  } catch (const nlohmann::json::exception& e) {  // a parse error, or a number out of range (1e400)
    throw std::runtime_error(fmt::format("{}: not valid JSON: {}", source, printable(reason(e))));
  }
}

std::uint64_t JsonValue::integer() const {
  if (m_node->is_number_unsigned()) return m_node->get<std::uint64_t>();
  if (m_node->is_number_integer())
    return m_node->get<std::int64_t>() > 0 ? m_node->get<std::uint64_t>() : 0;
  if (m_node->is_number_float()) return number() > 0 ? static_cast<std::uint64_t>(number()) : 0;
  return 0;
}

const std::string& JsonValue::string() const {
  static const std::string empty;
  return m_node->is_string() ? m_node->get_ref<const std::string&>() : empty;
}

std::vector<JsonValue> JsonValue::array() const {
  std::vector<JsonValue> out;
  if (!m_node->is_array()) return out;
  out.reserve(m_node->size());
  for (const nlohmann::json& e : *m_node) out.push_back(JsonValue(m_root, &e));
  return out;
}

JsonValue JsonValue::operator[](const std::string& key) const {
  if (!m_node->is_object()) return JsonValue();
  auto it = m_node->find(key);
  return it == m_node->end() ? JsonValue() : JsonValue(m_root, &*it);
}

JsonValue JsonValue::operator[](std::size_t i) const {
  if (!m_node->is_array() || i >= m_node->size())
    throw std::out_of_range(fmt::format("JSON element {} of {}", i, size()));
  return JsonValue(m_root, &(*m_node)[i]);
}

}  // namespace vmmsim::report
