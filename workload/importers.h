// Importers: real traces turned into vmmsim trace text (docs/importers.md).
// ftrace / trace-cmd text, the Standard Workload Format and CPU-utilisation
// series. Plain C++: no SystemC.
//
// Guarantees: every importer returns trace text that workload::parse_trace
// accepts at options.clock (steps, vCPUs and durations within the format's
// limits), or throws InputError naming the file and line ("FILE:LINE: what
// was found; expected ..."). A malformed line is never silently dropped:
// with skip_bad it is counted in lines_skipped and reported in notes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/capped_input.h"
#include "base/units.h"

namespace vmmsim::workload {

struct ImportOptions {
  Hertz clock = 1000000000;  // platform clock: converts `interval`, checks the step limits
  bool skip_bad = false;     // skip (and count) malformed lines instead of failing
  std::size_t top = 0;       // ftrace: keep the N tasks with most CPU time; 0 = all
  // ftrace: task-name glob -> VM name, first match wins; tasks matching none go
  // to VM "other". Empty: every task goes to one VM, "all".
  std::vector<std::pair<std::string, std::string>> vm_patterns;
  // Time window, seconds from the trace's first event (ftrace), first job's
  // submit time (swf) or first sample (utilization).
  std::optional<double> from_s, to_s;
  std::size_t first_job = 0;  // swf: skip this many jobs (in the window, in file order)
  std::size_t max_jobs = 0;   // swf: then keep at most this many; 0 = all
  Cycles interval = 0;        // utilization: time per sample; 0 = 5 minutes
  std::size_t max_vms = 0;    // keep at most N VMs (the first ones in output order); 0 = all
};

struct ImportedVm {
  std::string name;                      // letters, digits, '_' and '-' (a [vm.NAME])
  std::string trace_text;                // "# vmmsim-trace 1" ...
  std::vector<std::string> vcpu_labels;  // [i] = what vcpu i replays, e.g. "sshd-1639"
};

struct ImportResult {
  std::vector<ImportedVm> vms;  // never empty: nothing to import is an InputError
  std::uint64_t lines_read = 0, lines_skipped = 0;
  std::string notes;  // what was kept and dropped, one line each ('\n'-terminated)
  // The traced machine's CPU count where the format records it (ftrace's
  // "cpus=N" header, else its highest CPU number + 1; SWF's MaxProcs), and
  // where it came from ("cpus=6 in the header"); sizes an imported config.
  std::optional<unsigned> source_cpus;
  std::string source_cpus_origin;
};

// ftrace text (trace-cmd report, or the raw ftrace of systrace/atrace) with
// sched_switch and sched_wakeup/sched_waking events: one vCPU per task.
ImportResult import_ftrace(std::istream& in, const std::string& file, const ImportOptions& options);

// Standard Workload Format (Parallel Workloads Archive): one vCPU per
// processor of each job, arriving at its submit time and running its run time.
ImportResult import_swf(std::istream& in, const std::string& file, const ImportOptions& options);

// CPU-utilisation series, one percentage (0..100) per line, one file per VM;
// a directory stands for its regular files (not recursive), in name order.
ImportResult import_utilization(const std::vector<std::string>& files,
                                const ImportOptions& options);
// The files a list of utilization inputs stands for: a directory's regular
// files (not hidden, not recursive) in name order. InputError for an empty
// or unreadable directory.
std::vector<std::string> utilization_files(const std::vector<std::string>& paths);

// The same for series already in memory (gunzipped): `path` names each in
// messages and gives its VM name; `origin` names the whole input.
struct UtilizationSeries {
  std::string path;
  std::string text;
};
ImportResult import_utilization_series(const std::vector<UtilizationSeries>& series,
                                       const std::string& origin, const ImportOptions& options);

// An importer's input: gunzipped if it starts with the gzip magic (whatever
// its name), at most 1 GiB after that, checked while reading (a gzip bomb
// or /dev/zero stops at the cap). Read it through base/capped_input:
//   CappedInput buffer(path, kImportInput); std::istream in(&buffer);
inline constexpr InputKind kImportInput{"file", "a file", std::uint64_t{1} << 30, true};

// The whole content of a file read as kImportInput, each line at most
// kMaxLineChars (checked while reading). InputError "PATH: ..." if it cannot
// be read.
std::string read_maybe_gzip(const std::string& path);
// The same for bytes already in memory (no line limit here: the importers
// check it); `file` names them in messages.
std::string gunzip_if_gzip(std::string data, const std::string& file);

// Where `vmmsim trace import -o OUT` writes a VM's trace: OUT itself when the
// import made one VM, else OUT without its ".trace" suffix + "-VM.trace".
std::string import_output_path(const std::string& out, const std::string& vm, std::size_t vm_count);

// Shell-style glob: '*', '?', '[abc]', '[a-z]', '[!a]' and '\' escapes; '/'
// is an ordinary character (kworker/u8:1 matches "kworker*").
bool glob_match(std::string_view pattern, std::string_view text);

namespace detail {
// Shared by the import_*.cpp files; not for callers.

// A vCPU's program as the importers build it: blocks of steps, each repeated
// `count` times (1 = written without repeat/end).
struct ImportStep {
  enum Kind { Run, Sleep, Io } kind = Run;
  std::uint64_t ns = 0;
};
struct ImportBlock {
  std::uint64_t count = 1;
  std::vector<ImportStep> steps;
};
struct ImportVcpu {
  std::string comment;  // after "vcpu N  # "
  std::uint64_t arrival_ns = 0;
  std::vector<ImportBlock> blocks;
  bool exit = false;
};

// The trace text of one VM: the header, `comments` as '#' lines, then the
// vCPUs. Zero steps are left out, durations above the format's per-step limit
// are split. Throws InputError "FILE: ..." past the steps-per-trace limit.
std::string write_trace(const std::string& file, const std::vector<std::string>& comments,
                        const std::vector<ImportVcpu>& vcpus, Hertz clock);

// The largest `arrive` the format takes at `clock`, in ns.
std::uint64_t max_arrival_ns(Hertz clock);
// "2ms", "173us", "1500ns", "300s": exact, in the largest unit that is.
std::string format_ns(std::uint64_t ns);
// "1.234 ms", "12.5 s" for notes and comments (rounded).
std::string describe_ns(std::uint64_t ns);
// "76.211513" -> 76211513000 (exact; at most 9 decimals; no sign).
std::optional<std::uint64_t> parse_seconds_ns(std::string_view text);
// A word from the input as shown in a message: quoted, printable, cut at 40.
std::string quoted(std::string_view word);
// letters, digits, '_' and '-'; anything else becomes '_'.
std::string vm_name_from(std::string_view text);
bool is_vm_name(std::string_view name);
// ASCII letters compared without case (VM names become file names).
bool same_ignoring_case(std::string_view a, std::string_view b);
// The window [from, to) in ns after the origin; to = nullopt: open.
struct Window {
  std::uint64_t from_ns = 0;
  std::optional<std::uint64_t> to_ns;
};
Window window_of(const ImportOptions& options, const std::string& file);
constexpr std::size_t kMaxVcpusPerTrace = 4096;
}  // namespace detail

}  // namespace vmmsim::workload
