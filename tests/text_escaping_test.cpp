// Names and reasons from plugins and file names in every output: JSON and
// timeline strings that our strict reader parses back (no raw control byte,
// no invalid UTF-8), RFC 4180 CSV fields, printable terminal text, escaped
// HTML (docs/robustness.md, "Names in outputs").
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "base/output_file.h"
#include "base/text.h"
#include "report/json_report.h"
#include "report/json_value.h"
#include "report/text_report.h"
#include "report/timeline.h"
#include "timeline_file.h"

using namespace vmmsim;
using report::JsonValue;

namespace {

// A double quote, a comma, a line break, an escape sequence, bytes that are
// not UTF-8, a backslash and a valid two-byte UTF-8 character (é).
const std::string kHostile = "a\"b,c\nd\x1b[2J\xff\xfe\\e\xc3\xa9";

bool has_raw_control_or_high_bytes(const std::string& text) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n') || u >= 0x7f) return true;
  }
  return false;
}

std::string parse_back(const std::string& literal) {
  return JsonValue::parse("[" + literal + "]")[0].string();
}

TEST(TextEscaping, JsonStringsAreValidUtf8AndParseBack) {
  const std::string q = json_quoted(kHostile);
  EXPECT_EQ(q, "\"a\\\"b,c\\nd\\u001b[2J\\u00ff\\u00fe\\\\e\xc3\xa9\"");
  // The invalid bytes come back as the code points of their numbers (UTF-8).
  EXPECT_EQ(parse_back(q), "a\"b,c\nd\x1b[2J\xc3\xbf\xc3\xbe\\e\xc3\xa9");
  // Valid UTF-8 of every length round-trips exactly; cut or overlong forms do not pass raw.
  for (const std::string s : {"\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x7f\x01"}) EXPECT_EQ(parse_back(json_quoted(s)), s);
  for (const std::string s : {"\xe2\x82", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80"}) {
    const std::string q2 = json_quoted(s);
    for (char c : q2) EXPECT_LT(static_cast<unsigned char>(c), 0x80u) << q2;
  }
}

TEST(TextEscaping, TheJsonReaderIsStrictAboutStrings) {
  EXPECT_THROW(JsonValue::parse("[\"a\x1b\"]"), std::runtime_error) << "raw control character";
  EXPECT_THROW(JsonValue::parse("[\"a\xff\"]"), std::runtime_error) << "invalid UTF-8";
  EXPECT_THROW(JsonValue::parse("[\"\\ud800\"]"), std::runtime_error) << "lone surrogate";
  EXPECT_THROW(JsonValue::parse("[\"\\x41\"]"), std::runtime_error) << "not a JSON escape";
  EXPECT_EQ(JsonValue::parse("[\"\\ud83d\\ude00\\/\\b\"]")[0].string(), "\xf0\x9f\x98\x80/\b");
}

// RFC 4180 fields of one record, for checking a line's field count.
std::vector<std::string> csv_record(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"', ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

TEST(TextEscaping, CsvFieldsAreQuotedPerRfc4180) {
  EXPECT_EQ(csv_field("plain name"), "plain name");
  EXPECT_EQ(csv_field("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("a\r\nb"), "\"a\r\nb\"");
  const std::string line = "x," + csv_field(kHostile) + "," + csv_field("") + ",3";
  std::vector<std::string> fields = csv_record(line);
  ASSERT_EQ(fields.size(), 4u) << line;
  EXPECT_EQ(fields[1], kHostile);
}

TEST(TextEscaping, TerminalTextIsPrintableAscii) {
  EXPECT_EQ(printable(kHostile), "a\"b,c\\x0ad\\x1b[2J\\xff\\xfe\\e\\xc3\\xa9");
  EXPECT_EQ(shown(std::string(50, 'x'), 40), std::string(40, 'x') + "...");
}

TEST(TextEscaping, HtmlTextHasNoMarkupControlOrInvalidBytes) {
  EXPECT_EQ(escape_html("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  EXPECT_EQ(escape_html(kHostile), "a&quot;b,c\nd&#x1b;[2J&#xff;&#xfe;\\e\xc3\xa9");
}

// A run's results whose names and reasons carry every hostile byte.
report::Results hostile_results() {
  report::Results r;
  r.config_file = "dir/" + kHostile + ".ini";
  r.scheduler = "rr";
  r.cpus = 1;
  r.clock = 1000000000;
  r.elapsed = 1000;
  r.activation = "id-register";
  report::VmResult vm;
  vm.name = "web";
  r.vms.push_back(vm);
  report::VcpuResult v;
  v.vm = "web";
  r.vcpus.push_back(v);
  r.pcpus.push_back({1000, 0, 0, 0});
  report::ReplacementResult x;
  x.kind = "load";
  x.requester = "cli";
  x.target = "/plugins/" + kHostile + ".so";
  x.from = "rr";
  x.to = "rr";
  x.reason = "hostile failed to start: " + kHostile;
  r.replacements.push_back(x);
  r.partial = true;
  r.partial_reason = kHostile;
  return r;
}

TEST(TextEscaping, JsonReportCarriesHostileNamesAsValidJson) {
  std::ostringstream out;
  report::write_json_report(hostile_results(), out);
  JsonValue doc = JsonValue::parse(out.str());
  EXPECT_EQ(doc["replacements"][0]["reason"].string(),
            "hostile failed to start: a\"b,c\nd\x1b[2J\xc3\xbf\xc3\xbe\\e\xc3\xa9");
  EXPECT_EQ(doc["config"].string().substr(0, 6), "dir/a\"");
}

TEST(TextEscaping, TextReportHasNoRawControlBytes) {
  std::ostringstream out;
  report::write_text_report(hostile_results(), out);
  EXPECT_FALSE(has_raw_control_or_high_bytes(out.str())) << out.str();
  EXPECT_NE(out.str().find("d\\x1b[2J\\xff\\xfe"), std::string::npos) << out.str();
}

TEST(TextEscaping, TimelineLabelsParseBack) {
  JsonValue doc = JsonValue::parse(report::timeline_text(1000000000, 1, [](report::Timeline& t) {
    t.dispatch(0, {"web.0", "web", 0, 0, kHostile, 0}, 0, 100);
    t.replacement("load rr -> " + kHostile, 50);
    t.phase(kHostile, 50, 60);
  }));
  const JsonValue& events = doc["traceEvents"];
  EXPECT_EQ(events[events.size() - 2]["name"].string(), "load rr -> a\"b,c\nd\x1b[2J\xc3\xbf\xc3\xbe\\e\xc3\xa9");
  EXPECT_EQ(events[events.size() - 3]["args"]["scheduler_name"].string(),
            "a\"b,c\nd\x1b[2J\xc3\xbf\xc3\xbe\\e\xc3\xa9");
}

}  // namespace
