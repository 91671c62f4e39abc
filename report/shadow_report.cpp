#include "report/shadow_report.h"

#include <fmt/format.h>

#include "base/text.h"

namespace vmmsim::report {
namespace {

std::string ratio(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? "null" : fmt::format("{:.6f}", static_cast<double>(part) / static_cast<double>(whole));
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? "-" : fmt::format("{:.2f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

std::string ns_per(std::uint64_t ns, std::uint64_t calls) {
  return calls == 0 ? "null" : fmt::format("{:.1f}", static_cast<double>(ns) / static_cast<double>(calls));
}

}  // namespace

void write_shadows_json(const Results& r, std::ostream& out) {
  if (r.shadows.empty()) return;
  out << ",\n  \"shadows\": [\n";
  for (std::size_t i = 0; i < r.shadows.size(); ++i) {
    const ShadowResult& s = r.shadows[i];
    std::string kinds;
    for (const ShadowResult::Kind& k : s.kinds)
      kinds += fmt::format("{}{}: {{\"calls\": {}, \"compared\": {}, \"agreed\": {}, \"agreement\": {}}}",
                           kinds.empty() ? "" : ", ", json_quoted(k.name), k.calls,
                           k.answered ? std::to_string(k.compared) : "null",
                           k.answered ? std::to_string(k.agreed) : "null", k.answered ? ratio(k.agreed, k.compared) : "null");
    std::string first = "null";
    if (s.diverged)
      first = fmt::format("{{\"at_cycles\": {}, \"kind\": {}, \"cpu\": {}}}", s.first_divergence,
                          json_quoted(s.first_kind), s.first_cpu < 0 ? std::string("null") : std::to_string(s.first_cpu));
    std::string host;
    if (r.host_cost)
      host = fmt::format(
          ", \"host_ns\": {}, \"host_calls\": {}, \"host_ns_per_call\": {}, \"host_picks\": {}, "
          "\"host_ns_per_pick\": {}, \"active_host_ns_per_pick\": {}",
          s.host_ns, s.host_calls, ns_per(s.host_ns, s.host_calls), s.host_picks, ns_per(s.pick_host_ns, s.host_picks),
          ns_per(s.active_pick_host_ns, s.host_picks));
    out << fmt::format(
        "    {{\"target\": {}, \"requester\": {}, \"status\": {}, \"reason\": {}, \"from_cycles\": {}, "
        "\"to_cycles\": {}, \"tolerance_cycles\": {}, \"requests\": {{{}}}, \"same_next\": {}, "
        "\"first_divergence\": {}, \"picks_waited\": {{\"longer\": {}, \"shorter\": {}, \"equal\": {}}}, "
        "\"priority_pairs\": {}, \"priority_concordant\": {}{}}}{}\n",
        json_quoted(s.target), json_quoted(s.requester), json_quoted(s.status), json_quoted(s.reason), s.from, s.to,
        s.tolerance, kinds, s.same_next, first, s.waited_longer, s.waited_shorter, s.waited_equal, s.priority_pairs,
        s.priority_concordant, host, i + 1 < r.shadows.size() ? "," : "");
  }
  out << "  ]";
}

void write_shadows_text(const Results& r, std::ostream& out) {
  if (r.shadows.empty()) return;
  out << "\nShadow evaluation (answers compared, never applied; cycles)\n";
  for (const ShadowResult& s : r.shadows) {
    out << fmt::format("  {} by {}, {} .. {}: {}{}\n", printable(s.target.empty() ? "(unshadow)" : s.target),
                       printable(s.requester), s.from, s.to, s.status,
                       s.reason.empty() ? "" : " (" + printable(s.reason) + ")");
    if (s.kinds.empty()) continue;
    std::string line;
    for (const ShadowResult::Kind& k : s.kinds)
      if (k.calls > 0)
        line += fmt::format("{}{} {}", line.empty() ? "" : ", ", k.name,
                            k.answered ? fmt::format("{} agree of {}", percent(k.agreed, k.compared), k.compared)
                                       : fmt::format("{} calls", k.calls));
    out << fmt::format("    requests: {}\n", line.empty() ? "none" : line);
    for (const ShadowResult::Kind& k : s.kinds)
      if (k.name == "pick_next" && k.calls > 0)
        out << fmt::format("    pick_next: the same next vCPU {} (slices within {} cycles: {})\n",
                           percent(s.same_next, k.calls), s.tolerance, percent(k.agreed, k.calls));
    if (s.diverged)
      out << fmt::format("    first divergence at {} ({}{})\n", s.first_divergence, s.first_kind,
                         s.first_cpu < 0 ? "" : fmt::format(" on cpu{}", s.first_cpu));
    else
      out << "    no divergence\n";
    out << fmt::format(
        "    at pick disagreements its pick had waited longer {}, shorter {}, as long {}; priority order agrees on "
        "{} of {} query pairs\n",
        s.waited_longer, s.waited_shorter, s.waited_equal, s.priority_concordant, s.priority_pairs);
    if (r.host_cost)
      out << fmt::format(
          "    host: {} ns per call over {} calls; per decision (pick_next, {} of them) {} ns, the active "
          "scheduler's {} ns\n",
          ns_per(s.host_ns, s.host_calls), s.host_calls, s.host_picks, ns_per(s.pick_host_ns, s.host_picks),
          ns_per(s.active_pick_host_ns, s.host_picks));
  }
}

}  // namespace vmmsim::report
