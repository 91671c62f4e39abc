// Standard Workload Format -> vmmsim traces: one vCPU per processor of each
// job, arriving at the job's submit time (docs/importers.md).
#include <fmt/format.h>

#include <algorithm>
#include <istream>

#include "base/capped_input.h"
#include "base/input_error.h"
#include "workload/importers.h"
#include "workload/trace_program.h"

namespace vmmsim::workload {
namespace {

constexpr std::size_t kFields = 18;
// The fields of an SWF job line (1-based in the standard and in messages).
constexpr const char* kFieldNames[kFields] = {
    "job number",     "submit time",      "wait time",   "run time",
    "processors",     "average CPU time", "used memory", "requested processors",
    "requested time", "requested memory", "status",      "user",
    "group",          "executable",       "queue",       "partition",
    "preceding job",  "think time"};

struct Job {
  std::string number;  // field 1, as written
  std::uint64_t submit_ns = 0, run_ns = 0;
  std::uint64_t processors = 0;
  std::string user;
  std::uint32_t line = 0;
};

std::vector<std::string_view> words_of(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

// "-1", "12", "3.5": the forms the standard allows.
bool is_number(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  std::size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "0" : s.substr(dot + 1);
  auto digits = [](std::string_view d) {
    return !d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos;
  };
  return digits(whole) && digits(frac);
}

// Parses one job line; returns the reason it is malformed, or "" (then *job
// is filled, with zero for an unknown submit time, run time or processors,
// and *known tells which are known: bit 0 submit, 1 run, 2 processors).
// "; MaxProcs: 128" in the header: the machine's processor count (-1 or
// absent: unknown).
void read_max_procs(std::string_view line, ImportResult* result) {
  line.remove_prefix(1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  if (line.substr(0, 9) != "MaxProcs:") return;
  line.remove_prefix(9);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
  auto procs = parse_count(line, nullptr);
  if (!procs || *procs == 0 || *procs > 65536) return;
  result->source_cpus = static_cast<unsigned>(*procs);
  result->source_cpus_origin = fmt::format("MaxProcs: {} in the log's header", *procs);
}

std::string parse_job(std::string_view text, Job* job, unsigned* known) {
  std::vector<std::string_view> f = words_of(text);
  if (f.size() != kFields)
    return fmt::format(
        "{} fields; expected 18 whitespace-separated SWF fields (job, submit, wait, run, "
        "processors, ...; -1 = unknown)",
        f.size());
  for (std::size_t i = 0; i < kFields; ++i)
    if (!is_number(f[i]))
      return fmt::format("field {} ({}) {}; expected a number (-1 = unknown)", i + 1,
                         kFieldNames[i], detail::quoted(f[i]));
  auto whole = [&](std::size_t i) { return f[i].find('.') == std::string_view::npos; };
  auto negative = [&](std::size_t i) { return f[i][0] == '-'; };
  job->number = std::string(f[0]);
  job->user = std::string(f[11]);
  *known = 0;
  if (!negative(1)) {
    auto ns = detail::parse_seconds_ns(f[1]);
    if (!ns) return fmt::format("submit time {}; expected seconds, below 10^10", detail::quoted(f[1]));
    job->submit_ns = *ns;
    *known |= 1;
  }
  if (!negative(3)) {
    auto ns = detail::parse_seconds_ns(f[3]);
    if (!ns) return fmt::format("run time {}; expected seconds, below 10^10", detail::quoted(f[3]));
    job->run_ns = *ns;
    if (*ns > 0) *known |= 2;
  }
  for (std::size_t i : {std::size_t{4}, std::size_t{7}}) {  // allocated, else requested
    if (negative(i)) continue;
    if (!whole(i) || f[i].size() > 9)
      return fmt::format("field {} ({}) {}; expected a whole number of processors", i + 1,
                         kFieldNames[i], detail::quoted(f[i]));
    job->processors = std::stoull(std::string(f[i]));
    if (job->processors > 0) {
      *known |= 4;
      break;
    }
  }
  return "";
}

}  // namespace

ImportResult import_swf(std::istream& in, const std::string& file, const ImportOptions& options) {
  const detail::Window window = detail::window_of(options, file);
  ImportResult result;
  std::vector<Job> jobs;
  std::uint64_t no_submit = 0, no_run = 0, no_processors = 0, job_lines = 0;
  std::string first_skipped, text;
  while (read_line(in, &text, kMaxLineChars, file, result.lines_read + 1)) {
    ++result.lines_read;
    std::string_view t = text;
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    if (!t.empty() && t[0] == ';') read_max_procs(t, &result);
    if (t.empty() || t[0] == ';' || t == "\r") continue;  // ';' starts the header and comments
    Job job;
    job.line = static_cast<std::uint32_t>(result.lines_read);
    unsigned known = 0;
    std::string why = parse_job(t, &job, &known);
    if (!why.empty()) {
      std::string message = fmt::format("{}:{}: {}", file, result.lines_read, why);
      if (!options.skip_bad) throw InputError(message);
      ++result.lines_skipped;
      if (first_skipped.empty()) first_skipped = message;
      continue;
    }
    ++job_lines;
    if (!(known & 1))
      ++no_submit;
    else if (!(known & 2))
      ++no_run;
    else if (!(known & 4))
      ++no_processors;
    else
      jobs.push_back(std::move(job));
  }
  if (in.bad()) throw InputError(fmt::format("{}: read error", file));
  if (jobs.empty())
    throw InputError(fmt::format(
        "{}: no job with a known submit time, run time and processor count in {} lines; expected "
        "SWF job lines",
        file, result.lines_read));

  // The window counts from the first submit; then --jobs picks among the rest.
  std::uint64_t origin = jobs.front().submit_ns;
  for (const Job& j : jobs) origin = std::min(origin, j.submit_ns);
  std::vector<Job> kept;
  std::size_t in_window = 0;
  for (Job& j : jobs) {
    std::uint64_t at = j.submit_ns - origin;
    if (at < window.from_ns || (window.to_ns && at >= *window.to_ns)) continue;
    if (in_window++ < options.first_job) continue;
    if (options.max_jobs > 0 && kept.size() == options.max_jobs) continue;
    kept.push_back(std::move(j));
  }
  std::stable_sort(kept.begin(), kept.end(),
                   [](const Job& a, const Job& b) { return a.submit_ns < b.submit_ns; });
  if (kept.empty())
    throw InputError(fmt::format("{}: nothing to import: {} jobs in the window, {} skipped", file,
                                 in_window, options.first_job));
  // Time 0: the window's start when one is given, else the first kept submit.
  const std::uint64_t zero = options.from_s ? origin + window.from_ns : kept.front().submit_ns;
  const std::uint64_t max_arrival = detail::max_arrival_ns(options.clock);

  std::vector<std::vector<detail::ImportVcpu>> vms(1);
  std::vector<std::vector<std::string>> labels(1);
  std::uint64_t too_late = 0, too_wide = 0, vm_full = 0, processors = 0;
  double demand_s = 0;
  std::size_t imported = 0;
  std::string first_number, last_number;
  for (const Job& j : kept) {
    if (j.submit_ns - zero > max_arrival) {
      ++too_late;
      continue;
    }
    if (j.processors > detail::kMaxVcpusPerTrace) {
      ++too_wide;
      continue;
    }
    if (vms.back().size() + j.processors > detail::kMaxVcpusPerTrace) {
      if (options.max_vms > 0 && vms.size() == options.max_vms) {
        ++vm_full;
        continue;
      }
      vms.emplace_back();
      labels.emplace_back();
    }
    for (std::uint64_t p = 0; p < j.processors; ++p) {
      detail::ImportVcpu v;
      v.arrival_ns = j.submit_ns - zero;
      v.blocks.push_back({1, {{detail::ImportStep::Run, j.run_ns}}});
      v.comment =
          p == 0 ? fmt::format("job {}: {} processor{} x {}, submitted at {}, user {}", j.number,
                               j.processors, j.processors == 1 ? "" : "s",
                               detail::format_ns(j.run_ns), detail::format_ns(j.submit_ns), j.user)
                 : fmt::format("job {}", j.number);
      vms.back().push_back(std::move(v));
      labels.back().push_back(fmt::format("job{}-p{}", j.number, p));
    }
    ++imported;
    processors += j.processors;
    demand_s += static_cast<double>(j.run_ns) / 1e9 * static_cast<double>(j.processors);
    if (first_number.empty()) first_number = j.number;
    last_number = j.number;
  }
  if (imported == 0)
    throw InputError(
        fmt::format("{}: nothing to import: every selected job arrives too late or "
                    "needs more than {} processors",
                    file, detail::kMaxVcpusPerTrace));

  std::vector<std::string> comments = {
      fmt::format("Imported by vmmsim from the SWF log {}", file),
      "One vCPU per processor of each job: it arrives at the job's submit time and runs the",
      "job's run time, so a job's demand is run time x processors; it then halts.",
      fmt::format("Time 0 here is {} in the log.", detail::format_ns(zero))};
  for (std::size_t v = 0; v < vms.size(); ++v) {
    ImportedVm vm;
    vm.name = vms.size() == 1 ? "jobs" : fmt::format("jobs-{}", v + 1);
    vm.trace_text = detail::write_trace(file, comments, vms[v], options.clock);
    vm.vcpu_labels = std::move(labels[v]);
    result.notes += fmt::format("VM {}: {} vCPUs\n", vm.name, vms[v].size());
    result.vms.push_back(std::move(vm));
  }

  std::string notes =
      fmt::format("swf: read {} lines, {} job lines\n", result.lines_read, job_lines);
  if (no_submit + no_run + no_processors > 0)
    notes += fmt::format(
        "dropped {} jobs with an unknown submit time, {} with an unknown or zero run time, {} "
        "with unknown processors\n",
        no_submit, no_run, no_processors);
  if (window.from_ns > 0 || window.to_ns)
    notes += fmt::format("window: jobs submitted {}..{} after the first submit: {} jobs\n",
                         detail::format_ns(window.from_ns),
                         window.to_ns ? detail::format_ns(*window.to_ns) : std::string("end"),
                         in_window);
  if (options.first_job > 0 || options.max_jobs > 0)
    notes += fmt::format("jobs: skipped the first {}, kept {}\n",
                         std::min<std::size_t>(options.first_job, in_window), kept.size());
  if (too_late > 0)
    notes += fmt::format(
        "dropped {} jobs arriving more than {} after time 0 (the format's limit at this clock): "
        "narrow the import with --from/--to or --jobs\n",
        too_late, detail::describe_ns(max_arrival));
  if (too_wide > 0)
    notes += fmt::format("dropped {} jobs with more than {} processors\n", too_wide,
                         detail::kMaxVcpusPerTrace);
  if (vm_full > 0)
    notes += fmt::format("dropped {} jobs beyond the first {} VMs\n", vm_full, options.max_vms);
  notes += fmt::format(
      "imported {} jobs (job {} to job {}): {} vCPUs, {:.1f} CPU-seconds of demand; time 0 = {} in "
      "the log\n",
      imported, first_number, last_number, processors, demand_s, detail::format_ns(zero));
  if (result.lines_skipped > 0)
    notes += fmt::format("skipped {} malformed lines (first: {})\n", result.lines_skipped,
                         first_skipped);
  result.notes = notes + result.notes;
  return result;
}

}  // namespace vmmsim::workload
