// CPU-utilisation series -> vmmsim traces (docs/importers.md), and the pieces
// every importer shares (writing trace text, gzip, globs, durations).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "base/capped_input.h"
#include "base/input_error.h"
#include "workload/importers.h"
#include "base/text.h"
#include "workload/trace_program.h"

namespace vmmsim::workload {

// ---------------------------------------------------------------------------
// Shared by the importers (declared in importers.h).

namespace detail {
namespace {

using u128 = unsigned __int128;

constexpr std::uint64_t kNsPerSecond = 1000000000;
constexpr std::size_t kMaxCommentChars = 200;       // keeps lines far below the 4096 limit

const char* keyword(ImportStep::Kind kind) {
  switch (kind) {
    case ImportStep::Run:
      return "run";
    case ImportStep::Sleep:
      return "sleep";
    case ImportStep::Io:
      return "io";
  }
  return "run";
}

// A comment as written into trace text: one printable line.
std::string comment_text(std::string_view text) {
  std::string out;
  for (char ch : text.substr(0, kMaxCommentChars)) {
    auto c = static_cast<unsigned char>(ch);
    out += (c >= 0x20 && c < 0x7f) ? ch : '?';
  }
  if (text.size() > kMaxCommentChars) out += "...";
  return out;
}

// The largest step, in ns, that stays within max_step_cycles(clock); a
// whole number of seconds when it is above one.
std::uint64_t max_step_ns(Hertz clock) {
  u128 ns = std::min<u128>(u128{max_step_cycles(clock)} * kNsPerSecond / clock, ~std::uint64_t{0});
  if (ns > kNsPerSecond) ns -= ns % kNsPerSecond;
  return static_cast<std::uint64_t>(ns);
}

}  // namespace

std::uint64_t max_arrival_ns(Hertz clock) {
  // Below 61 kHz 2^50 cycles are more ns than 64 bits hold: no wrap-around.
  return static_cast<std::uint64_t>(
      std::min<u128>(u128{max_step_cycles(clock)} * kNsPerSecond / clock, ~std::uint64_t{0}));
}

std::string format_ns(std::uint64_t ns) {
  if (ns == 0) return "0";
  if (ns % kNsPerSecond == 0) return fmt::format("{}s", ns / kNsPerSecond);
  if (ns % 1000000 == 0) return fmt::format("{}ms", ns / 1000000);
  if (ns % 1000 == 0) return fmt::format("{}us", ns / 1000);
  return fmt::format("{}ns", ns);
}

std::string describe_ns(std::uint64_t ns) {
  auto d = static_cast<double>(ns);
  auto shown = [](double v, const char* unit) {
    std::string s = fmt::format("{:.3f}", v);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s + " " + unit;
  };
  if (ns >= kNsPerSecond) return shown(d / 1e9, "s");
  if (ns >= 1000000) return shown(d / 1e6, "ms");
  if (ns >= 1000) return shown(d / 1e3, "us");
  return ns == 0 ? "0 s" : fmt::format("{} ns", ns);
}

std::optional<std::uint64_t> parse_seconds_ns(std::string_view text) {
  std::size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() && frac.empty()) return std::nullopt;
  if (dot != std::string_view::npos && frac.empty()) return std::nullopt;
  if (whole.size() > 10) return std::nullopt;  // more than 9,999,999,999 s
  std::uint64_t seconds = 0, ns = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + static_cast<std::uint64_t>(c - '0');
  }
  std::uint64_t scale = kNsPerSecond;
  bool round_up = false;
  for (std::size_t i = 0; i < frac.size(); ++i) {
    char c = frac[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (scale > 1) {
      scale /= 10;
      ns += scale * static_cast<std::uint64_t>(c - '0');
    } else if (i == 9) {
      round_up = c >= '5';  // the tenth decimal rounds to the nearest ns
    }
  }
  return seconds * kNsPerSecond + ns + (round_up ? 1 : 0);
}

std::string quoted(std::string_view word) {
  constexpr std::size_t kShown = 40;
  std::string out = "'";
  for (std::size_t i = 0; i < word.size() && i < kShown; ++i) {
    auto c = static_cast<unsigned char>(word[i]);
    if (c >= 0x20 && c < 0x7f)
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  if (word.size() > kShown) out += "...";
  return out + "'";
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_vm_name(std::string_view name) {
  return !name.empty() && name.find_first_not_of(
                              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
                              std::string_view::npos;
}

std::string vm_name_from(std::string_view text) {
  std::string out;
  for (char c : text) out += is_vm_name(std::string_view(&c, 1)) ? c : '_';
  if (out.empty()) out = "vm";
  if (out == "service") out = "service-vm";  // [service] is the service VM's section
  return out;
}

Window window_of(const ImportOptions& options, const std::string& file) {
  auto bad = [&](const std::string& what) {
    return InputError(
        fmt::format("{}: time window {}; expected from >= 0 and to > from (seconds)", file, what));
  };
  Window w;
  auto to_ns = [](double s) { return static_cast<std::uint64_t>(std::llround(s * 1e9)); };
  if (options.from_s) {
    if (!std::isfinite(*options.from_s) || *options.from_s < 0 || *options.from_s > 1e9)
      throw bad(fmt::format("from {}", *options.from_s));
    w.from_ns = to_ns(*options.from_s);
  }
  if (options.to_s) {
    if (!std::isfinite(*options.to_s) || *options.to_s > 1e9 || to_ns(*options.to_s) <= w.from_ns)
      throw bad(fmt::format("from {} to {}", options.from_s.value_or(0), *options.to_s));
    w.to_ns = to_ns(*options.to_s);
  }
  return w;
}

std::string write_trace(const std::string& file, const std::vector<std::string>& comments,
                        const std::vector<ImportVcpu>& vcpus, Hertz clock) {
  if (vcpus.size() > kMaxVcpusPerTrace)
    throw std::logic_error("importer made more vCPUs than a trace holds");
  const std::uint64_t chunk = max_step_ns(clock);
  std::size_t steps = 0;
  std::string out = "# vmmsim-trace 1\n";
  for (const std::string& c : comments) out += "# " + comment_text(c) + "\n";
  auto write_step = [&](const ImportStep& s, const char* indent) {
    for (std::uint64_t left = s.ns; left > 0;) {
      std::uint64_t part = std::min(left, chunk);
      out += fmt::format("{}{} {}\n", indent, keyword(s.kind), format_ns(part));
      ++steps;
      left -= part;
    }
  };
  for (std::size_t i = 0; i < vcpus.size(); ++i) {
    const ImportVcpu& v = vcpus[i];
    if (v.arrival_ns > max_arrival_ns(clock))
      throw std::logic_error("importer made an arrival beyond the format's limit");
    out += fmt::format("vcpu {}", i);
    if (!v.comment.empty()) out += "  # " + comment_text(v.comment);
    out += fmt::format("\n  arrive {}\n", format_ns(v.arrival_ns));
    for (const ImportBlock& b : v.blocks) {
      bool any =
          std::any_of(b.steps.begin(), b.steps.end(), [](const ImportStep& s) { return s.ns > 0; });
      if (!any || b.count == 0) continue;
      if (b.count == 1) {
        for (const ImportStep& s : b.steps) write_step(s, "  ");
        continue;
      }
      out += fmt::format("  repeat {}\n", b.count);
      for (const ImportStep& s : b.steps) write_step(s, "    ");
      out += "  end\n";
      steps += 2;
    }
    if (v.exit) {
      out += "  exit\n";
      ++steps;
    }
    if (steps > kMaxSteps)
      throw InputError(fmt::format(
          "{}: the import needs more than {} steps in one trace; expected at most {}: narrow it "
          "(--top, --from/--to, --jobs, or fewer VMs)",
          file, kMaxSteps, kMaxSteps));
  }
  return out;
}

}  // namespace detail

std::string read_maybe_gzip(const std::string& path) {
  return read_capped_lines(path, kImportInput, kMaxLineChars);
}

std::string gunzip_if_gzip(std::string data, const std::string& file) {
  return read_capped(data, file, kImportInput);
}

std::string import_output_path(const std::string& out, const std::string& vm,
                               std::size_t vm_count) {
  if (vm_count == 1) return out;
  std::string base = out;
  const std::string suffix = ".trace";
  if (base.size() > suffix.size() &&
      base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0)
    base.resize(base.size() - suffix.size());
  return base + "-" + vm + ".trace";
}

namespace {

// Whether pattern element at `p` ('?', '\x', '[...]' or a character) matches
// `c`; *len = the element's length in the pattern.
bool element_matches(std::string_view pat, std::size_t p, char c, std::size_t* len) {
  char e = pat[p];
  *len = 1;
  if (e == '?') return true;
  if (e == '\\' && p + 1 < pat.size()) {
    *len = 2;
    return pat[p + 1] == c;
  }
  if (e != '[') return e == c;
  std::size_t q = p + 1;
  bool negate = q < pat.size() && (pat[q] == '!' || pat[q] == '^');
  if (negate) ++q;
  bool matched = false, first = true;
  while (q < pat.size() && (pat[q] != ']' || first)) {
    first = false;
    char lo = pat[q], hi = lo;
    if (q + 2 < pat.size() && pat[q + 1] == '-' && pat[q + 2] != ']') {
      hi = pat[q + 2];
      q += 3;
    } else {
      ++q;
    }
    if (lo <= c && c <= hi) matched = true;
  }
  if (q >= pat.size()) return c == '[';  // no closing ']': a literal '['
  *len = q + 1 - p;
  return matched != negate;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  constexpr std::size_t kNone = std::string_view::npos;
  std::size_t p = 0, t = 0, star_p = kNone, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    std::size_t len = 0;
    if (p < pattern.size() && element_matches(pattern, p, text[t], &len)) {
      p += len;
      ++t;
      continue;
    }
    if (star_p == kNone) return false;
    p = star_p;  // let the last '*' swallow one more character
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// ---------------------------------------------------------------------------
// Utilisation series.

namespace {

constexpr std::uint64_t kDefaultIntervalNs = 300ull * 1000000000;  // PlanetLab: 5 minutes
constexpr std::uint64_t kMicroPerCent = 1000000;                   // percentages in millionths

// "37", "12.5" -> millionths of a percent; nullopt unless 0..100.
std::optional<std::uint64_t> parse_percent(std::string_view text) {
  std::size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 3 || (dot != std::string_view::npos && frac.empty()))
    return std::nullopt;
  std::uint64_t value = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  value *= kMicroPerCent;
  std::uint64_t scale = kMicroPerCent;
  for (std::size_t i = 0; i < frac.size(); ++i) {
    char c = frac[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (i < 6) {
      scale /= 10;
      value += scale * static_cast<std::uint64_t>(c - '0');
    } else if (i == 6 && c >= '5') {
      ++value;
    }
  }
  if (value > 100 * kMicroPerCent) return std::nullopt;
  return value;
}

}  // namespace

std::vector<std::string> utilization_files(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!std::filesystem::is_directory(path, ec)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> entries;
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      std::string name = entry.path().filename().string();
      std::error_code type_ec;
      if (!name.empty() && name[0] != '.' && entry.is_regular_file(type_ec))
        entries.push_back(entry.path().string());
    }
    if (ec) throw InputError(fmt::format("{}: cannot list directory ({})", path, ec.message()));
    if (entries.empty())
      throw InputError(fmt::format("{}: no files; expected one file of percentages per VM", path));
    std::sort(entries.begin(), entries.end());
    files.insert(files.end(), entries.begin(), entries.end());
  }
  return files;
}

ImportResult import_utilization(const std::vector<std::string>& paths,
                                const ImportOptions& options) {
  if (paths.empty())
    throw InputError("utilization import: no input; expected files or directories");
  std::vector<UtilizationSeries> series;
  for (const std::string& path : utilization_files(paths)) series.push_back({path, read_maybe_gzip(path)});
  return import_utilization_series(series, paths.front(), options);
}

ImportResult import_utilization_series(const std::vector<UtilizationSeries>& all_series,
                                       const std::string& origin, const ImportOptions& options) {
  using detail::ImportStep;
  ImportResult result;
  if (all_series.empty())
    throw InputError(fmt::format("{}: no series; expected one file of percentages per VM", origin));
  std::size_t total_files = all_series.size();
  std::size_t used = options.max_vms > 0 ? std::min(options.max_vms, total_files) : total_files;

  std::uint64_t interval_ns = kDefaultIntervalNs;
  if (options.interval > 0) {
    interval_ns = static_cast<std::uint64_t>(
        (static_cast<unsigned __int128>(options.interval) * 1000000000 + options.clock / 2) /
        options.clock);
    if (interval_ns == 0)
      throw InputError(fmt::format("{}: interval of {} cycles is below 1 ns; expected a longer one",
                                   origin, options.interval));
  }
  const detail::Window window = detail::window_of(options, origin);
  const std::string interval_text = detail::format_ns(interval_ns);

  std::vector<std::string> names_used;
  std::size_t empty_vms = 0;
  std::string first_skipped;
  for (std::size_t f = 0; f < used; ++f) {
    const std::string& path = all_series[f].path;
    const std::string& text = all_series[f].text;
    if (text.size() >= 263 && text.compare(257, 5, "ustar") == 0)
      throw InputError(fmt::format(
          "{}: a tar archive; expected files of percentages: extract it first (tar xzf) and give "
          "the folder of one day, e.g. 20110303/",
          path));
    std::vector<std::string_view> lines;
    for (std::size_t at = 0; at <= text.size();) {
      std::size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      std::string_view line = std::string_view(text).substr(at, end - at);
      if (line.size() > kMaxLineChars + (line.size() && line.back() == '\r' ? 1 : 0))
        throw InputError(fmt::format("{}:{}: line of more than {} characters; expected at most {}", path,
                                     lines.size() + 1, kMaxLineChars, kMaxLineChars));
      lines.push_back(line);
      at = end + 1;
    }
    while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();  // trailing blank lines
    result.lines_read += lines.size();

    // One block per run of equal samples: "repeat N / run X / sleep Y / end".
    std::vector<detail::ImportBlock> blocks;
    std::optional<std::uint64_t> last_percent;
    std::uint64_t samples = 0, kept = 0, percent_sum = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::string_view word = trim(lines[i]);
      if (!word.empty() && word[0] == '#') continue;
      // Sample times past 64-bit ns (584 years) would wrap around: refuse them.
      if (samples > ~std::uint64_t{0} / interval_ns)
        throw InputError(fmt::format(
            "{}:{}: sample {} starts past 2^64 ns at one sample per {}; expected a shorter "
            "interval or fewer samples",
            path, i + 1, samples + 1, interval_text));
      std::uint64_t start_ns = samples * interval_ns;
      ++samples;
      std::optional<std::uint64_t> percent = parse_percent(word);
      if (!percent) {
        std::string message = fmt::format(
            "{}:{}: {}; expected a CPU utilisation percentage from 0 to 100, one per line", path,
            i + 1, word.empty() ? std::string("empty line") : detail::quoted(word));
        if (!options.skip_bad) throw InputError(message);
        ++result.lines_skipped;
        if (first_skipped.empty()) first_skipped = message;
        percent = 0;  // its interval stays, idle, so that later samples keep their times
      }
      if (start_ns < window.from_ns || (window.to_ns && start_ns >= *window.to_ns)) continue;
      ++kept;
      percent_sum += *percent;
      if (last_percent == percent) {
        ++blocks.back().count;
        continue;
      }
      std::uint64_t run_ns = static_cast<std::uint64_t>(
          (static_cast<unsigned __int128>(interval_ns) * *percent + 50 * kMicroPerCent) /
          (100 * kMicroPerCent));
      blocks.push_back({1, {{ImportStep::Run, run_ns}, {ImportStep::Sleep, interval_ns - run_ns}}});
      last_percent = percent;
    }
    if (kept == 0) {
      ++empty_vms;
      continue;
    }
    std::string base = std::filesystem::path(path).filename().string();
    std::string name = detail::vm_name_from(base);
    // Unique ignoring case: each VM's trace is a file, and some file systems ignore case.
    auto used = [&](const std::string& n) {
      return std::any_of(names_used.begin(), names_used.end(),
                         [&](const std::string& u) { return detail::same_ignoring_case(u, n); });
    };
    for (int n = 2; used(name); ++n) name = detail::vm_name_from(base) + "-" + std::to_string(n);
    names_used.push_back(name);

    double mean = static_cast<double>(percent_sum) / static_cast<double>(kept) / kMicroPerCent;
    detail::ImportVcpu vcpu;
    vcpu.comment =
        fmt::format("{}: {} samples of {}, mean {:.1f} %", base, kept, interval_text, mean);
    vcpu.blocks = std::move(blocks);
    std::vector<std::string> comments = {
        fmt::format("Imported by vmmsim from the CPU-utilisation series {}", path),
        fmt::format(
            "Each sample: run its percentage of {}, sleep the rest (time 0 = sample at {}).",
            interval_text, detail::format_ns(window.from_ns)),
        "Runs are CPU demand: on a busy platform the series stretches, it does not drop work."};
    result.vms.push_back(
        {name, detail::write_trace(path, comments, {vcpu}, options.clock), {base}});
  }

  result.notes += fmt::format("utilization: read {} lines from {} files, one sample of {} a line\n",
                              result.lines_read, used, interval_text);
  if (used < total_files)
    result.notes += fmt::format("kept the first {} of {} files (max VMs); dropped {}\n",
                                used, total_files, total_files - used);
  if (window.from_ns > 0 || window.to_ns)
    result.notes +=
        fmt::format("window: samples starting from {} to {}\n", detail::format_ns(window.from_ns),
                    window.to_ns ? detail::format_ns(*window.to_ns) : std::string("the end"));
  if (empty_vms > 0)
    result.notes += fmt::format("dropped {} VMs with no sample in the window\n", empty_vms);
  if (result.lines_skipped > 0)
    result.notes +=
        fmt::format("skipped {} malformed lines, their intervals replayed idle (first: {})\n",
                    result.lines_skipped, first_skipped);
  result.notes += fmt::format("imported {} VMs, one vCPU each\n", result.vms.size());
  if (result.vms.empty())
    throw InputError(fmt::format("{}: nothing to import: no sample in the window", origin));
  return result;
}

}  // namespace vmmsim::workload
