// vmmsim_soak: the randomized soak of live scheduler replacement
// (docs/robustness.md, "Randomized soak").
//
//   vmmsim_soak --seed N [--keep DIR] [--plugins DIR]
//       (--plugins: default the installed plugins beside it, else the build's)
//       runs scenario N in this process with the invariant checker; prints
//       one "soak-result" line, and every violation with the event that
//       broke it. --keep writes the scenario (soak.ini and its traces) to DIR
//       so that `vmmsim run DIR/soak.ini` replays it.
//   vmmsim_soak --seeds A..B [--jobs J] [--plugins DIR]
//       runs each seed in its own process (SystemC elaborates once per
//       process), J at a time, and prints the totals.
// Exit code: 0 no violation, 1 a violation or a crash, 2 bad usage.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <systemc>

#include "config/config_parser.h"
#include "models/platform.h"
#include "sim/cycle_clock.h"
#include "soak/invariants.h"
#include "soak/scenario.h"

extern char** environ;

namespace vmmsim::soak {
namespace {

using Counts = std::map<std::string, std::uint64_t>;

// What a failed or ejected replacement request was, from its reason.
std::string outcome_of(const report::ReplacementResult& r) {
  if (r.kind == "eject")
    return (r.reason.find("runnable but not run") != std::string::npos ? "eject.starved." : "eject.invalid.") +
           r.target;
  if (r.ok) return r.sequence ? "ok.sequence" : "ok.no_sequence";
  static const std::pair<const char*, const char*> kCauses[] = {
      {"unknown scheduler", "unknown_name"},       {"no such plugin file", "missing_file"},
      {"not a loadable plugin", "not_a_plugin"},   {"does not match the VMM", "abi_mismatch"},
      {"entry point)", "no_entry"},                {"returned no ops table", "null_table"},
      {"no room in the image area", "no_room"},    {"no free scheduler slot", "no_slot"},
      {"has no parameter", "bad_param"},           {"already the active", "already_active"},
      {"init failure", "init_failure"},            {"insert failure", "insert_failure"},
      {"is not loaded", "not_loaded"},             {"nothing else is loaded", "default_alone"},
      {"cannot be ejected", "default_eject"}};
  for (const auto& [text, name] : kCauses)
    if (r.reason.find(text) != std::string::npos) return std::string("failed.") + name;
  return "failed.other";
}

void fail_on_error(const sc_core::sc_report& report, const sc_core::sc_actions& actions) {
  if (report.get_severity() >= sc_core::SC_ERROR) throw std::runtime_error(report.get_msg());
  if (report.get_severity() == sc_core::SC_WARNING)
    std::cerr << "SystemC warning " << report.get_msg_type() << ": " << report.get_msg() << "\n";
  (void)actions;
}

int run_one(std::uint64_t seed, const std::string& plugins, const std::string& keep) {
  const Scenario s = make_scenario(seed, plugins);
  const std::filesystem::path dir =
      keep.empty() ? std::filesystem::temp_directory_path() / fmt::format("vmmsim_soak_{}_{}", seed, ::getpid())
                   : std::filesystem::path(keep);
  std::filesystem::create_directories(dir);
  for (const auto& [name, text] : s.files) std::ofstream(dir / name) << text;
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code ec;
      if (!dir.empty()) std::filesystem::remove_all(dir, ec);
    }
  } cleanup{keep.empty() ? dir : std::filesystem::path()};

  const std::string replay = fmt::format("vmmsim_soak --seed {} --keep DIR", seed);
  CycleClock::set_kernel_resolution();
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_handler(fail_on_error);
  const config::Config cfg = config::load_config((dir / kScenarioConfig).string());
  models::Platform platform("platform", cfg);
  // A probe period of its own per seed (7..50 us), off any round number.
  InvariantChecker checker("soak_checker", platform, 7001 + (seed * 7919) % 43000);
  const auto started = std::chrono::steady_clock::now();
  std::string crash;
  try {
    platform.run(s.until);
    checker.at_end();
  } catch (const std::exception& e) {
    crash = e.what();
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const report::Results r = platform.results();
  Counts c;
  c["scenarios"] = 1;
  c["requests"] = r.replacements.size();
  for (const report::ReplacementResult& x : r.replacements) {
    ++c[outcome_of(x)];
    if (x.sequence) ++c["sequences"];
  }
  c["faults"] = r.faults.size();
  c["checks"] = checker.checks();
  c["violations"] = checker.violations().size() + (crash.empty() ? 0 : 1);
  c["sim_us"] = r.elapsed / 1000;
  if (r.controller) {
    c["controller_decisions"] = r.controller->decisions.size();
    c["controller_evaluations"] = r.controller->evaluations;
  }
  const ScenarioPlan& p = s.plan;
  std::string line = fmt::format("soak-result seed={} cpus={} scheduler={} activation={} final={} wall_ms={}", seed,
                                 p.cpus, p.scheduler, p.activation, r.scheduler, static_cast<long>(wall * 1000));
  for (const auto& [k, v] : c) line += fmt::format(" {}={}", k, v);
  std::cout << line << "\n";
  for (const Violation& v : checker.violations())
    std::cout << fmt::format("VIOLATION seed {} at cycle {}, after {}: {}\n  replay: {}\n", seed, v.at, v.event,
                             v.what, replay);
  if (!crash.empty())
    std::cout << fmt::format("CRASH seed {} at cycle {}: {}\n  replay: {}\n", seed, platform.clock().now(), crash,
                             replay);
  std::cout.flush();
  return c["violations"] == 0 ? 0 : 1;
}

// Runs `self --seed N ...` and collects its stdout.
struct Child {
  pid_t pid = 0;
  int out = -1;
  std::uint64_t seed = 0;
  std::string text;
};

Child spawn(const std::string& self, std::uint64_t seed, const std::string& plugins) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<std::string> args = {self, "--seed", std::to_string(seed), "--plugins", plugins};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Child c;
  c.seed = seed;
  if (posix_spawn(&c.pid, self.c_str(), &actions, nullptr, argv.data(), environ) != 0)
    throw std::runtime_error("cannot start " + self);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  c.out = fds[0];
  return c;
}

// Reads the child to its end and waits for it; false if it failed.
bool finish(Child& c) {
  char buf[4096];
  for (ssize_t n; (n = ::read(c.out, buf, sizeof buf)) > 0;) c.text.append(buf, static_cast<std::size_t>(n));
  ::close(c.out);
  int status = 0;
  ::waitpid(c.pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int run_many(const std::string& self, std::uint64_t first, std::uint64_t last, unsigned jobs,
             const std::string& plugins) {
  ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);  // one banner per scenario is noise
  const auto started = std::chrono::steady_clock::now();
  Counts total;
  std::vector<std::uint64_t> failed;
  std::vector<Child> running;
  auto reap = [&](Child& c) {
    bool ok = finish(c);
    bool reported = false;
    std::istringstream lines(c.text);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("soak-result ", 0) != 0) continue;
      reported = true;
      std::istringstream words(line.substr(12));
      for (std::string w; words >> w;) {
        auto eq = w.find('=');
        const std::string key = w.substr(0, eq), value = w.substr(eq + 1);
        if (!value.empty() && value.find_first_not_of("0123456789") == std::string::npos && key != "seed" &&
            key != "cpus")
          total[key] += std::stoull(value);
      }
    }
    if (!ok || !reported) {
      failed.push_back(c.seed);
      std::cout << c.text << (reported ? "" : fmt::format("CRASH seed {}: no result (the process died)\n", c.seed));
    }
  };
  // Results are read in seed order so that the output does not depend on timing.
  for (std::uint64_t seed = first; seed <= last; ++seed) {
    if (running.size() >= jobs) {
      reap(running.front());
      running.erase(running.begin());
    }
    if ((seed - first) % 1000 == 0 && seed > first)
      std::cerr << fmt::format("soak: {} of {} scenarios started, {} seeds failed so far\n", seed - first,
                               last - first + 1, failed.size());
    running.push_back(spawn(self, seed, plugins));
  }
  for (Child& c : running) reap(c);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::cout << fmt::format("soak seeds {}..{}: {} scenarios, {} wall s\n", first, last, last - first + 1,
                           static_cast<long>(wall));
  for (const auto& [k, v] : total) std::cout << fmt::format("  {} = {}\n", k, v);
  std::cout << fmt::format("  seeds with a violation or crash: {}", failed.size());
  for (std::uint64_t s : failed) std::cout << " " << s;
  std::cout << "\n";
  return failed.empty() ? 0 : 1;
}

int usage(const std::string& why) {
  std::cerr << "vmmsim_soak: " << why
            << "\nusage: vmmsim_soak --seed N [--keep DIR] [--plugins DIR]\n"
               "       vmmsim_soak --seeds A..B [--jobs J] [--plugins DIR]\n";
  return 2;
}

// The plugins the scenarios load: beside an installed vmmsim_soak
// (PREFIX/bin -> PREFIX/lib/vmmsim/plugins) when they are there, else the
// build tree's.
std::string default_plugin_dir() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path installed = self.parent_path() / VMMSIM_INSTALLED_PLUGIN_DIR;
    if (std::filesystem::is_directory(installed, ec)) return installed.lexically_normal().string();
  }
  return VMMSIM_PLUGIN_DIR;
}

std::optional<std::uint64_t> number(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 18) return std::nullopt;
  return std::stoull(s);
}

}  // namespace
}  // namespace vmmsim::soak

int sc_main(int argc, char* argv[]) {
  using namespace vmmsim::soak;
  std::optional<std::uint64_t> seed, first, last;
  unsigned jobs = 1;
  std::string plugins = default_plugin_dir(), keep;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage(a + " needs a value");
    const std::string v = argv[++i];
    if (a == "--seed") {
      if (!(seed = number(v))) return usage("--seed takes a whole number");
    } else if (a == "--seeds") {
      auto dots = v.find("..");
      if (dots == std::string::npos || !(first = number(v.substr(0, dots))) || !(last = number(v.substr(dots + 2))) ||
          *last < *first)
        return usage("--seeds takes A..B with A <= B");
    } else if (a == "--jobs") {
      auto j = number(v);
      if (!j || *j == 0 || *j > 64) return usage("--jobs takes 1..64");
      jobs = static_cast<unsigned>(*j);
    } else if (a == "--plugins") {
      plugins = v;
    } else if (a == "--keep") {
      keep = v;
    } else {
      return usage("unknown option " + a);
    }
  }
  if (seed.has_value() == first.has_value()) return usage("give --seed or --seeds");
  try {
    if (seed) return run_one(*seed, plugins, keep);
    return run_many("/proc/self/exe", *first, *last, jobs, plugins);
  } catch (const std::exception& e) {
    std::cout << "CRASH " << (seed ? "seed " + std::to_string(*seed) : std::string("soak")) << ": " << e.what() << "\n";
    return 1;
  }
}
