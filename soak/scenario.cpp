#include "soak/scenario.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "soak/draw.h"
#include "soak/scenario_controller.h"
#include "workload/control_request.h"
#include "workload/generators.h"
#include "workload/random.h"

namespace vmmsim::soak {

namespace {

constexpr std::array<const char*, 8> kBuiltins = {"fifo", "rr", "bvt", "credit", "credit2", "rtds", "arinc653",
                                                  "eevdf"};
constexpr std::array<const char*, 4> kActivations = {"id-register", "function-table", "function-table-pointers",
                                                    "patch"};
constexpr std::array<const char*, 5> kPolicies = {"", "keep-old", "unload-old", "auto", "unload-after"};
// [image_source.NAME] sections a scenario may declare ([0019]); loads then
// name one now and then.
constexpr std::array<const char*, 2> kSources = {"disk", "web"};

// One scheduler control request, written as a trace step or a --swap.
struct Control {
  bool unload = false;
  bool stage = false;             // sched-stage / [run] stage: no policy
  std::string target;             // load: built-in name or plugin path; unload: name or "" (the active one)
  std::vector<std::string> args;  // KEY=VALUE, policy=... first

  std::string as_step() const {
    std::string s = unload ? "sched-unload" : (stage ? "sched-stage " : "sched-load ") + target;
    if (unload && !target.empty()) s += " " + target;
    for (const std::string& a : args) s += " " + a;
    return s;
  }
  std::string as_swap(std::uint64_t at_us) const {
    std::string s = fmt::format("{}us:", at_us);
    if (unload) return s + (target.empty() ? "unload" : "unload=" + target);
    s += target;
    for (const std::string& a : args) s += "," + a;
    return s;
  }
};

// `sources`: whether the scenario declares kSources.
Control random_control(Draw& d, const std::string& plugins, bool sources) {
  Control c;
  const std::uint64_t what = d.below(100);
  if (what < 30) {  // a built-in, maybe with a parameter of its own
    c.target = d.pick(kBuiltins);
    if (d.chance(30)) {
      // A valid value, given in a unit the clock converts.
      static const std::array<std::pair<const char*, const char*>, 8> kParams = {{{"rr", "quantum=500us"},
                                                                                  {"rr", "quantum=3ms"},
                                                                                  {"bvt", "ctx_allow=2ms"},
                                                                                  {"credit", "tslice=5ms"},
                                                                                  {"credit", "ratelimit=0us"},
                                                                                  {"credit2", "max_timer=2ms"},
                                                                                  {"eevdf", "slice=700us"},
                                                                                  {"arinc653", "major_frame=30ms"}}};
      const auto& [name, param] = d.pick(kParams);
      c.target = name;
      c.args.push_back(param);
    }
  } else if (what < 40) {  // the lottery plugin; loaded again while kept, its new quantum applies
    c.target = plugins + "/vmmsim_lottery.so";
    if (d.chance(40)) {
      const int quantum_us = d.pick(std::array<int, 3>{300, 2000, 20000});
      c.args.push_back(fmt::format("quantum={}us", quantum_us));
    }
  } else if (what < 55) {  // a misbehaving plugin: ejected later, or refused at start
    c.target = plugins + "/vmmsim_broken.so";
    const std::uint64_t fault = d.below(7);
    c.args.push_back(fmt::format("fault={}", fault));
    const std::uint64_t after = d.below(100);
    c.args.push_back(fmt::format("after={}", after));
    const int quantum_us = d.pick(std::array<int, 3>{500, 1000, 5000});
    c.args.push_back(fmt::format("quantum={}us", quantum_us));
  } else if (what < 67) {  // an image that cannot load
    // (An unknown name or a missing file is a config error, not a failed load.)
    const std::array<std::string, 6> bad = {"empty.so", plugins + "/vmmsim_wrong_abi.so",
                                            plugins + "/vmmsim_no_entry.so", plugins + "/vmmsim_null_table.so",
                                            "notaplugin.so", plugins + "/vmmsim_hostile_strings.so"};
    c.target = d.pick(bad);
  } else if (what < 70) {  // a parameter the scheduler does not have
    c.target = d.pick(kBuiltins);
    c.args.push_back("nosuch=1");
  } else if (what < 80) {  // a stage: a built-in, lottery, or broken whose create fails; maybe loaded already
    c.stage = true;
    const std::uint64_t which = d.below(10);
    c.target = which < 6 ? d.pick(kBuiltins) : which < 8 ? plugins + "/vmmsim_lottery.so" : plugins + "/vmmsim_broken.so";
    if (which >= 8) c.args.push_back("fault=5");
    if (sources && workload::is_image_path(c.target) && d.chance(50))
      c.args.insert(c.args.begin(), fmt::format("source={}", d.pick(kSources)));
    return c;
  } else {  // unload: the active one, or one by name (maybe not loaded)
    c.unload = true;
    if (d.chance(50)) {
      if (d.chance(80))
        c.target = d.pick(kBuiltins);
      else
        c.target = d.chance(50) ? "lottery" : "broken";
    }
    return c;
  }
  std::string policy = d.pick(kPolicies);
  // Only a plugin is fetched from a source: a built-in is in the VMM's memory.
  if (sources && workload::is_image_path(c.target) && d.chance(50)) c.args.insert(c.args.begin(), fmt::format("source={}", d.pick(kSources)));
  if (!policy.empty()) c.args.insert(c.args.begin(), "policy=" + policy);
  return c;
}

// A shadow's target and words (docs/replacement.md "Shadow evaluation"): a
// built-in, maybe with a parameter, a tolerance or a host budget; a plugin
// that misbehaves (dropped) or cannot load (rejected); or none (unshadow).
std::vector<std::string> random_shadow(Draw& d, const std::string& plugins) {
  const std::uint64_t what = d.below(100);
  if (what < 20) return {};  // unshadow
  std::vector<std::string> w;
  if (what < 65) {
    w.push_back(d.pick(kBuiltins));
    if (d.chance(30)) w.push_back(fmt::format("tolerance={}us", d.between(0, 5000)));
    if (w[0] == std::string("rr") && d.chance(50)) w.push_back(fmt::format("quantum={}us", d.between(100, 5000)));
  } else if (what < 80) {
    w.push_back(plugins + "/vmmsim_broken.so");
    w.push_back(fmt::format("fault={}", d.between(0, 4)));
    w.push_back(fmt::format("after={}", d.between(0, 200)));
  } else if (what < 90) {
    w.push_back(plugins + "/vmmsim_throwing.so");
    w.push_back(fmt::format("op={}", d.between(0, 10)));
    w.push_back(fmt::format("at={}us", d.between(0, 50000)));
  } else if (what < 95) {
    w.push_back(d.chance(50) ? "empty.so" : plugins + "/vmmsim_wrong_abi.so");
  } else {
    w.push_back(d.pick(kBuiltins));
    w.push_back("nosuch=1");
  }
  return w;
}

// A guest VM's parameters for every policy, so that any scheduler has what it
// needs (arinc653 windows, rtds budgets) whichever one is active.
std::string vm_params(Draw& d) {
  // One draw per statement: the order of a call's arguments is unspecified.
  const std::uint64_t weight = d.between(16, 1024);
  const std::uint64_t window = d.between(200, 2000);
  const int nice = static_cast<int>(d.below(11)) - 5;
  const std::uint64_t extratime = d.below(2);
  std::string s =
      fmt::format("weight = {}\nwindow = {}us\nnice = {}\nextratime = {}\n", weight, window, nice, extratime);
  if (d.chance(10)) {
    const std::uint64_t cap = d.between(20, 200);
    s += fmt::format("cap = {}\n", cap);
  }
  if (d.chance(30)) {
    const std::uint64_t kib = d.between(4, 256);
    s += fmt::format("working_set = {}KiB\n", kib);
  }
  return s;
}

std::string generated_trace(Draw& d, unsigned* vcpus) {
  workload::GeneratorSpec spec;
  const std::array<workload::GeneratorKind, 5> kinds = {
      workload::GeneratorKind::CpuBound, workload::GeneratorKind::IoBound, workload::GeneratorKind::Interactive,
      workload::GeneratorKind::Periodic, workload::GeneratorKind::Mix};
  spec.kind = d.pick(kinds);
  spec.seed = d.seed();
  spec.block = 50;
  if (spec.kind == workload::GeneratorKind::Mix) {
    spec.mix_cpu_bound = static_cast<unsigned>(d.below(2));
    spec.mix_io_bound = static_cast<unsigned>(d.between(1, 2));
    spec.mix_interactive = static_cast<unsigned>(d.below(2));
    spec.mix_periodic = static_cast<unsigned>(d.below(2));
    *vcpus = spec.mix_cpu_bound + spec.mix_io_bound + spec.mix_interactive + spec.mix_periodic;
  } else {
    spec.vcpus = *vcpus = static_cast<unsigned>(d.between(1, 3));
  }
  if (spec.kind == workload::GeneratorKind::CpuBound) {
    spec.mean_run = d.between(200, 5000) * 1000;
    spec.yield = d.chance(50);
  }
  if (spec.kind == workload::GeneratorKind::Interactive) spec.think = d.between(2, 30) * 1000000;
  if (spec.kind == workload::GeneratorKind::Periodic) {
    spec.period = d.between(2, 20) * 1000000;
    spec.work = spec.period * d.between(5, 40) / 100;
  }
  return workload::generate_trace(spec);
}

}  // namespace

Scenario make_scenario(std::uint64_t seed, const std::string& plugins) {
  Draw d(seed);
  Scenario s;
  s.seed = seed;
  ScenarioPlan& p = s.plan;
  p.cpus = static_cast<unsigned>(d.between(1, 4));
  // Times are written in microseconds and converted at the clock, as a user writes them.
  const std::uint64_t clock_mhz = d.pick(std::array<std::uint64_t, 5>{1000, 1000, 500, 2000, 3300});
  p.scheduler = d.pick(kBuiltins);
  p.activation = d.pick(kActivations);

  const std::uint64_t baud = d.pick(std::array<std::uint64_t, 4>{115200, 460800, 1000000, 3000000});
  const Bytes fifo = d.pick(std::array<Bytes, 3>{4, 16, 64});
  std::string ini = fmt::format("# vmmsim soak scenario, seed {}\n", seed);
  // Each value is drawn in its own statement: the order in which a call's
  // arguments are evaluated is unspecified, the scenario's bytes must not be.
  const int pit_hz = d.pick(std::array<int, 3>{100, 250, 1000});
  ini += fmt::format("[platform]\ncpus = {}\nclock = {}MHz\n[pit]\nhz = {}\n", p.cpus, clock_mhz, pit_hz);
  const std::uint64_t slots = d.between(2, 5);
  // Tight areas make auto evict and keep-old refuse; the largest default
  // image (credit, 24 KiB) still fits at boot.
  const int area_kib = d.pick(std::array<int, 6>{24, 32, 40, 48, 64, 96});
  const int watchdog_ms = d.pick(std::array<int, 3>{20, 50, 100});
  ini += fmt::format("[vmm]\nscheduler = {}\nactivation = {}\nslots = {}\nimage_area = {}KiB\nwatchdog = {}ms\n",
                     p.scheduler, p.activation, slots, area_kib, watchdog_ms);
  // The PIT as the slot timer ([0016]) now and then: slots end on IRQ0 edges.
  if (d.chance(30)) ini += "slice_timer = pit\n";
  if (d.chance(50)) {
    const char* keys[] = {"vm_exit", "vm_entry", "hypercall", "context_switch", "unload", "migrate"};
    const std::uint64_t most[] = {3000, 3000, 1000, 3000, 5000, 1000};
    for (int i = 0; i < 6; ++i) {
      const std::uint64_t cost = d.below(most[i]);
      ini += fmt::format("{} = {}\n", keys[i], cost);
    }
  }
  if (d.chance(30)) {
    const char* keys[] = {"id_register_dispatch", "id_register_activate", "function_table_dispatch",
                          "function_table_activate", "patch_dispatch", "patch_activate"};
    ini += "[activation]\n";
    for (const char* key : keys) {
      const std::uint64_t cost = d.below(1000);
      ini += fmt::format("{} = {}\n", key, cost);
    }
  }
  if (d.chance(50)) {
    const int bandwidth = d.pick(std::array<int, 4>{0, 1, 8, 64});
    const std::uint64_t latency = d.below(20000);
    ini += fmt::format("[memory]\nload_bandwidth = {}\nload_latency = {}\n", bandwidth, latency);
  }

  const bool sources = d.chance(60);
  if (sources) {
    const std::uint64_t disk_mib = d.between(50, 500);
    const std::uint64_t web_mib = d.between(2, 20);
    const std::uint64_t web_latency_us = d.between(100, 5000);
    ini += fmt::format("[image_source.disk]\nbandwidth = {}MiB/s\nlatency = 50us\n"
                       "[image_source.web]\nbandwidth = {}MiB/s\nlatency = {}us\n",
                       disk_mib, web_mib, web_latency_us);
  }

  // Guests: generated workloads, a console writer, and VMs that fault.
  std::string vms;
  std::string focus;
  p.guest_vms = static_cast<unsigned>(d.between(1, 3));
  for (unsigned i = 0; i < p.guest_vms; ++i) {
    unsigned vcpus = 1;
    std::string name = fmt::format("g{}", i);
    s.files.emplace_back(name + ".trace", generated_trace(d, &vcpus));
    if (focus.empty() && s.files.back().second.find("read") != std::string::npos) focus = name;
    vms += fmt::format("[vm.{}]\ntrace = {}.trace\nvcpus = {}\n", name, name, vcpus);
    vms += vm_params(d);
  }
  {
    const std::uint64_t run_us = d.between(20, 500);
    const std::uint64_t bytes = d.between(1, 80);
    const std::uint64_t io_us = d.between(50, 2000);
    s.files.emplace_back("writer.trace",
                         fmt::format("# vmmsim-trace 1\nvcpu 0\n  repeat forever\n    run {}us\n    console {}\n"
                                     "    io {}us\n  end\n",
                                     run_us, bytes, io_us));
    const std::uint64_t vcpus = d.between(1, 2);
    vms += fmt::format("[vm.w]\ntrace = writer.trace\nvcpus = {}\n", vcpus);
    vms += vm_params(d);
  }
  p.faulty_vms = static_cast<unsigned>(d.below(3));
  for (unsigned i = 0; i < p.faulty_vms; ++i) {
    std::string name = fmt::format("f{}", i);
    const std::uint64_t arrive_us = d.below(50000);
    const std::uint64_t rounds = d.between(1, 60);
    const std::uint64_t run_us = d.between(50, 1000);
    const std::uint64_t bytes = d.between(1, 20);
    const std::uint64_t io_us = d.between(50, 1000);
    s.files.emplace_back(name + ".trace",
                         fmt::format("# vmmsim-trace 1\nvcpu 0\n  arrive {}us\n  repeat {}\n    run {}us\n"
                                     "    console {}\n    io {}us\n  end\n  fault\n",
                                     arrive_us, rounds, run_us, bytes, io_us));
    const std::uint64_t vcpus = d.between(1, 2);
    vms += fmt::format("[vm.{}]\ntrace = {}.trace\nvcpus = {}\n", name, name, vcpus);
    vms += vm_params(d);
  }

  // The service VM: requests separated by random sleeps, then it waits.
  const std::uint64_t per_request_us = fifo * 10 * 1000000 / baud + 300;  // a drain and the rest, at most
  p.service_requests = static_cast<unsigned>(d.between(20, 60));
  std::string svc = "# vmmsim-trace 1\nvcpu 0\n";
  std::uint64_t slept_us = 0;
  // Shadow requests draw from a stream of their own: the rest of a seed's
  // scenario is what it was before shadows were added.
  Draw shadows(seed ^ 0x5ad0'5ad0);
  for (unsigned i = 0; i < p.service_requests; ++i) {
    if (shadows.chance(15)) {
      std::vector<std::string> w = random_shadow(shadows, plugins);
      std::string step = w.empty() ? "sched-unshadow" : "sched-shadow";
      for (const std::string& word : w) step += " " + word;
      svc += "  " + step + "\n";
      ++p.shadow_requests;
    }
    const std::uint64_t sleep_us = d.between(50, 3000);
    slept_us += sleep_us;
    svc += fmt::format("  sleep {}us\n", sleep_us);
    if (d.chance(20)) {
      const std::uint64_t run_us = d.between(10, 500);
      svc += fmt::format("  run {}us\n", run_us);
    }
    svc += "  " + random_control(d, plugins, sources).as_step() + "\n";
    if (d.chance(1)) svc += "  fault\n";  // the service VM itself: nobody asks for more
  }
  svc += "  sleep 100s\n";
  s.files.emplace_back("service.trace", svc);
  s.files.emplace_back("notaplugin.so", "this is a text file, not a shared object\n");
  s.files.emplace_back("empty.so", "");
  vms += "[service]\ntrace = service.trace\n";
  vms += vm_params(d);

  const std::uint64_t until_us = 2 * slept_us + p.service_requests * per_request_us + 60000;
  s.until = until_us * clock_mhz;  // [run] until in cycles: `vmmsim run` replays the same run
  p.cli_requests = static_cast<unsigned>(d.below(11));
  std::vector<std::uint64_t> at(p.cli_requests);  // us
  for (std::size_t i = 0; i < at.size(); ++i)  // some at once: requests queue up
    at[i] = i > 0 && d.chance(30) ? at[i - 1] : d.below(until_us * 9 / 10);
  std::sort(at.begin(), at.end());
  std::string swaps, stages;
  for (std::uint64_t t : at) {
    const Control c = random_control(d, plugins, sources);
    std::string& list = c.stage ? stages : swaps;
    if (!list.empty()) list += " ";
    list += c.as_swap(t);
  }

  const std::uint64_t input_us = d.between(2000, 20000);
  const std::uint64_t input_bytes = d.between(1, 8);
  ini += fmt::format("[console]\nbaud = {}\nfifo = {}\ninput_every = {}us\ninput_bytes = {}\n", baud, fifo,
                     input_us, input_bytes);
  // The console as a switch device ([0013]) now and then: its focus follows
  // the scheduler on a pCPU of the scenario.
  if (d.chance(30)) {
    const std::uint64_t console_cpu = d.below(p.cpus);
    ini += fmt::format("focus = scheduled\ncpu = {}\n", console_cpu);
  } else if (!focus.empty()) {
    ini += "focus = " + focus + "\n";
  }
  ini += vms;
  ini += fmt::format("[run]\nuntil = {}us\n", until_us);
  if (!swaps.empty()) ini += "swap = " + swaps + "\n";
  if (!stages.empty()) ini += "stage = " + stages + "\n";
  std::string cli_shadows;
  for (std::uint64_t n = shadows.below(4); n > 0; --n) {
    const std::uint64_t t = shadows.chance(40) ? 0 : shadows.below(until_us * 9 / 10);
    std::vector<std::string> w = random_shadow(shadows, plugins);
    cli_shadows += fmt::format("{}{}us:{}", cli_shadows.empty() ? "" : " ", t, w.empty() ? "unshadow" : w[0]);
    for (std::size_t k = 1; k < w.size(); ++k) cli_shadows += "," + w[k];
    ++p.shadow_requests;
  }
  if (!cli_shadows.empty()) ini += "shadow = " + cli_shadows + "\n";
  // A switching controller now and then, from a stream of its own.
  std::vector<std::string> guests;
  for (unsigned i = 0; i < p.guest_vms; ++i) guests.push_back(fmt::format("g{}", i));
  const ControllerPlan controller = random_controller(seed, guests, plugins);
  p.controller_rules = controller.rules;
  p.controller_plugin = controller.plugin;
  ini += controller.ini;
  // credit2's runqueues, from a stream of their own: one per pCPU, of two,
  // or one for all (up to 16), whenever credit2 runs or is swapped in.
  Draw runqueues(seed ^ 0xc2c2'c2c2);
  ini += fmt::format("[sched.credit2]\nrunqueue_cpus = {}\n", runqueues.pick(std::array<int, 3>{1, 2, 16}));
  s.files.insert(s.files.begin(), {kScenarioConfig, ini});
  return s;
}

}  // namespace vmmsim::soak
