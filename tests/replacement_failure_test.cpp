// Failed replacements leave nothing broken; the watchdog ejects a misbehaving
// scheduler and brings the default back; the invariants of DESIGN.md §4 hold
// across a long mixed sequence (docs/replacement.md "Failures", "Watchdog",
// "Invariants"). VMMSIM_PLUGIN_DIR names the folder holding vmmsim_<name>.so.
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

std::string plugin(const std::string& name) { return std::string(VMMSIM_PLUGIN_DIR) + "/vmmsim_" + name + ".so"; }
// "@name" in a step or swap becomes the absolute path of that plugin.
std::string with_plugins(std::string s) {
  for (std::size_t at; (at = s.find('@')) != std::string::npos;) {
    std::size_t end = s.find_first_of(" ,\n", at);
    std::string name = s.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
    s.replace(at, name.size() + 1, plugin(name));
  }
  return s;
}

constexpr const char* kHog = "vcpu 0\n  repeat forever\n    run 10ms\n  end\n";
constexpr const char* kSleeper = "vcpu 0\n  sleep 10s\n";
constexpr Cycles kMigrate = 300, kUnload = 2000, kActivate = 50;

// Refusals the service VM got: `rejected` also counts the PIT ticks dropped
// while the processors were ceased (docs/replacement.md "Feedback").
std::uint64_t refusals(const report::Results& r) {
  std::uint64_t ticks = 0;
  for (const report::ReplacementResult& x : r.replacements) ticks += x.ticks_while_ceased;
  return r.feedback_rejected - ticks;
}

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

// Watches the platform while it runs: on every write of the scheduler-ID
// register and every `period` cycles, the register must name a loaded slot
// and no vCPU may be in guest mode on two pCPUs at once.
struct Probe : sc_core::sc_module {
  SC_HAS_PROCESS(Probe);
  Probe(sc_core::sc_module_name n, models::Platform& p, unsigned cpus, Cycles period)
      : sc_core::sc_module(n), platform(p), cpus(cpus), period(period) {
    SC_METHOD(check);
    sensitive << p.manager().scheduler_id_register;
    dont_initialize();
    SC_THREAD(poll);
  }
  void poll() {
    for (;;) {
      wait(platform.clock().span(period));
      check();
    }
  }
  void check() {
    ++checks;
    vmm::SchedulerManager& m = platform.manager();
    std::uint32_t id = m.scheduler_id_register.read();
    if (id >= m.slot_count() || !m.slot(id).loaded) ++unloaded_register;
    std::set<std::int32_t> owners;
    for (unsigned c = 0; c < cpus; ++c)
      if (platform.processor(c).state() == cpu::State::Guest && !owners.insert(platform.processor(c).owner()).second)
        ++doubled;
  }
  models::Platform& platform;
  unsigned cpus;
  Cycles period;
  std::uint64_t checks = 0, unloaded_register = 0, doubled = 0;
};

class ReplacementFailureTest : public vmmsim::testing::SimTest {
 protected:
  // Runs on to absolute cycle `t` and reports (what is due at `t` has not
  // run yet). Platform::run(span) continues the simulation for `span`.
  report::Results advance_to(Cycles t) {
    if (t > m_platform->clock().now()) m_platform->run(t - m_platform->clock().now());
    return m_platform->results();
  }
  // The ID register names the active slot, which holds `name`.
  void expect_active(const std::string& name) {
    vmm::SchedulerManager& m = m_platform->manager();
    EXPECT_EQ(m.scheduler_id_register.read(), m.active_id());
    EXPECT_TRUE(m.slot(m.active_id()).loaded);
    EXPECT_EQ(m.active().image.name, name);
  }
};

// ---------------------------------------------------------------------------
// Every kind of failed load, from the service VM, followed by a valid load.

struct FailureKind {
  const char* name;
  const char* bad;    // the failing sched-load's words ("@x" = plugin x)
  const char* cause;  // what the reason must say
  bool sequence;      // refused in the activate phase, after a downtime
  const char* good;   // the valid load that follows
  const char* good_name;
  const char* ini;    // extra config
};

void PrintTo(const FailureKind& k, std::ostream* os) { *os << k.name; }

// broken.so failing to start: its image loaded (the .so's size at 8 bytes a
// cycle + 10000), 2 vCPUs migrated, one activation; under unload-old also
// rr's unload before and its reload (6 KiB) after.
Cycles failed_start_downtime(bool unload_old) {
  Cycles load = (std::filesystem::file_size(plugin("broken")) + 7) / 8 + 10000;
  return load + 2 * kMigrate + kActivate + (unload_old ? kUnload + 6 * 1024 / 8 + 10000 : 0);
}

class ReplacementFailureKindTest : public ReplacementFailureTest,
                                   public ::testing::WithParamInterface<FailureKind> {};

// 2 pCPUs: the hog `a` on one, the service VM on the other. The service VM
// asks for the bad load at 1 ms, then for the good one 1 ms after its answer.
TEST_P(ReplacementFailureKindTest, OldSchedulerStaysAndALaterLoadSucceeds) {
  const FailureKind& k = GetParam();
  file("x.so", "this is a text file, not a shared object\n");
  file("gone.so", "");
  file("hog.trace", kHog);
  file("svc.trace", with_plugins(std::string("vcpu 0\n  sleep 1ms\n  sched-load ") + k.bad +
                                 "\n  sleep 1ms\n  sched-load " + k.good + "\n  sleep 10s\n"));
  build(std::string(kZeroCosts) + k.ini +
        "[platform]\ncpus = 2\n[sched.rr]\nquantum = 1ms\n[vm.a]\ntrace = hog.trace\n[service]\ntrace = svc.trace\n");
  std::filesystem::remove(m_dir / "gone.so");  // after the config's check, before the load
  Probe probe("probe", *m_platform, 2, 10000);

  report::Results r = advance_to(ms(1.5));
  ASSERT_EQ(r.replacements.size(), 1u);
  const report::ReplacementResult bad = r.replacements[0];
  EXPECT_EQ(bad.kind, "load");
  EXPECT_EQ(bad.requester, "service");
  EXPECT_FALSE(bad.ok);
  EXPECT_TRUE(Contains(bad.reason, k.cause));
  EXPECT_EQ(bad.from, "rr");
  EXPECT_EQ(bad.to, "rr") << "the old scheduler stays active";
  EXPECT_EQ(bad.requested_at, ms(1));
  EXPECT_EQ(bad.sequence, k.sequence);
  EXPECT_EQ(bad.vcpus_migrated, 0u);
  EXPECT_EQ(bad.downtime, k.sequence ? failed_start_downtime(std::strstr(k.bad, "unload-old") != nullptr) : 0)
      << "refused at planning: nothing was ceased";
  EXPECT_EQ(r.scheduler, "rr");
  expect_active("rr");
  for (std::uint32_t s = 1; s < m_platform->manager().slot_count(); ++s)
    EXPECT_FALSE(m_platform->manager().slot(s).loaded) << "slot " << s << " left occupied";
  EXPECT_EQ(refusals(r), 1u) << "the service VM got the refusal";
  // The hog ran all the time but the failed sequence's downtime: the old
  // scheduler kept (or went on) running it.
  EXPECT_EQ(r.vcpus[0].cpu, ms(1.5) - bad.downtime);

  r = advance_to(ms(20));
  EXPECT_EQ(r.elapsed, ms(20)) << "the run went on to its end";
  ASSERT_EQ(r.replacements.size(), 2u);
  const report::ReplacementResult& good = r.replacements[1];
  EXPECT_TRUE(good.ok) << good.reason;
  EXPECT_EQ(good.from, "rr");
  EXPECT_EQ(good.to, k.good_name);
  EXPECT_EQ(good.requested_at, ms(2) + bad.downtime) << "answered after the downtime, then slept 1 ms";
  EXPECT_EQ(good.vcpus_migrated, 2u);
  EXPECT_EQ(r.scheduler, k.good_name);
  expect_active(k.good_name);
  EXPECT_EQ(refusals(r), 1u);
  EXPECT_EQ(r.requests[static_cast<std::size_t>(vmm::RequestKind::ControlDone)].second, 2u);
  EXPECT_EQ(r.vcpus[0].cpu, ms(20) - bad.downtime - good.downtime) << "no guest cycle lost but the downtimes";
  EXPECT_EQ(probe.unloaded_register, 0u);
  EXPECT_EQ(probe.doubled, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, ReplacementFailureKindTest,
    ::testing::Values(
        // An unknown name or a missing file is refused with the config
        // (ConfigTest.LoadsThatCannotSucceedAreConfigErrors); a file can
        // still go away between the config's check and the load.
        FailureKind{"FileGoneBeforeTheLoad", "gone.so", "gone.so: no such plugin file", false, "bvt", "bvt", ""},
        FailureKind{"NotAPlugin", "x.so", "x.so: not a loadable plugin", false, "bvt", "bvt", ""},
        FailureKind{"WrongAbi", "@wrong_abi", "does not match the VMM's", false, "@lottery", "lottery", ""},
        FailureKind{"NoEntry", "@no_entry", "not a vmmsim plugin (no 'vmmsim_scheduler' entry point)", false, "bvt",
                    "bvt", ""},
        FailureKind{"NullTable", "@null_table", "its entry point returned no ops table", false, "bvt", "bvt", ""},
        FailureKind{"NoRoomUnderKeepOld", "bvt policy=keep-old",
                    "no room in the image area for bvt (12288 bytes, 10240 free of 16384) under keep-old", false,
                    "bvt policy=unload-old", "bvt", "[vmm]\nimage_area = 16KiB\n"},
        FailureKind{"BadParameter", "bvt nosuch=1", "bvt has no parameter 'nosuch'", false, "bvt", "bvt", ""},
        FailureKind{"AlreadyActive", "rr", "rr is already the active scheduler", false, "fifo", "fifo", ""},
        FailureKind{"InitFailure", "@broken fault=5", "broken failed to start: broken: init failure requested (fault=5)",
                    true, "bvt", "bvt", ""},
        FailureKind{"InitFailureAfterUnloadOld", "@broken fault=5 policy=unload-old",
                    "broken failed to start: broken: init failure requested (fault=5)", true, "bvt", "bvt", ""},
        FailureKind{"InsertFailure", "@broken fault=6",
                    "broken failed to start: inserting service.0: broken: insert failure requested on the 2nd vCPU "
                    "(fault=6)",
                    true, "bvt", "bvt", ""}),
    [](const ::testing::TestParamInfo<FailureKind>& info) { return std::string(info.param.name); });

TEST_F(ReplacementFailureTest, FailuresFromTheCommandLineAreReportedToo) {
  file("hog.trace", kHog);
  build(std::string(kZeroCosts) + "[vm.a]\ntrace = hog.trace\n[run]\nswap = " +
        with_plugins("1ms:@null_table 2ms:@wrong_abi 3ms:@broken,fault=5 4ms:bvt") + "\n");
  report::Results r = advance_to(ms(10));
  ASSERT_EQ(r.replacements.size(), 4u);
  const char* causes[] = {"returned no ops table", "does not match the VMM's", "init failure requested"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r.replacements[i].requester, "cli");
    EXPECT_FALSE(r.replacements[i].ok);
    EXPECT_TRUE(Contains(r.replacements[i].reason, causes[i]));
    EXPECT_EQ(r.replacements[i].to, "rr");
    EXPECT_EQ(r.replacements[i].requested_at, ms(1 + i));
  }
  EXPECT_TRUE(r.replacements[3].ok) << r.replacements[3].reason;
  EXPECT_EQ(r.scheduler, "bvt");
  EXPECT_EQ(refusals(r), 3u) << "each refused request's feedback is rejected, the command line's too";
  EXPECT_EQ(r.vcpus[0].cpu, ms(10) - r.replacements[2].downtime - r.replacements[3].downtime);
}

// ---------------------------------------------------------------------------
// Watchdog: broken.so turns bad after `after` decisions. One pCPU (or two),
// rr and broken both with 1 ms quanta, hogs a, b (, c), watchdog 20 ms.

class WatchdogTest : public ReplacementFailureTest {
 protected:
  void start(int fault, int after, unsigned cpus, const std::string& vms, const std::string& swap_more = "") {
    file("hog.trace", kHog);
    file("sleeper.trace", kSleeper);
    build(std::string(kZeroCosts) + "[platform]\ncpus = " + std::to_string(cpus) +
          "\n[vmm]\nwatchdog = 20ms\n[sched.rr]\nquantum = 1ms\n" + vms + "[run]\nswap = " + swap_more +
          with_plugins("500us:@broken,quantum=1ms,fault=" + std::to_string(fault) + ",after=" + std::to_string(after)) +
          "\n");
  }
  static constexpr const char* kAB = "[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = hog.trace\n";
  // broken's first decision: when the load's sequence resumed the pCPUs.
  static Cycles resumed(const report::Results& r) {
    const auto& load = r.replacements.at(0);
    return load.started_at + load.downtime;
  }
  void expect_ejected(const report::Results& r, Cycles at, const std::string& reason, unsigned live) {
    ASSERT_EQ(r.replacements.size(), 2u);
    const auto& load = r.replacements[0];
    EXPECT_TRUE(load.ok) << load.reason;
    EXPECT_EQ(load.to, "broken");
    const auto& e = r.replacements[1];
    EXPECT_EQ(e.kind, "eject");
    EXPECT_EQ(e.requester, "watchdog");
    EXPECT_EQ(e.target, "broken");
    EXPECT_EQ(e.from, "broken");
    EXPECT_EQ(e.to, "rr") << "the default scheduler is back";
    EXPECT_TRUE(e.ok);
    EXPECT_EQ(e.reason, reason);
    EXPECT_EQ(e.requested_at, at);
    EXPECT_EQ(e.started_at, at);
    EXPECT_EQ(e.vcpus_migrated, live);
    // The offender is unloaded; rr (kept by auto) needs no load.
    EXPECT_EQ(e.unload, kUnload);
    EXPECT_EQ(e.load, 0u);
    EXPECT_EQ(e.downtime, kUnload + live * kMigrate + kActivate);
    EXPECT_EQ(r.scheduler, "rr");
    expect_active("rr");
    EXPECT_FALSE(m_platform->manager().slot(1).loaded) << "the ejected scheduler was unloaded";
  }
  // After the ejection the first `hogs` vCPUs get their rr share again.
  void expect_all_run_after(Cycles from, Cycles to, std::size_t hogs, unsigned cpus) {
    report::Results before = advance_to(from);
    report::Results after = advance_to(to);
    Cycles fair = (to - from) * cpus / hogs;
    for (std::size_t i = 0; i < hogs; ++i)
      EXPECT_NEAR(static_cast<double>(after.vcpus[i].cpu - before.vcpus[i].cpu), static_cast<double>(fair),
                  static_cast<double>(ms(1)))
          << after.vcpus[i].vm << " gets its rr share again";
  }
};

TEST_F(WatchdogTest, UnknownVcpuIsEjectedAtOnce) {
  start(1, 3, 1, kAB);
  report::Results r = advance_to(ms(10));
  // Decisions at R, R+1ms, R+2ms are good; the 4th returns vCPU 100000.
  expect_ejected(r, resumed(r) + ms(3), "broken chose unknown vCPU 100000 on cpu0", 2);
  EXPECT_EQ(r.vcpus[0].cpu + r.vcpus[1].cpu, ms(10) - r.replacements[0].downtime - r.replacements[1].downtime)
      << "the pCPU only stopped for the two downtimes";
  expect_all_run_after(ms(10), ms(50), 2, 1);
}

TEST_F(WatchdogTest, BlockedVcpuIsEjected) {
  start(2, 3, 1, std::string(kAB) + "[vm.s]\ntrace = sleeper.trace\n");
  report::Results r = advance_to(ms(10));
  // Decisions at R (a), R+1ms (b), R+2ms (s, which goes to sleep at once);
  // the 4th, for s's pCPU at R+2ms, returns the sleeping s.
  expect_ejected(r, resumed(r) + ms(2), "broken chose s.0, which is not runnable on cpu0", 3);
  expect_all_run_after(ms(10), ms(50), 2, 1);
}

TEST_F(WatchdogTest, VcpuRunningElsewhereIsEjected) {
  start(3, 2, 2, std::string(kAB) + "[vm.c]\ntrace = hog.trace\n");
  report::Results r = advance_to(ms(10));
  // a and b were parked on cpu0 and cpu1 and broken was told so ([0027]);
  // at R cpu0 queues a behind c and takes c, cpu1 queues b and takes a; at
  // R+1ms cpu0's 3rd decision returns a, running on cpu1.
  expect_ejected(r, resumed(r) + ms(1), "broken chose a.0, already running elsewhere on cpu0", 3);
  expect_all_run_after(ms(10), ms(70), 3, 2);
}

TEST_F(WatchdogTest, StarvedVcpuIsEjectedOnlyAfterTheWatchdogPeriod) {
  start(4, 5, 1, kAB);
  report::Results r = advance_to(ms(1));
  ASSERT_EQ(r.replacements.size(), 1u);
  // a was parked on the pCPU and broken was told so ([0027]): decision 1
  // queues it behind b. Decisions 1..5 alternate b, a, b, a, b; from the 6th
  // (at R+5ms) a is skipped for good: it has waited since R+4ms. The check
  // runs every 10 ms; a is ejected at the first check after it waited more
  // than 20 ms.
  const Cycles starved_since = resumed(r) + ms(4);
  const Cycles deadline = starved_since + ms(20);
  const Cycles check = (deadline / ms(10) + 1) * ms(10);
  r = advance_to(deadline + 1);
  EXPECT_EQ(r.replacements.size(), 1u) << "not ejected before the watchdog period";
  EXPECT_EQ(r.scheduler, "broken");
  EXPECT_EQ(r.vcpus[0].cpu, ms(2.5)) << "a ran 0.5 ms under rr, decisions 2 and 4 of broken, then waited";
  r = advance_to(check + ms(1));
  expect_ejected(r, check,
                 fmt::format("a.0 runnable but not run for {} cycles (watchdog 20000000)", check - starved_since), 2);
  expect_all_run_after(check + ms(1), check + ms(41), 2, 1);
}

// Regression: the default is known by its slot, 0. When a load after
// `policy=unload-old` could reuse slot 0, broken counted as "the default":
// the watchdog skipped it and its invalid decision threw std::logic_error.
// Now slot 0 is kept for the default, which the ejection reloads there.
TEST_F(WatchdogTest, EjectsASchedulerLoadedIntoTheDefaultsFreedSlot) {
  start(1, 3, 1, kAB, "200us:bvt,policy=unload-old ");
  report::Results r = advance_to(ms(10));
  ASSERT_EQ(r.replacements.size(), 3u);
  EXPECT_EQ(r.replacements[2].kind, "eject");
  EXPECT_EQ(r.replacements[2].to, "rr");
  EXPECT_EQ(r.scheduler, "rr");
}

// Regression: with rr unloaded and fifo loaded into slot 0, an ejection
// "re-activated the default" by slot number and brought fifo back.
TEST_F(WatchdogTest, EjectionReactivatesTheDefaultSchedulerNotSlot0) {
  start(1, 3, 1, kAB, "100us:bvt,policy=unload-old 200us:fifo,policy=unload-old ");
  report::Results r = advance_to(ms(10));
  ASSERT_EQ(r.replacements.size(), 4u);
  EXPECT_EQ(r.replacements[3].kind, "eject");
  EXPECT_EQ(r.replacements[3].to, "rr");
  EXPECT_EQ(r.scheduler, "rr");
}

// Regression (found by the soak, seeds 11 and 64): an ejection queued behind
// another request — broken misbehaved while a load of bvt was ceasing the
// pCPUs — ejected whatever that load made active: bvt went, broken stayed.
// Now the ejection names its offender; if it is no longer active it just
// leaves the image area.
TEST_F(WatchdogTest, AnEjectionServedAfterAnotherReplacementSparesTheNewScheduler) {
  start(0, 0, 1, kAB);  // broken, behaving, from 500 us
  advance_to(ms(5));
  ASSERT_EQ(m_platform->manager().active().image.name, "broken");
  vmm::ControlOp load;
  load.kind = vmm::ControlOp::Kind::Load;
  load.request.target = "bvt";
  load.requester = "cli";
  load.requested_at = ms(5);
  vmm::ControlOp eject;
  eject.kind = vmm::ControlOp::Kind::Eject;
  eject.request.target = "broken";
  eject.requester = "watchdog";
  eject.requested_at = ms(5);
  eject.reason = "broken chose unknown vCPU 100000 on cpu0";
  m_platform->vmm().replacement().submit(load);
  m_platform->vmm().replacement().submit(eject);
  report::Results r = advance_to(ms(10));
  ASSERT_EQ(r.replacements.size(), 3u);
  EXPECT_TRUE(r.replacements[1].ok) << r.replacements[1].reason;
  EXPECT_EQ(r.replacements[1].to, "bvt");
  const report::ReplacementResult& e = r.replacements[2];
  EXPECT_EQ(e.kind, "eject");
  EXPECT_EQ(e.target, "broken");
  EXPECT_TRUE(e.ok);
  EXPECT_FALSE(e.sequence) << "bvt is not ceased for broken's fault";
  EXPECT_EQ(e.to, "bvt");
  EXPECT_EQ(e.reason, eject.reason);
  expect_active("bvt");
  EXPECT_FALSE(m_platform->manager().find("broken").has_value()) << "the offender left the image area";
}

// Regression (found by the soak, seed 200): an ejection must reload the
// default, whose image unload-old had removed, into an area that kept images
// fill. The load dereferenced an empty allocation: the default's slot got a
// bogus area and a later unload threw. Now the least recently active kept
// image is unloaded to make room.
TEST_F(ReplacementFailureTest, EjectionMakesRoomToReloadTheDefault) {
  file("hog.trace", kHog);
  // rr 6 KiB, bvt 12 KiB, arinc653 8 KiB, fifo 4 KiB in a 24 KiB area. fifo
  // runs a to completion and starves b: the watchdog ejects it.
  build(std::string(kZeroCosts) +
        "[vmm]\nimage_area = 24KiB\nwatchdog = 20ms\n[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = hog.trace\n"
        "[run]\nswap = 100us:bvt,policy=unload-old 200us:arinc653,policy=keep-old 300us:fifo,policy=keep-old "
        "60ms:unload=arinc653\n");
  report::Results r = advance_to(ms(50));
  ASSERT_EQ(r.replacements.size(), 4u);
  for (const auto& x : r.replacements) EXPECT_TRUE(x.ok) << x.kind << " " << x.target << ": " << x.reason;
  const report::ReplacementResult& e = r.replacements[3];
  EXPECT_EQ(e.kind, "eject");
  EXPECT_EQ(e.from, "fifo");
  EXPECT_EQ(e.to, "rr");
  EXPECT_EQ(e.unload, 2 * kUnload) << "fifo, then bvt (the least recently active) to make room";
  expect_active("rr");
  vmm::SchedulerManager& m = m_platform->manager();
  EXPECT_FALSE(m.find("bvt").has_value());
  EXPECT_FALSE(m.find("fifo").has_value());
  EXPECT_TRUE(m.find("arinc653").has_value()) << "only what was needed went";
  EXPECT_EQ(m_platform->memory().used(), (6 + 8) * 1024u) << "the area holds rr and arinc653";

  r = advance_to(ms(70));
  ASSERT_EQ(r.replacements.size(), 5u);
  EXPECT_TRUE(r.replacements[4].ok) << r.replacements[4].reason;
  EXPECT_EQ(m_platform->memory().used(), 6 * 1024u);
  expect_active("rr");
}

// ---------------------------------------------------------------------------
// Invariants across a long mixed sequence: 2 pCPUs, default costs, two
// console writers (3200 bytes in all through a 16-byte FIFO), a hog, the
// service VM driving loads, unloads, failures and two ejections, and the
// command line adding a failure and an unload.

class ReplacementInvariantTest : public ReplacementFailureTest {};

TEST_F(ReplacementInvariantTest, NothingIsLostOrDoubledAcrossLoadsUnloadsFailuresAndEjections) {
  file("writer.trace",
       "vcpu 0\n  repeat 40\n    run 200us\n    console 40\n    io 300us\n  end\n"
       "  repeat forever\n    run 1ms\n    sleep 1ms\n  end\n");
  file("hog.trace", kHog);
  const char* steps[] = {
      "bvt policy=keep-old",                         // 1  ok
      "@no_entry",                                   // 2  refused
      "fifo policy=unload-old",                      // 3  ok, bvt unloaded
      "@broken fault=5",                             // 4  init failure
      "",                                            // 5  unload fifo: back to rr
      "@lottery",                                    // 6  ok (auto, room: rr kept)
      "@broken fault=1 after=20 policy=unload-old",  // 7  ok, then 8 ejected
      "bvt policy=keep-old",                         // 9  ok
      "@broken fault=6 policy=unload-old",           // 10 insert failure, bvt reloaded
      "fifo policy=keep-old",                        // 11 ok
      "unload bvt",                                  // 12 inactive: no sequence
      "@broken fault=4 after=0",                     // 13 ok, then 14 starves w.0: ejected
  };

  std::string svc = "vcpu 0\n";
  for (std::string s : steps) {
    svc += "  sleep 5ms\n";
    svc += s.empty() ? "  sched-unload\n" : s.rfind("unload ", 0) == 0 ? "  sched-unload " + s.substr(7) + "\n"
                                                                       : "  sched-load " + s + "\n";
  }
  svc += "  sleep 60ms\n  sched-load bvt\n  sleep 10s\n";  // 15 ok
  file("svc.trace", with_plugins(svc));
  build("[platform]\ncpus = 2\n[console]\nbaud = 1000000\nfifo = 16\n[vmm]\nwatchdog = 20ms\n"
        "[vm.w]\ntrace = writer.trace\nvcpus = 2\nworking_set = 64KiB\n"
        "[vm.h]\ntrace = hog.trace\nworking_set = 256KiB\n[service]\ntrace = svc.trace\n[run]\nswap = " +
        with_plugins("180ms:@no_entry 185ms:unload=fifo") + "\n");  // 16 refused, 17 inactive
  Probe probe("probe", *m_platform, 2, 50 * 1000 + 7);
  report::Results r = advance_to(ms(250));

  struct Expected {
    const char* kind;
    const char* requester;
    bool ok, sequence;
    const char* to;
  };
  const Expected expected[] = {
      {"load", "service", true, true, "bvt"},     {"load", "service", false, false, "bvt"},
      {"load", "service", true, true, "fifo"},    {"load", "service", false, true, "fifo"},
      {"unload", "service", true, true, "rr"},    {"load", "service", true, true, "lottery"},
      {"load", "service", true, true, "broken"},  {"eject", "watchdog", true, true, "rr"},
      {"load", "service", true, true, "bvt"},     {"load", "service", false, true, "bvt"},
      {"load", "service", true, true, "fifo"},    {"unload", "service", true, false, "fifo"},
      {"load", "service", true, true, "broken"},  {"eject", "watchdog", true, true, "rr"},
      {"load", "service", true, true, "bvt"},     {"load", "cli", false, false, "bvt"},
      {"unload", "cli", true, false, "bvt"},
  };

  ASSERT_EQ(r.replacements.size(), std::size(expected));
  const Bytes fifo = 16;
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    const report::ReplacementResult& x = r.replacements[i];
    SCOPED_TRACE(fmt::format("replacement {}: {} {} -> {} ({})", i + 1, x.kind, x.target, x.to, x.reason));
    EXPECT_EQ(x.kind, expected[i].kind);
    EXPECT_EQ(x.requester, expected[i].requester);
    EXPECT_EQ(x.ok, expected[i].ok);
    EXPECT_EQ(x.sequence, expected[i].sequence);
    EXPECT_EQ(x.to, expected[i].to);
    if (i > 0) {
      EXPECT_EQ(x.from, r.replacements[i - 1].to) << "each starts from the one before";
    }
    EXPECT_LE(x.tx_retired, fifo) << "at most a FIFO's worth in flight";
    // Every live vCPU (2 writers, the hog, the service VM) moved into the new
    // scheduler exactly once; a failed sequence leaves them in the old one.
    if (x.sequence) {
      EXPECT_EQ(x.vcpus_migrated, x.ok ? 4u : 0u);
    }
  }
  EXPECT_TRUE(Contains(r.replacements[7].reason, "broken chose unknown vCPU 100000"));
  EXPECT_TRUE(Contains(r.replacements[13].reason, "w.0 runnable but not run for"));
  EXPECT_EQ(r.scheduler, "bvt");
  expect_active("bvt");
  EXPECT_EQ(refusals(r), 4u) << "the service VM's three refused requests and the command line's one";

  // Cycles add up on every pCPU; every guest cycle belongs to one vCPU; a
  // pCPU is ceased only within a sequence's downtime.
  Cycles guest = 0, vcpu_cpu = 0, downtime = 0;
  for (const auto& x : r.replacements) downtime += x.downtime;
  for (const auto& c : r.pcpus) {
    EXPECT_EQ(c.guest + c.vmm + c.idle + c.ceased, r.elapsed);
    EXPECT_GT(c.ceased, 0u);
    EXPECT_LE(c.ceased, downtime);
    guest += c.guest;
  }
  for (const auto& v : r.vcpus) vcpu_cpu += v.cpu;
  EXPECT_EQ(vcpu_cpu, guest);

  // Every console byte written exactly once: 2 writers x 40 x 40 bytes, all
  // accepted, all transmitted by the end, nothing still in the FIFO.
  EXPECT_EQ(r.console_written, 3200u);
  EXPECT_EQ(r.console_transmitted, 3200u);
  EXPECT_EQ(m_platform->console().level(), 0u);

  // No vCPU lost: the three guest vCPUs still run after the last
  // replacement (the service VM sleeps); none is doubled.
  report::Results before = r;
  r = advance_to(ms(300));
  for (std::size_t v = 0; v < 3; ++v) EXPECT_GT(r.vcpus[v].cpu, before.vcpus[v].cpu + ms(5)) << r.vcpus[v].vm;
  std::set<std::int32_t> owners;
  for (unsigned c = 0; c < 2; ++c) {
    std::int32_t o = m_platform->processor(c).owner();
    if (o < 0) continue;
    EXPECT_TRUE(owners.insert(o).second) << "vCPU " << o << " owns two pCPUs";
    EXPECT_EQ(m_platform->vcpus()[static_cast<std::size_t>(o)].state, vmm::RunState::Running);
  }
  EXPECT_GT(probe.checks, 5000u);
  EXPECT_EQ(probe.unloaded_register, 0u) << "the ID register always named a loaded scheduler";
  EXPECT_EQ(probe.doubled, 0u) << "a vCPU in guest mode on two pCPUs";
}

}  // namespace
