// The compare page's files (report/html/) as the build embeds them: byte for
// byte the files' contents, each marker of the skeleton once, and nothing in
// the style sheet or the script that could end its element early.
#include "report/html_assets.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <string>

namespace vmmsim::report {
namespace {

std::string read_source(const std::string& path) {
  std::ifstream in(std::string(VMMSIM_SOURCE_DIR) + "/" + path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// Where `embedded` and the file first differ ("" when they do not).
std::string difference(std::string_view embedded, const std::string& path) {
  const std::string file = read_source(path);
  if (embedded == file) return "";
  std::size_t at = 0;
  while (at < embedded.size() && at < file.size() && embedded[at] == file[at]) ++at;
  return path + ": the embedded bytes (" + std::to_string(embedded.size()) + ") and the file's (" +
         std::to_string(file.size()) + ") differ from byte " + std::to_string(at);
}

TEST(HtmlAssets, AreTheFilesBytes) {
  EXPECT_EQ(difference(kHtmlPage, "report/html/page.html"), "");
  EXPECT_EQ(difference(kHtmlStyle, "report/html/report.css"), "");
  EXPECT_EQ(difference(kHtmlScript, "report/html/report.js"), "");
}

TEST(HtmlAssets, PageHasEachMarkerOnce) {
  for (const char* marker : {"@TITLE@", "@INTRO@", "@NOSCRIPT@", "@DATA@", "@STYLE@", "@SCRIPT@"})
    EXPECT_EQ(count(kHtmlPage, marker), marker == std::string("@TITLE@") ? 2u : 1u) << marker;
}

TEST(HtmlAssets, CannotEndTheirElements) {
  // The HTML parser ends <style> and <script> at the first "</style" / "</script", in any case.
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  EXPECT_EQ(lower(kHtmlStyle).find("</style"), std::string::npos);
  EXPECT_EQ(lower(kHtmlScript).find("</script"), std::string::npos);
  EXPECT_EQ(lower(kHtmlScript).find("<!--"), std::string::npos);
}

}  // namespace
}  // namespace vmmsim::report
