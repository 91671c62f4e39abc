// vcd_check: what the GTKWave tests check of vmmsim's VCD files, by parsing them.
//   vcd_check same A.vcd B.vcd   the same signals (full name, width), timescale,
//                                value changes and end time (B from fst2vcd of
//                                A's FST: another writer's codes and layout)
//   vcd_check gtkw FILE.gtkw     the save file's traces are signals of its VCD,
//                                every signal is shown, each filter attached names
//                                every value its trace takes, and each marker
//                                "N PHASE" sits where the phase signal becomes PHASE
// Exit 0 when it holds, 1 with the first difference on stderr, 2 on bad usage.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

struct Signal {
  unsigned width = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>>
      changes;  // (time, value), each a real change
};

struct Vcd {
  std::string timescale;
  std::map<std::string, Signal>
      signals;            // by "scope.leaf" (GTKWave's trace name without the range)
  std::uint64_t end = 0;  // the last time stamp
};

[[noreturn]] void fail(const std::string& what) {
  std::cerr << "vcd_check: " << what << '\n';
  std::exit(1);
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path + ": cannot read");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::uint64_t binary(const std::string& bits, const std::string& where) {
  std::uint64_t v = 0;
  for (char c : bits) {
    if (c != '0' && c != '1') fail(where + ": value '" + bits + "' is not 0/1 bits");
    v = v << 1 | static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

Vcd parse(const std::string& path) {
  std::istringstream in(read(path));
  Vcd vcd;
  std::vector<std::string> scopes;
  std::map<std::string, std::string> name_of;  // code -> full name
  std::string word;
  std::uint64_t now = 0;
  bool body = false;
  auto set = [&](const std::string& code, std::uint64_t value) {
    auto n = name_of.find(code);
    if (n == name_of.end()) fail(path + ": a value for the undeclared code " + code);
    auto& changes = vcd.signals[n->second].changes;
    if (changes.empty() || changes.back().second != value) changes.emplace_back(now, value);
  };
  auto skip_to_end = [&] {
    for (std::string w; in >> w && w != "$end";) {
    }
  };
  while (in >> word) {
    if (!body) {
      if (word == "$scope") {
        std::string kind, name;
        in >> kind >> name;
        scopes.push_back(name);
      } else if (word == "$upscope") {
        scopes.pop_back();
      } else if (word == "$var") {
        std::string kind, width, code, leaf;
        in >> kind >> width >> code >> leaf;
        std::string full;
        for (const std::string& s : scopes) full += s + ".";
        full += leaf;
        if (vcd.signals.count(full)) fail(path + ": " + full + " declared twice");
        vcd.signals[full].width = static_cast<unsigned>(std::stoul(width));
        name_of[code] = full;
      } else if (word == "$timescale") {
        for (std::string w; in >> w && w != "$end";) vcd.timescale += w;
        continue;
      } else if (word == "$enddefinitions") {
        body = true;
      } else if (word[0] != '$') {
        fail(path + ": unexpected '" + word + "' in the header");
      }
      skip_to_end();  // the rest of the command: a range, a version, a comment
      continue;
    }
    if (word == "$dumpvars" || word == "$end") continue;
    if (word == "$comment") {
      skip_to_end();
    } else if (word[0] == '#') {
      now = vcd.end = std::stoull(word.substr(1));
    } else if (word[0] == 'b' || word[0] == 'B') {
      std::string code;
      in >> code;
      set(code, binary(word.substr(1), path));
    } else if (word[0] == '0' || word[0] == '1') {
      set(word.substr(1), static_cast<std::uint64_t>(word[0] - '0'));
    } else {
      fail(path + ": unexpected '" + word + "' in the value changes");
    }
  }
  return vcd;
}

int same(const std::string& a_path, const std::string& b_path) {
  const Vcd a = parse(a_path), b = parse(b_path);
  if (a.timescale != b.timescale) fail("timescale " + a.timescale + " vs " + b.timescale);
  if (a.end != b.end) fail("end time " + std::to_string(a.end) + " vs " + std::to_string(b.end));
  for (const auto& [name, s] : a.signals) {
    auto other = b.signals.find(name);
    if (other == b.signals.end()) fail(name + " is missing from " + b_path);
    if (s.width != other->second.width)
      fail(name + ": width " + std::to_string(s.width) + " vs " +
           std::to_string(other->second.width));
    const auto& x = s.changes;
    const auto& y = other->second.changes;
    for (std::size_t i = 0; i < x.size() || i < y.size(); ++i)
      if (i >= x.size() || i >= y.size() || x[i] != y[i])
        fail(name + ": change " + std::to_string(i) + " differs (" + std::to_string(x.size()) +
             " vs " + std::to_string(y.size()) + " changes)");
  }
  if (a.signals.size() != b.signals.size())
    fail(b_path + " has signals that " + a_path + " has not");
  std::size_t changes = 0;
  for (const auto& [name, s] : a.signals) changes += s.changes.size();
  std::cout << a.signals.size() << " signals, " << changes << " value changes, end " << a.end
            << ": the same\n";
  return 0;
}

std::string folder_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

std::string quoted(const std::string& line) {
  const auto a = line.find('"'), b = line.rfind('"');
  return a == std::string::npos || a == b ? "" : line.substr(a + 1, b - a - 1);
}

std::map<std::uint64_t, std::string> read_filter(const std::string& path) {
  std::istringstream in(read(path));
  std::map<std::uint64_t, std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.find(' ');
    if (space == std::string::npos) fail(path + ": a line without a name: " + line);
    names[std::stoull(line.substr(0, space))] = line.substr(space + 1);
  }
  return names;
}

int gtkw(const std::string& save_path) {
  const std::string folder = folder_of(save_path);
  std::istringstream in(read(save_path));
  std::string dumpfile;
  std::vector<std::uint64_t> marker_times;
  std::map<char, std::string> marker_names;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("[dumpfile]", 0) == 0) dumpfile = quoted(line);
    if (line.rfind("[markername] ", 0) == 0) marker_names[line[13]] = line.substr(14);
    if (line[0] == '*') {
      std::istringstream words(line.substr(1));
      std::string zoom, marker;
      words >> zoom >> marker;
      for (std::int64_t t; words >> t;) marker_times.push_back(static_cast<std::uint64_t>(t));
    }
    lines.push_back(line);
  }
  if (dumpfile.empty()) fail(save_path + ": no [dumpfile]");
  const Vcd vcd = parse(folder + dumpfile);
  std::set<std::string> shown;
  std::string filter;  // the one attached to the next trace
  std::map<std::string, std::string> phase_filter;
  std::map<std::string, std::map<std::uint64_t, std::string>> filters;
  for (const std::string& line : lines) {
    if (line[0] == '^') {
      filter = line.substr(line.find(' ') + 1);
      filters[filter] = read_filter(folder + filter);
      continue;
    }
    if (line[0] != '+' && line[0] != '@') continue;
    if (line[0] == '@') {
      if (!(std::stoull(line.substr(1), nullptr, 16) & (1u << 13))) filter.clear();
      continue;
    }
    std::string name = line.substr(line.find("} ") + 2);
    if (const auto bracket = name.find('['); bracket != std::string::npos) name.resize(bracket);
    auto s = vcd.signals.find(name);
    if (s == vcd.signals.end())
      fail(save_path + ": trace " + name + " is no signal of " + dumpfile);
    shown.insert(name);
    if (filter.empty()) continue;
    for (const auto& [at, value] : s->second.changes)
      if (!filters[filter].count(value))
        fail(name + " takes " + std::to_string(value) + " at " + std::to_string(at) + ", which " +
             filter + " does not name");
    if (name.find("replacement_phase") != std::string::npos) {
      // Each marker "N PHASE": the phase signal becomes PHASE at its time.
      for (const auto& [letter, marker] : marker_names) {
        const std::uint64_t at = marker_times.at(static_cast<std::size_t>(letter - 'A'));
        const std::string phase = marker.substr(marker.find(' ') + 1);
        bool found = false;
        for (const auto& [t, value] : s->second.changes)
          found |= t == at && filters[filter][value] == phase;
        if (!found)
          fail("marker " + marker + " at " + std::to_string(at) + ": " + name +
               " does not become " + phase);
      }
    }
  }
  for (const auto& [name, s] : vcd.signals)
    if (!shown.count(name)) fail(name + " is not shown by " + save_path);
  std::cout << shown.size() << " traces, " << filters.size() << " filters, " << marker_names.size()
            << " markers: consistent with " << dumpfile << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 3 && args[0] == "same") return same(args[1], args[2]);
  if (args.size() == 2 && args[0] == "gtkw") return gtkw(args[1]);
  std::cerr << "usage: vcd_check same A.vcd B.vcd | vcd_check gtkw FILE.gtkw\n";
  return 2;
}
