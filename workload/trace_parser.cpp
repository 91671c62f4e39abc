#include "workload/trace_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "base/capped_input.h"
#include "base/input_error.h"
#include "base/text.h"

namespace vmmsim::workload {
namespace {

// Limits that keep a hostile or runaway trace an error instead of a crash or
// an allocation the size of the host (docs/trace-format.md, "Limits").
constexpr std::size_t kMaxTraceBytes = std::size_t{64} << 20;
constexpr unsigned kMaxVcpus = 4096;        // as [vm.*] vcpus allows
constexpr std::size_t kMaxLoopDepth = 64;
constexpr std::uint64_t kMaxRepeatCount = 1000000000;
constexpr Bytes kMaxStepBytes = Bytes{1} << 20;
// A file name in a message: a path's length (PATH_MAX), bytes shown printable.
constexpr std::size_t kMaxPathChars = 4096;

constexpr const char* kStepKeywords =
    "arrive, run, io, sleep, console, read, yield, repeat, end, exit, every, sched-load, sched-stage, "
    "sched-unload, sched-shadow, sched-unshadow, fault";
constexpr const char* kFormatTag = "vmmsim-trace";



std::string quoted(std::string_view word) { return "'" + shown(word) + "'"; }

// The words of a line; three are enough to tell "one argument too many".
struct Words {
  std::string_view at[7];
  std::size_t count = 0;  // up to 7: enough to tell "too many" for every step
};

Words split_words(std::string_view line) {
  Words w;
  std::size_t i = 0;
  while (i < line.size() && w.count < 7) {
    while (i < line.size() && is_blank(line[i])) ++i;
    std::size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > start) w.at[w.count++] = line.substr(start, i - start);
  }
  return w;
}

// The control steps: their keyword's request, and the step it makes.
std::optional<ControlRequest::Kind> control_kind(std::string_view keyword) {
  using Kind = ControlRequest::Kind;
  for (Kind kind : {Kind::Load, Kind::Stage, Kind::Unload, Kind::Shadow, Kind::Unshadow})
    if (keyword == control_keyword(kind)) return kind;
  return std::nullopt;
}

StepKind control_step(ControlRequest::Kind kind) {
  switch (kind) {
    case ControlRequest::Kind::Load: return StepKind::SchedLoad;
    case ControlRequest::Kind::Unload: return StepKind::SchedUnload;
    case ControlRequest::Kind::Stage: return StepKind::SchedStage;
    case ControlRequest::Kind::Shadow: return StepKind::SchedShadow;
    case ControlRequest::Kind::Unshadow: return StepKind::SchedUnshadow;
  }
  return StepKind::SchedLoad;
}

bool is_step_keyword(std::string_view k) {
  for (const char* s : {"arrive", "run", "io", "sleep", "console", "read", "yield", "repeat", "end",
                        "exit", "every", "fault"})
    if (k == s) return true;
  return control_kind(k).has_value();
}

bool is_time_unit(std::string_view w) {
  return w == "ns" || w == "us" || w == "ms" || w == "s" || w == "cycles";
}

bool is_size_unit(std::string_view w) { return w == "B" || w == "KiB" || w == "MiB"; }

// How each step is written, for "expected ..." in messages.
const char* usage_of(std::string_view k) {
  if (k == "vcpu") return "vcpu N";
  if (k == "arrive") return "arrive TIME";
  if (k == "run") return "run DURATION";
  if (k == "io") return "io DURATION";
  if (k == "sleep") return "sleep DURATION";
  if (k == "console") return "console SIZE";
  if (k == "read") return "read [SIZE]";
  if (k == "repeat") return "repeat COUNT or repeat forever";
  if (k == "yield") return "yield alone";
  if (k == "end") return "end alone";
  if (k == "fault") return "fault alone";
  return "exit alone";
}

class TraceParser {
 public:
  TraceParser(const std::string& file, Hertz clock)
      : m_file(file),
        m_file_shown(shown(file, kMaxPathChars)),
        m_clock(clock),
        m_base_dir(std::filesystem::path(file).parent_path().string()) {}

  TraceProgram parse(std::string_view text) {
    if (text.size() > kMaxTraceBytes)
      throw InputError(fmt::format("{}: trace is {} bytes; expected at most {} MiB", m_file_shown,
                                   text.size(), kMaxTraceBytes >> 20));
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t eol = text.find('\n', pos);
      if (eol == std::string_view::npos) eol = text.size();
      ++m_line;
      parse_line(text.substr(pos, eol - pos));
      pos = eol + 1;
    }
    close_section();
    return finish();
  }

 private:
  struct OpenLoop {
    std::uint32_t begin = 0;  // index of its LoopBegin
    std::uint32_t line = 0;
    bool passes_time = false;  // a timed step with a non-zero amount inside
    bool does_something = false;  // a step other than `run 0` inside, nested repeats included
    bool written = false;         // any step inside, as written
  };

  struct Section {
    VcpuProgram program;
    std::uint32_t line = 0;
    std::uint32_t arrive_line = 0;
    std::uint32_t first_step_line = 0;  // as written: a dropped repeat counts
  };

  [[noreturn]] void fail(std::uint32_t line, const std::string& what) const {
    throw InputError(fmt::format("{}:{}: {}", m_file_shown, line, what));
  }
  [[noreturn]] void fail(const std::string& what) const { fail(m_line, what); }

  void parse_line(std::string_view raw) {
    if (raw.find('\0') != std::string_view::npos)
      fail("binary data (a NUL byte); expected a text trace file");
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);  // CRLF files
    if (raw.size() > kMaxLineChars)
      fail(fmt::format("line of {} characters; expected at most {}", raw.size(), kMaxLineChars));
    std::size_t hash = raw.find('#');
    if (m_line == 1 && hash != std::string_view::npos && trim(raw).front() == '#')
      check_header(raw.substr(hash + 1));
    std::string_view statement = raw.substr(0, hash);
    Words w = split_words(statement);
    if (w.count == 0) return;
    std::string_view keyword = w.at[0];
    if (keyword == "vcpu") return begin_section(w);
    if (m_sections.empty()) {
      if (is_step_keyword(keyword))
        fail(fmt::format("step '{}' before any vcpu section; expected 'vcpu N' first", keyword));
      fail(fmt::format("unknown keyword {}; expected 'vcpu N' to start a vCPU program",
                       quoted(keyword)));
    }
    // The words after the keyword, for the steps that take any number.
    std::string_view rest = statement.substr(
        static_cast<std::size_t>(keyword.data() - statement.data()) + keyword.size());
    parse_step(keyword, w, rest);
  }

  // "# vmmsim-trace V" on the first line names the format version.
  void check_header(std::string_view comment) {
    comment = trim(comment);
    std::string_view tag = kFormatTag;
    if (comment.substr(0, tag.size()) != tag) return;
    std::string_view rest = comment.substr(tag.size());
    if (!rest.empty() && !is_blank(rest.front())) return;  // some other comment
    if (!trim(rest).empty() && trim(rest) != "1")
      fail(fmt::format("trace format version {}; expected '# {} 1'", quoted(trim(rest)), tag));
  }

  void begin_section(const Words& w) {
    close_section();
    if (w.count < 2) fail("vcpu without an index; expected vcpu N");
    if (w.count > 2)
      fail(fmt::format("extra argument {} after 'vcpu'; expected vcpu N", quoted(w.at[2])));
    auto index = parse_count(w.at[1], nullptr);
    if (!index || *index >= kMaxVcpus)
      fail(fmt::format("vcpu {}; expected a vCPU index from 0 to {}", quoted(w.at[1]),
                       kMaxVcpus - 1));
    auto seen = m_first_line.find(static_cast<unsigned>(*index));
    if (seen != m_first_line.end())
      fail(fmt::format("vcpu {} again (first at line {}); expected each vcpu index once", *index,
                       seen->second));
    m_first_line[static_cast<unsigned>(*index)] = m_line;
    Section s;
    s.program.index = static_cast<unsigned>(*index);
    s.line = m_line;
    m_sections.push_back(std::move(s));
  }

  // A section ends at the next `vcpu` line or at the end of the file.
  void close_section() {
    if (!m_loops.empty())
      fail(m_loops.back().line, "repeat without end; expected 'end' to close it");
  }

  void parse_step(std::string_view keyword, const Words& w, std::string_view rest) {
    Section& section = m_sections.back();
    std::vector<Step>& steps = section.program.steps;
    if (keyword == "arrive") {
      std::string_view arg = argument(keyword, w);
      if (section.arrive_line != 0)
        fail(fmt::format("second arrive for vcpu {} (first at line {}); expected at most one",
                         section.program.index, section.arrive_line));
      if (section.first_step_line != 0)
        fail(
            fmt::format("arrive after the first step of vcpu {} (line {}); expected arrive before "
                        "any other step",
                        section.program.index, section.first_step_line));
      section.program.arrival = duration(keyword, arg);
      section.arrive_line = m_line;
      return;
    }
    if (section.first_step_line == 0) section.first_step_line = m_line;
    Step step;
    step.line = m_line;
    if (keyword == "run" || keyword == "io" || keyword == "sleep") {
      step.kind = keyword == "run"  ? StepKind::Run
                  : keyword == "io" ? StepKind::Io
                                    : StepKind::Sleep;
      step.cycles = duration(keyword, argument(keyword, w));
    } else if (keyword == "console") {
      step.kind = StepKind::Console;
      step.bytes = size(keyword, argument(keyword, w));
    } else if (keyword == "read") {
      step.kind = StepKind::Read;
      step.bytes = w.count < 2 ? 1 : size(keyword, argument(keyword, w));
    } else if (keyword == "yield" || keyword == "exit" || keyword == "fault") {
      no_argument(keyword, w);
      step.kind = keyword == "yield"  ? StepKind::Yield
                  : keyword == "exit" ? StepKind::Exit
                                      : StepKind::Fault;
    } else if (const auto kind = control_kind(keyword)) {
      ControlRequest request;
      request.line = m_line;
      std::string why = parse_control(*kind, rest, m_base_dir, &request);
      if (!why.empty()) fail(why);
      step.kind = control_step(*kind);
      step.control = static_cast<std::uint32_t>(m_controls.size());
      m_controls.push_back(std::move(request));
    } else if (keyword == "every") {
      periodic(w, &step);
    } else if (keyword == "repeat") {
      step.kind = StepKind::LoopBegin;
      step.count = repeat_count(argument(keyword, w));
      if (m_loops.size() == kMaxLoopDepth)
        fail(fmt::format("repeat nested {} deep; expected at most {} levels", kMaxLoopDepth + 1,
                         kMaxLoopDepth));
    } else if (keyword == "end") {
      no_argument(keyword, w);
      if (m_loops.empty()) fail("'end' without a repeat; expected 'end' only to close a repeat");
      step.kind = StepKind::LoopEnd;
    } else {
      fail(fmt::format("unknown step {}; expected one of {}", quoted(keyword), kStepKeywords));
    }
    if (m_step_total == kMaxSteps)
      fail(fmt::format("more than {} steps in the trace; expected at most {} (use repeat)",
                       kMaxSteps, kMaxSteps));
    ++m_step_total;

    auto here = static_cast<std::uint32_t>(steps.size());
    bool timed = step.kind == StepKind::Run || step.kind == StepKind::Io ||
                 step.kind == StepKind::Sleep || step.kind == StepKind::Console ||
                 step.kind == StepKind::Read || step.kind == StepKind::Periodic;
    if (timed && (step.cycles != 0 || step.bytes != 0) && !m_loops.empty())
      m_loops.back().passes_time = true;
    const bool run_zero = step.kind == StepKind::Run && step.cycles == 0;
    if (step.kind != StepKind::LoopEnd && !m_loops.empty()) {
      m_loops.back().written = true;
      if (!run_zero && step.kind != StepKind::LoopBegin) m_loops.back().does_something = true;
    }
    if (step.kind == StepKind::LoopBegin) m_loops.push_back({here, m_line, false, false, false});
    if (step.kind == StepKind::LoopEnd && !close_loop(steps, &step, here)) return;
    steps.push_back(step);
  }

  // False if the loop does nothing and was dropped with its body.
  bool close_loop(std::vector<Step>& steps, Step* end, std::uint32_t here) {
    OpenLoop loop = m_loops.back();
    m_loops.pop_back();
    Step& begin = steps[loop.begin];
    if (!loop.written)
      fail(loop.line, "repeat with an empty body; expected at least one step before 'end'");
    // A forever loop with no time passing would stall the simulated clock.
    if (begin.count == kRepeatForever && !loop.passes_time)
      fail(loop.line,
           "repeat forever whose body takes no time; expected at least one run, io, sleep, "
           "console or read step with a non-zero amount");
    // Only `run 0` and repeats of it: nothing to do, but 10^9 x 10^9 passes
    // of it would keep the host busy for ages at one simulated cycle.
    if (!loop.does_something) {
      steps.resize(loop.begin);
      return false;
    }
    begin.jump = here;
    end->jump = loop.begin;
    end->count = begin.count;  // the cursor's test at the end, without a read of the beginning
    if (loop.passes_time && !m_loops.empty()) m_loops.back().passes_time = true;
    if (!m_loops.empty()) m_loops.back().does_something = true;
    return true;
  }

  std::string_view argument(std::string_view keyword, const Words& w) const {
    if (w.count < 2) {
      const char* what = keyword == "repeat"                         ? "a count"
                         : keyword == "console" || keyword == "read" ? "a size"
                         : keyword == "arrive"                       ? "a time"
                                                                     : "a duration";
      fail(fmt::format("{} without {}; expected {}", keyword, what, usage_of(keyword)));
    }
    if (w.count > 2) {
      bool split_unit = (keyword == "console" || keyword == "read") ? is_size_unit(w.at[2])
                                                                    : is_time_unit(w.at[2]);
      fail(fmt::format("extra argument {} after '{} {}'; expected {}{}", quoted(w.at[2]), keyword,
                       shown(w.at[1]), usage_of(keyword),
                       split_unit ? " with no space before the unit" : ""));
    }
    return w.at[1];
  }

  void no_argument(std::string_view keyword, const Words& w) const {
    if (w.count > 1)
      fail(fmt::format("extra argument {} after '{}'; expected {}", quoted(w.at[1]), keyword,
                       usage_of(keyword)));
  }

  Cycles duration(std::string_view keyword, std::string_view text) const {
    std::string why;
    auto cycles = parse_duration(text, m_clock, &why);
    if (!cycles)
      fail(fmt::format("bad duration {} for {}; expected {}", quoted(text), keyword, why));
    if (*cycles > max_step_cycles(m_clock))
      fail(fmt::format("{} {} is {} cycles; expected at most {} cycles", keyword, quoted(text),
                       *cycles, max_step_cycles(m_clock)));
    return *cycles;
  }

  Bytes size(std::string_view keyword, std::string_view text) const {
    std::string why;
    auto bytes = parse_size(text, &why);
    if (!bytes) fail(fmt::format("bad size {} for {}; expected {}", quoted(text), keyword, why));
    if (*bytes > kMaxStepBytes)
      fail(fmt::format("{} {} is {} bytes; expected at most 1 MiB ({} bytes) per step", keyword,
                       quoted(text), *bytes, kMaxStepBytes));
    return *bytes;
  }

  // every PERIOD run WORK [count N]
  void periodic(const Words& w, Step* step) const {
    const char* expected = "expected every PERIOD run WORK [count N]";
    if (w.count != 4 && w.count != 6) fail(fmt::format("every with {} words; {}", w.count, expected));
    if (w.at[2] != "run") fail(fmt::format("every ... {}; {}", quoted(w.at[2]), expected));
    step->kind = StepKind::Periodic;
    step->period = duration("every", w.at[1]);
    if (step->period == 0) fail("every 0; expected a period above 0");
    step->cycles = duration("run", w.at[3]);
    step->count = kRepeatForever;
    if (w.count == 6) {
      if (w.at[4] != "count") fail(fmt::format("every ... {}; {}", quoted(w.at[4]), expected));
      auto n = parse_count(w.at[5], nullptr);
      if (!n || *n == 0 || *n > kMaxRepeatCount)
        fail(fmt::format("count {}; expected a job count from 1 to {}", quoted(w.at[5]),
                         kMaxRepeatCount));
      step->count = *n;
    }
  }

  std::uint64_t repeat_count(std::string_view text) const {
    if (text == "forever") return kRepeatForever;
    auto count = parse_count(text, nullptr);
    if (!count || *count == 0 || *count > kMaxRepeatCount)
      fail(fmt::format("repeat {}; expected a count from 1 to {}, or forever", quoted(text),
                       kMaxRepeatCount));
    return *count;
  }

  TraceProgram finish() {
    std::sort(m_sections.begin(), m_sections.end(),
              [](const Section& a, const Section& b) { return a.program.index < b.program.index; });
    TraceProgram trace;
    trace.file = m_file;
    trace.controls = std::move(m_controls);
    for (std::size_t i = 0; i < m_sections.size(); ++i) {
      const Section& s = m_sections[i];
      if (s.program.index != i)
        fail(s.line, fmt::format("vcpu {} but no vcpu {}; expected vcpu sections numbered from 0 "
                                 "without gaps",
                                 s.program.index, i));
      trace.vcpus.push_back(std::move(m_sections[i].program));
    }
    return trace;
  }

  const std::string& m_file;
  std::string m_file_shown;  // as messages name it: printable
  Hertz m_clock;
  std::string m_base_dir;  // the trace's folder; relative image paths start there
  std::uint32_t m_line = 0;
  std::vector<Section> m_sections;                 // in file order until finish()
  std::map<unsigned, std::uint32_t> m_first_line;  // vcpu index -> its line
  std::vector<OpenLoop> m_loops;                   // of the current section, innermost last
  std::size_t m_step_total = 0;
  std::vector<ControlRequest> m_controls;  // in file order; Step::control indexes it
};

}  // namespace

TraceProgram parse_trace(std::string_view text, const std::string& file, Hertz clock) {
  if (clock == 0) throw std::invalid_argument("parse_trace: clock of 0 Hz");  // a caller's bug
  return TraceParser(file, clock).parse(text);
}

TraceProgram load_trace(const std::string& path, Hertz clock) {
  // Read to the cap and no further: /dev/zero is an error, not all of memory.
  return parse_trace(read_capped(path, {"trace file", "a trace file", kMaxTraceBytes, false}), path, clock);
}

}  // namespace vmmsim::workload
