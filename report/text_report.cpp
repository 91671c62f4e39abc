#include "report/text_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/text.h"
#include "report/controller_report.h"
#include "report/shadow_report.h"

namespace vmmsim::report {
namespace {

std::string ms(Cycles c, Hertz clock) { return fmt::format("{:.3f}", to_milliseconds(c, clock)); }
std::string opt_ms(const std::optional<Cycles>& c, Hertz clock) { return c ? ms(*c, clock) : "-"; }
// Names, paths and reasons may come from plugins and file names: a terminal
// gets them printable.
std::string text(const std::string& s) { return printable(s); }

}  // namespace

void write_text_report(const Results& r, std::ostream& out, TextDetail detail) {
  const Hertz hz = r.clock;
  out << fmt::format("vmmsim report: {}\n", text(r.config_file));
  out << fmt::format("scheduler {}, {} pCPU(s) at {:.3f} GHz, simulated {} cycles ({} ms){}\n\n", text(r.scheduler), r.cpus,
                     static_cast<double>(hz) / 1e9, r.elapsed, ms(r.elapsed, hz),
                     r.all_finished ? ", every guest program ended" : "");
  if (r.partial) out << fmt::format("PARTIAL: {}; the results cover the simulated time so far\n\n", text(r.partial_reason));

  // Name columns widen to the longest name (never cut: a name is what a
  // user searches for), so every row's figures stay under their headers.
  std::size_t vm_width = 12, vcpu_width = 14;
  for (const VmResult& vm : r.vms) vm_width = std::max(vm_width, text(vm.name).size() + (vm.service ? 1 : 0));
  for (const VcpuResult& v : r.vcpus)
    vcpu_width = std::max(vcpu_width, fmt::format("{}.{}", text(v.vm), v.index).size());
  out << "VMs\n";
  out << fmt::format("  {:<{}} {:>5} {:>6} {:>14} {:>8} {:>8} {:>8} {:>9} {:>12} {:>12} {:>11} {:>11}\n", "vm",
                     vm_width, "vcpus", "weight", "cpu cycles", "share", "demand", "fair", "entitled", "input p50ms",
                     "input p99ms", "stall ms", "stall maxms");
  for (const VmResult& vm : r.vms) {
    bool input = vm.input_latency.count() > 0;
    out << fmt::format("  {:<{}} {:>5} {:>6} {:>14} {:>7.2f}% {:>7.2f}% {:>7.2f}% {:>8.2f}% {:>12} {:>12} {:>11} {:>11}\n",
                       text(vm.name) + (vm.service ? "*" : ""), vm_width, vm.vcpus, vm.weight, vm.cpu, 100 * vm.share,
                       100 * vm.demand, 100 * vm.fair, 100 * vm.entitled,
                       input ? ms(vm.input_latency.percentile(50), hz) : "-",
                       input ? ms(vm.input_latency.percentile(99), hz) : "-", ms(vm.swap_stall, hz),
                       ms(vm.swap_stall_max, hz));
  }
  out << "  (% of all pCPU time. demand: what the VM would have used had it never waited; fair: its weighted\n"
         "  max-min share of the guests' capacity, capped at its demand; entitled: by weight alone; docs/results.md)\n";
  out << fmt::format("  Jain's fairness index (share / fair share, guest VMs): {:.4f}\n", r.jain_fairness);
  out << fmt::format("  Jain's index by weight only (share / entitled share, demand ignored): {:.4f}\n\n",
                     r.jain_entitled);
  if (detail == TextDetail::Summary) return;

  out << "vCPUs (times in ms)\n";
  out << fmt::format("  {:<{}} {:>12} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>7} {:>6} {:>9}\n", "vcpu",
                     vcpu_width, "cpu cycles", "wait avg", "wait p50", "wait p99", "wait max", "response", "turnaround", "ctxsw",
                     "migr", "stall");
  for (const VcpuResult& v : r.vcpus) {
    out << fmt::format("  {:<{}} {:>12} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>7} {:>6} {:>9}\n",
                       fmt::format("{}.{}", text(v.vm), v.index), vcpu_width, v.cpu, fmt::format("{:.3f}", v.wait.mean() * 1000 / hz),
                       ms(v.wait.percentile(50), hz), ms(v.wait.percentile(99), hz), ms(v.wait.max(), hz),
                       opt_ms(v.response, hz), opt_ms(v.turnaround, hz), v.context_switches, v.migrations,
                       ms(v.swap_stall, hz));
  }

  bool periodic = false;
  for (const VcpuResult& v : r.vcpus) periodic = periodic || v.jobs > 0;
  if (periodic) {
    out << "\nPeriodic jobs (every)\n";
    out << fmt::format("  {:<{}} {:>8} {:>8} {:>14} {:>14}\n", "vcpu", vcpu_width, "jobs", "misses",
                       "lateness p99ms", "lateness maxms");
    for (const VcpuResult& v : r.vcpus)
      if (v.jobs)
        out << fmt::format("  {:<{}} {:>8} {:>8} {:>14} {:>14}\n", fmt::format("{}.{}", text(v.vm), v.index),
                           vcpu_width, v.jobs,
                           v.deadline_misses, ms(v.lateness.percentile(99), hz), ms(v.lateness.max(), hz));
  }

  out << "\npCPUs (cycles)\n";
  out << fmt::format("  {:<6} {:>14} {:>14} {:>14} {:>14} {:>8}\n", "pcpu", "guest", "vmm", "idle", "ceased", "busy");
  for (std::size_t i = 0; i < r.pcpus.size(); ++i) {
    const PcpuResult& p = r.pcpus[i];
    double busy = r.elapsed ? 100.0 * static_cast<double>(p.guest + p.vmm) / static_cast<double>(r.elapsed) : 0;
    out << fmt::format("  cpu{:<3} {:>14} {:>14} {:>14} {:>14} {:>7.2f}%\n", i, p.guest, p.vmm, p.idle, p.ceased, busy);
  }

  out << "\nRequests\n ";
  for (const auto& [name, count] : r.requests)
    if (count) out << fmt::format(" {}={}", name, count);
  out << fmt::format("\n  feedback: done={} rejected={} invalid={} deferred={}; PIT ticks={}\n", r.feedback_done,
                     r.feedback_rejected, r.feedback_invalid, r.feedback_deferred, r.pit_ticks);
  out << fmt::format("Console: {} bytes written, {} transmitted, {} received\n", r.console_written,
                     r.console_transmitted, r.console_received);

  if (!r.replacements.empty()) {
    out << fmt::format("\nScheduler replacements (activation {}; cycles)\n", text(r.activation));
    out << fmt::format("  {:>12} {:<6} {:<8} {:<18} {:>8} {:>8} {:>7} {:>8} {:>8} {:>8} {:>9} {:>5} {:>5}\n",
                       "requested", "kind", "by", "from -> to", "cease", "drain", "unload", "load", "migrate",
                       "activate", "downtime", "tx", "vcpus");
    for (const ReplacementResult& x : r.replacements) {
      std::string change = fmt::format("{} -> {}", text(x.from), text(x.to));
      if (x.sequence)
        out << fmt::format("  {:>12} {:<6} {:<8} {:<18} {:>8} {:>8} {:>7} {:>8} {:>8} {:>8} {:>9} {:>5} {:>5}\n",
                           x.requested_at, text(x.kind), text(x.requester), change, x.cease, x.drain, x.unload, x.load,
                           x.migrate, x.activate, x.downtime, x.tx_retired, x.vcpus_migrated);
      else if (x.kind == "stage")
        out << fmt::format("  {:>12} {:<6} {:<8} {:<18} (no sequence; {} staged in {} cycles on cpu{} while guests "
                           "run)\n",
                           x.requested_at, text(x.kind), text(x.requester), change, text(x.target), x.stage,
                           std::max(x.stage_cpu, 0));
      else if (x.unload_cpu >= 0)
        out << fmt::format("  {:>12} {:<6} {:<8} {:<18} (no sequence; {} unloaded in {} cycles on cpu{} while guests "
                           "run)\n",
                           x.requested_at, text(x.kind), text(x.requester), change, text(x.target), x.unload,
                           x.unload_cpu);
      else
        out << fmt::format("  {:>12} {:<6} {:<8} {:<18} (no sequence)\n", x.requested_at, text(x.kind), text(x.requester),
                           change);
      if (x.sequence)
        out << fmt::format("  {:>12} {}guests: {} vCPU(s) stalled, the longest {} cycles; {} wake(s) held, {} PIT "
                           "tick(s) while ceased\n",
                           "", x.in_progress ? "IN PROGRESS at the end of the run (phases so far); " : "",
                           x.vcpus_stalled, x.stall_max, x.wakes_held, x.ticks_while_ceased);
      if (!x.source.empty()) out << fmt::format("  {:>12} loaded from {}\n", "", text(x.source));
      if (x.staged) out << fmt::format("  {:>12} staged earlier: no load phase\n", "");
      if (!x.evicted.empty()) {
        std::string names;
        for (const std::string& name : x.evicted) names += (names.empty() ? "" : ", ") + text(name);
        out << fmt::format("  {:>12} evicted to make room: {}\n", "", names);
      }
      if (x.unload_after > 0 || (x.sequence && x.unload_cpu >= 0))
        out << fmt::format("  {:>12} unload-after {} cycles on cpu{} while guests run (not downtime)\n", "",
                           x.unload_after, x.unload_cpu);
      if (x.in_progress) continue;  // neither failed nor done yet
      if (!x.ok) out << fmt::format("  {:>12} FAILED {} {}: {}\n", "", text(x.kind), text(x.target), text(x.reason));
      else if (x.kind == "eject") out << fmt::format("  {:>12} ejected {}: {}\n", "", text(x.target), text(x.reason));
    }
  }
  if (r.epochs.size() > 1) {
    out << "\nEpochs (by the active scheduler; a wait or input latency counts where it ends)\n";
    for (const EpochResult& e : r.epochs) {
      out << fmt::format("  under {} (slot {}), {} .. {} ms\n", text(e.scheduler), e.slot, ms(e.from, hz), ms(e.to, hz));
      out << fmt::format("    {:<{}} {:>8} {:>11} {:>11} {:>12}\n", "vm", vm_width, "share", "wait p50ms",
                         "wait p99ms", "input p99ms");
      for (std::size_t k = 0; k < e.vms.size(); ++k) {
        const EpochVmResult& vm = e.vms[k];
        const bool input = vm.input_latency.count() > 0;
        out << fmt::format("    {:<{}} {:>7.2f}% {:>11} {:>11} {:>12}\n", text(r.vms[k].name), vm_width,
                           100 * vm.share,
                           ms(vm.wait.percentile(50), hz), ms(vm.wait.percentile(99), hz),
                           input ? ms(vm.input_latency.percentile(99), hz) : "-");
      }
    }
  }
  if (!r.faults.empty()) {
    out << "\nGuest faults\n";
    for (const FaultResult& f : r.faults)
      out << fmt::format("  {}.{} faulted at {}; {} vCPU(s) of {} halted at {}\n", text(f.vm), f.vcpu, f.at,
                         f.vcpus_halted, text(f.vm), f.halted_at);
  }
  write_shadows_text(r, out);
  write_controller_text(r, out);
}

}  // namespace vmmsim::report
