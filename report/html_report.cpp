#include "report/html_report.h"

#include "report/html_assets.h"
#include "report/json_report.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <functional>
#include <utility>

#include <fmt/format.h>

namespace vmmsim::report {
namespace {

// ---------------------------------------------------------------------------
// A minimal JSON walk, for the <noscript> summary only: calls visit(path, key,
// value) for every scalar member of an object. `path` holds the key of each
// enclosing container (the root's is ""); string values are decoded, other
// scalars passed as written. Returns false on malformed input.
using Visit = std::function<void(const std::vector<std::string>&, const std::string&, const std::string&)>;

class JsonWalk {
 public:
  JsonWalk(const std::string& s, Visit visit) : m_s(s), m_visit(std::move(visit)) {}
  bool run() {
    if (!value("")) return false;
    ws();
    return m_i == m_s.size();
  }

 private:
  void ws() {
    while (m_i < m_s.size() && (m_s[m_i] == ' ' || m_s[m_i] == '\n' || m_s[m_i] == '\r' || m_s[m_i] == '\t')) ++m_i;
  }
  bool eat(char c) {
    ws();
    if (m_i < m_s.size() && m_s[m_i] == c) return ++m_i, true;
    return false;
  }
  bool hex4(std::uint32_t& cp) {
    if (m_i + 4 > m_s.size()) return false;
    auto [end, ec] = std::from_chars(m_s.data() + m_i, m_s.data() + m_i + 4, cp, 16);
    if (ec != std::errc() || end != m_s.data() + m_i + 4) return false;
    m_i += 4;
    return true;
  }
  bool string(std::string& out) {
    if (!eat('"')) return false;
    while (m_i < m_s.size()) {
      char c = m_s[m_i++];
      if (c == '"') return true;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (m_i >= m_s.size()) return false;
      switch (char e = m_s[m_i++]) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t cp = 0, low = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && m_s.compare(m_i, 2, "\\u") == 0) {
            m_i += 2;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default: out += e;  // \" \\ \/
      }
    }
    return false;
  }
  bool value(const std::string& key) {
    ws();
    if (m_i >= m_s.size() || m_path.size() > 64) return false;
    char c = m_s[m_i];
    if (c == '{' || c == '[') {
      ++m_i;
      m_path.push_back(key);
      char close = c == '{' ? '}' : ']';
      if (!eat(close)) {
        do {
          std::string k;
          if (c == '{' && (!string(k) || !eat(':'))) return false;
          if (!value(k)) return false;
        } while (eat(','));
        if (!eat(close)) return false;
      }
      m_path.pop_back();
      return true;
    }
    std::string v;
    if (c == '"') {
      if (!string(v)) return false;
    } else {
      std::size_t start = m_i;
      while (m_i < m_s.size() && (std::isalnum(static_cast<unsigned char>(m_s[m_i])) || m_s[m_i] == '-' ||
                                  m_s[m_i] == '+' || m_s[m_i] == '.'))
        ++m_i;
      if (m_i == start) return false;
      v = m_s.substr(start, m_i - start);
    }
    if (!key.empty()) m_visit(m_path, key, v);
    return true;
  }

  const std::string& m_s;
  Visit m_visit;
  std::size_t m_i = 0;
  std::vector<std::string> m_path;
};

double to_double(const std::string& s) {
  double d = 0;
  std::from_chars(s.data(), s.data() + s.size(), d);  // locale-independent; 0 if not a number
  return d;
}

// One <noscript> row from a results.json; empty cells when it cannot be read.
std::string noscript_row(const HtmlRun& run) {
  std::string name = "<td>" + escape_html(run.name) + "</td>";
  if (run.results_json.empty()) return "<tr>" + name + "<td colspan=\"7\">no results</td></tr>\n";
  std::string scheduler, activation;
  double clock = 0, elapsed = 0, jain = 0, vmm = 0, total = 0, switches = 0;
  struct Replacement {
    std::string to;
    bool ok = false;
  };
  std::vector<Replacement> reps;
  bool ok = JsonWalk(run.results_json, [&](const std::vector<std::string>& path, const std::string& key,
                                           const std::string& v) {
              if (path.size() == 1) {
                if (key == "scheduler") scheduler = v;
                else if (key == "activation") activation = v;
                else if (key == "clock_hz") clock = to_double(v);
                else if (key == "elapsed_cycles") elapsed = to_double(v);
                else if (key == "jain_fairness") jain = to_double(v);
              } else if (path.size() == 3 && path[1] == "pcpus") {
                if (key == "guest_cycles" || key == "vmm_cycles" || key == "idle_cycles" || key == "ceased_cycles")
                  total += to_double(v);
                if (key == "vmm_cycles") vmm += to_double(v);
              } else if (path.size() == 3 && path[1] == "vcpus" && key == "context_switches") {
                switches += to_double(v);
              } else if (path.size() == 3 && path[1] == "replacements") {
                if (key == "kind") reps.emplace_back();
                else if (key == "to" && !reps.empty()) reps.back().to = v;
                else if (key == "ok" && !reps.empty()) reps.back().ok = v == "true";
              }
            }).run();
  if (!ok) return "<tr>" + name + "<td colspan=\"7\">unreadable results.json</td></tr>\n";
  std::string chain = scheduler;
  std::string current = scheduler;
  std::size_t done = 0;
  for (const Replacement& r : reps) {
    if (!r.ok) continue;
    ++done;
    if (!r.to.empty() && r.to != current) chain += " → " + r.to, current = r.to;
  }
  return fmt::format(
      "<tr>{}<td>{}</td><td>{}</td><td>{}</td><td>{:.4f}</td><td>{}</td><td>{:.0f}</td><td>{} / {}</td></tr>\n", name,
      escape_html(chain), escape_html(activation), clock > 0 ? fmt::format("{:.3f}", elapsed / clock * 1e3) : "–",
      jain, total > 0 ? fmt::format("{:.3f} %", 100 * vmm / total) : "–", switches, done, reps.size());
}

std::string json_quote(const std::string& s) { return json_quoted(s); }

std::string script_block(const std::string& id, const std::string& json) {
  return "<script type=\"application/json\" id=\"" + id + "\">" + escape_script_json(json) + "</script>\n";
}

// Replaces each @NAME@ of `page` with values.at(NAME), in one pass, so that
// a value can never be taken for a marker.
std::string fill(std::string_view page, const std::vector<std::pair<std::string, std::string>>& values) {
  std::string out;
  std::size_t i = 0;
  while (i < page.size()) {
    std::size_t at = page.find('@', i);
    if (at == std::string::npos) break;
    out.append(page, i, at - i);
    i = at + 1;
    for (const auto& [name, value] : values) {
      if (page.compare(at + 1, name.size() + 1, name + "@") == 0) {
        out += value;
        i = at + name.size() + 2;
        break;
      }
    }
    if (i == at + 1) out += '@';
  }
  out.append(page, i, std::string::npos);
  return out;
}

}  // namespace

std::string escape_script_json(const std::string& json) {
  std::string out;
  out.reserve(json.size() + json.size() / 64);
  for (std::size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '<' && json.compare(i, 4, "<!--") == 0)
      out += "\\u003c";
    else if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/')
      out += "<\\", ++i, out += '/';
    else
      out += json[i];
  }
  return out;
}

std::string render_compare_html(const std::vector<HtmlRun>& runs, const HtmlOptions& options) {
  const std::string title = escape_html(options.title.empty() ? "vmmsim compare" : options.title);

  // The data: a manifest naming each run's blocks, then the blocks verbatim.
  std::string manifest = fmt::format("{{\"title\": {}, \"window_ms\": [{:.6f}, {:.6f}], \"runs\": [",
                                     json_quote(options.title), options.window_from_ms, options.window_to_ms);
  std::string blocks;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const HtmlRun& run = runs[i];
    std::string results = run.results_json.empty() ? "" : fmt::format("vmmsim-run-{}-results", i);
    std::string timeline = run.timeline_json.empty() ? "" : fmt::format("vmmsim-run-{}-timeline", i);
    manifest += fmt::format("{}{{\"name\": {}, \"results\": {}, \"timeline\": {}}}", i ? ", " : "",
                            json_quote(run.name), results.empty() ? "null" : json_quote(results),
                            timeline.empty() ? "null" : json_quote(timeline));
    if (!results.empty()) blocks += script_block(results, run.results_json);
    if (!timeline.empty()) blocks += script_block(timeline, run.timeline_json);
  }
  manifest += "]}";

  std::string names;
  for (std::size_t i = 0; i < runs.size(); ++i) names += (i ? ", " : "") + escape_html(runs[i].name);
  std::string intro = options.note.empty() ? "" : "<p><strong>" + escape_html(options.note) + "</strong></p>\n";
  intro += fmt::format("<p class=\"note\">{} run{}: {}.", runs.size(), runs.size() == 1 ? "" : "s", names);
  if (options.window_to_ms > options.window_from_ms)
    intro += fmt::format(" Gantt window {:.3f}–{:.3f} ms.", options.window_from_ms, options.window_to_ms);
  intro += " Self-contained: all data is embedded in this file.</p>";

  std::string noscript =
      "<p><strong>The charts need JavaScript.</strong> Summary:</p>\n<table><tr><th>run</th><th>scheduler</th>"
      "<th>activation</th><th>elapsed (ms)</th><th>Jain's index</th><th>VMM overhead</th><th>context switches</th>"
      "<th>replacements ok / all</th></tr>\n";
  for (const HtmlRun& run : runs) noscript += noscript_row(run);
  noscript += "</table>";

  return fill(kHtmlPage, {{"TITLE", title},
                           {"INTRO", intro},
                           {"NOSCRIPT", noscript},
                           {"DATA", script_block("vmmsim-manifest", manifest) + blocks},
                           {"STYLE", std::string(kHtmlStyle)},
                           {"SCRIPT", std::string(kHtmlScript)}});
}

}  // namespace vmmsim::report
