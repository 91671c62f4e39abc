#include "report/gtkwave_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace vmmsim::report {

namespace {

// GTKWave's save-file trace flags (its analyzer.h TR_*), written in hex.
constexpr std::uint64_t kDecimal = 1u << 2;
constexpr std::uint64_t kBinary = 1u << 3;
constexpr std::uint64_t kRightJustify = 1u << 5;
constexpr std::uint64_t kBlank = 1u << 9;
constexpr std::uint64_t kTranslated = 1u << 13;  // a translate filter file is attached
constexpr std::uint64_t kGroupBegin = 1u << 23;
constexpr std::uint64_t kGroupEnd = 1u << 24;

constexpr std::size_t kNamedMarkers = 26;  // A-Z: GTKWave 3.3 as Debian builds it

// Window geometry the zoom is fitted to: the wave pane is what remains of
// kWidth beside the hierarchy and signal panes (less GTKWave's margins, about
// 80 pixels, and some room at the end); GTKWave spans 200 pixels per "frame" of zoombase^-zoom time
// units (zoombase 2). Checked: GTKWave 3.3.118's own best fit of a 2 s run in
// a 1200-pixel window is -29.27; this gives -29.31: the whole run shows.
constexpr int kWidth = 1200, kHeight = 800, kHierarchyWidth = 220, kSignalsWidth = 280;
constexpr double kWavePixels = kWidth - kHierarchyWidth - kSignalsWidth - 100;
constexpr double kPixelsPerFrame = 200;

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string trace_name(const VcdWriter::Declared& s) {
  std::string name = s.scope + "." + s.name;
  if (s.width > 1) name += fmt::format("[{}:0]", s.width - 1);
  return name;
}

std::string group_title(const std::string& scope) {
  std::string title = scope;
  std::replace(title.begin(), title.end(), '.', ' ');
  return title;
}

const std::string* label_of(const VcdWriter::Legend& legend, std::uint64_t value) {
  for (const auto& [v, text] : legend.labels)
    if (v == value) return &text;
  return nullptr;
}

struct Marker {
  std::uint64_t time;
  std::string name;
};

// The start of each phase of each replacement, from the phase signal's history.
std::vector<Marker> phase_markers(const VcdWriter& vcd, const std::string& phase_legend) {
  std::vector<Marker> markers;
  const auto& legends = vcd.legends();
  auto legend = std::find_if(legends.begin(), legends.end(),
                             [&](const auto& l) { return l.name == phase_legend; });
  for (const VcdWriter::Declared& s : vcd.declared()) {
    if (s.legend != phase_legend) continue;
    unsigned replacement = 0;
    std::uint64_t previous = 0;
    for (const auto& [at, value] : s.history) {
      if (value != 0 && previous == 0) ++replacement;
      previous = value;
      if (value == 0) continue;
      const std::string* name = legend == legends.end() ? nullptr : label_of(*legend, value);
      markers.push_back({vcd.viewer_time(at),
                         fmt::format("{} {}", replacement, name ? *name : std::to_string(value))});
    }
  }
  return markers;
}

}  // namespace

GtkwaveFileNames gtkwave_file_names(const std::string& vcd_path,
                                    const std::vector<std::string>& legends) {
  std::string stem = vcd_path;
  const std::string vcd = ".vcd";
  if (stem.size() > vcd.size() && stem.compare(stem.size() - vcd.size(), vcd.size(), vcd) == 0 &&
      stem[stem.size() - vcd.size() - 1] != '/')
    stem.resize(stem.size() - vcd.size());
  GtkwaveFileNames names{stem + ".gtkw", {}};
  for (const std::string& legend : legends)
    names.filters.push_back({legend, stem + "." + legend + ".filter"});
  return names;
}

void write_translate_filter(const VcdWriter::Legend& legend, std::ostream& out) {
  out << "# vmmsim: GTKWave translate filter for the " << legend.name
      << " signals (decimal values; docs/results.md)\n";
  auto labels = legend.labels;
  std::stable_sort(labels.begin(), labels.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [value, text] : labels) out << value << ' ' << text << '\n';
}

void write_gtkwave_save(const VcdWriter& vcd, const GtkwaveFileNames& names,
                        const std::string& vcd_path, Cycles end, const std::string& phase_legend,
                        std::ostream& out) {
  out << "[*] vmmsim: GTKWave save file for " << base_name(vcd_path)
      << " (docs/results.md \"GTKWave files\")\n";
  // Names relative to this file's folder: GTKWave finds them there.
  out << "[dumpfile] \"" << base_name(vcd_path) << "\"\n";
  out << "[savefile] \"" << base_name(names.save) << "\"\n";
  out << "[timestart] 0\n";
  out << "[size] " << kWidth << ' ' << kHeight << "\n[pos] -1 -1\n";
  const double span = static_cast<double>(std::max<std::uint64_t>(vcd.viewer_time(end), 1));
  const double frames = kWavePixels / kPixelsPerFrame;
  std::vector<Marker> markers = phase_markers(vcd, phase_legend);
  const std::size_t left_out = markers.size() > kNamedMarkers ? markers.size() - kNamedMarkers : 0;
  markers.resize(std::min(markers.size(), kNamedMarkers));
  out << fmt::format("*{:.6f} -1", -std::log2(span / frames));
  for (std::size_t i = 0; i < kNamedMarkers; ++i)
    out << ' ' << (i < markers.size() ? std::to_string(markers[i].time) : std::string("-1"));
  out << '\n';
  for (std::size_t i = 0; i < markers.size(); ++i)
    out << "[markername] " << static_cast<char>('A' + i) << markers[i].name << '\n';
  if (left_out > 0)
    out << "[*] " << left_out << " more replacement phases than GTKWave's " << kNamedMarkers
        << " named markers: see vmm.vmm_replacement_phase\n";
  out << "[sst_width] " << kHierarchyWidth << "\n[signals_width] " << kSignalsWidth
      << "\n[sst_expanded] 1\n";

  auto filter_of = [&](const std::string& legend) -> std::size_t {  // 1-based, 0 none
    for (std::size_t f = 0; f < names.filters.size(); ++f)
      if (names.filters[f].legend == legend) return f + 1;
    return 0;
  };
  const std::vector<VcdWriter::Declared> signals = vcd.declared();
  for (std::size_t i = 0; i < signals.size();) {
    // A group per scope: cpu0, vmm, pit, console, vm web, ...
    const std::string title = group_title(signals[i].scope);
    out << fmt::format("@{:x}\n-{}\n", kGroupBegin | kBlank, title);
    for (; i < signals.size() && group_title(signals[i].scope) == title; ++i) {
      const VcdWriter::Declared& s = signals[i];
      const std::size_t filter = s.legend.empty() ? 0 : filter_of(s.legend);
      std::uint64_t flags =
          kRightJustify | ((s.width == 1 || s.bit_field) && !filter ? kBinary : kDecimal);
      if (filter) flags |= kTranslated;
      out << fmt::format("@{:x}\n", flags);
      if (filter) out << '^' << filter << ' ' << base_name(names.filters[filter - 1].path) << '\n';
      out << "+{" << s.name << "} " << trace_name(s) << '\n';
    }
    out << fmt::format("@{:x}\n-{}\n", kGroupEnd | kBlank, title);
  }
  out << "[pattern_trace] 1\n[pattern_trace] 0\n";
}

}  // namespace vmmsim::report
