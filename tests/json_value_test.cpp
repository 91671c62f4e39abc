// report::JsonValue reads any valid JSON (nlohmann::json underneath), refuses
// what RFC 8259 does not allow, says where in one line naming the file, and
// reads tolerantly: an absent member is Null (docs/robustness.md "Names in outputs").
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "report/json_value.h"

using vmmsim::report::JsonValue;

namespace {

// The message of the error parsing `text` as `source`, or "" if it parses.
std::string refusal(const std::string& text, const std::string& source = "in.json") {
  try {
    JsonValue::parse(text, source);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(JsonValue, ReadsDeepNesting) {
  // The hand-written reader refused past 64 levels.
  const int depth = 1000;
  const JsonValue doc = JsonValue::parse(std::string(depth, '[') + "7" + std::string(depth, ']'));
  JsonValue v = doc;
  for (int i = 0; i < depth; ++i) v = v[0];
  EXPECT_EQ(v.integer(), 7u);
}

TEST(JsonValue, ReadsEscapesAndSurrogatePairs) {
  const JsonValue doc = JsonValue::parse(
      R"(["\uD83D\uDE00\ud83d\ude00", "\u00e9\u20ac\/\b\f\n\r\t\"\\", "a\u0000b"])");
  EXPECT_EQ(doc[0].string(), "\xf0\x9f\x98\x80\xf0\x9f\x98\x80");
  EXPECT_EQ(doc[1].string(), "\xc3\xa9\xe2\x82\xac/\b\f\n\r\t\"\\");
  EXPECT_EQ(doc[2].string(), std::string("a\0b", 3));
}

TEST(JsonValue, ReadsNumbersWithExponentsAndAnyWidth) {
  const JsonValue doc =
      JsonValue::parse("[1E3, 2.5e-3, 1e+2, -0, -12, 18446744073709551615, 0.5, 7.9]");
  EXPECT_EQ(doc[0].integer(), 1000u);
  EXPECT_DOUBLE_EQ(doc[1].number(), 0.0025);
  EXPECT_EQ(doc[2].integer(), 100u);
  EXPECT_EQ(doc[3].integer(), 0u);
  EXPECT_EQ(doc[4].integer(), 0u) << "no unsigned value for a negative number";
  EXPECT_DOUBLE_EQ(doc[4].number(), -12);
  EXPECT_EQ(doc[5].integer(), 18446744073709551615u) << "exact, not through a double";
  EXPECT_EQ(doc[7].integer(), 7u) << "a fraction truncated";
}

TEST(JsonValue, ReadsEveryWhitespaceJsonAllows) {
  const JsonValue doc = JsonValue::parse(" \t\r\n{ \"a\"\t:\r\n[ 1 ,\n2 ]\t,\"b\" : { } } \n");
  EXPECT_EQ(doc["a"].size(), 2u);
  EXPECT_EQ(doc["a"][1].integer(), 2u);
  EXPECT_EQ(doc["b"].size(), 0u);
}

TEST(JsonValue, RefusesWhatJsonDoesNotAllow) {
  // The hand-written reader took numbers as strtod reads them and any C
  // whitespace: each of these was accepted.
  for (const char* text :
       {"[0x10]", "[+1]", "[.5]", "[01]", "[1.]", "[inf]", "[nan]", "\v[1]", "[1]\f"})
    EXPECT_NE(refusal(text), "") << text;
  // Strings: raw control characters, invalid UTF-8, lone surrogates, unknown escapes.
  for (const char* text :
       {"[\"a\x1b\"]", "[\"a\xff\"]", "[\"\\ud800\"]", "[\"\\x41\"]", "[1,]", "{\"a\" 1}", ""})
    EXPECT_NE(refusal(text), "") << text;
}

TEST(JsonValue, AnErrorIsOneLineNamingTheFileAndThePlace) {
  EXPECT_EQ(refusal("{\n  \"a\": tru}", "runs/rr/results.json"),
            "runs/rr/results.json: not valid JSON: line 2, column 11: syntax error while parsing "
            "value - invalid "
            "literal; last read: '\"a\": tru}'");
  // What the file held is shown printable: no raw byte reaches a terminal.
  const std::string bad_utf8 = refusal("[\"\xff\n\"]", "x.json");
  EXPECT_EQ(bad_utf8.rfind("x.json: not valid JSON: line 1, column 3: ", 0), 0u) << bad_utf8;
  EXPECT_NE(bad_utf8.find("\\xff"), std::string::npos) << bad_utf8;
  EXPECT_EQ(bad_utf8.find('\n'), std::string::npos) << bad_utf8;
  EXPECT_EQ(refusal("", "empty.json").rfind("empty.json: not valid JSON: line 1, column 1: ", 0),
            0u);
}

TEST(JsonValue, ReadsTolerantly) {
  const JsonValue doc = JsonValue::parse(R"({"n": 5, "s": "x", "a": [1, 2], "t": true})");
  EXPECT_TRUE(doc["absent"].is_null());
  EXPECT_EQ(doc["absent"]["deeper"].number(), 0);
  EXPECT_EQ(doc["absent"].array().size(), 0u);
  EXPECT_EQ(doc["n"].string(), "") << "a number is not a string";
  EXPECT_EQ(doc["s"].number(), 0) << "a string is not a number";
  EXPECT_TRUE(doc["t"].boolean());
  EXPECT_EQ(doc.size(), 4u);
  EXPECT_THROW(doc["a"][2], std::out_of_range);
  // A member outlives the document it came from.
  JsonValue kept = JsonValue::parse(R"({"k": {"v": 9}})")["k"];
  EXPECT_EQ(kept["v"].integer(), 9u);
}

}  // namespace
