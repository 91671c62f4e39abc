// vmm::Observers tells each observer only the hooks it overrides
// (vmm/observer.h): a hook no observer overrides is not wanted (its site
// costs one branch), one that some override goes to those, in the order
// they were added, and an observer that does not say which it overrides
// is told of every hook.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vmm/observer.h"

namespace vmmsim::vmm {
namespace {

std::vector<std::string> g_log;

// Overrides vm_running only (as the VCD's observer).
struct RunningOnly final : Observer {
  explicit RunningOnly(std::string name) : Observer(false, overridden_hooks<RunningOnly>()), m_name(std::move(name)) {}
  void vm_running(std::size_t vm, unsigned running, Cycles) override {
    g_log.push_back(m_name + " vm_running " + std::to_string(vm) + " " + std::to_string(running));
  }
  std::string m_name;
};

// Overrides dispatched and runqueue; the final class says which hooks.
struct Dispatches : Observer {
  explicit Dispatches(unsigned hooks) : Observer(false, hooks) {}
  void dispatched(unsigned cpu, VcpuId next, std::uint32_t, const std::string& scheduler, std::int64_t,
                  Cycles) override {
    g_log.push_back("dispatches dispatched " + std::to_string(cpu) + " " + std::to_string(next) + " " + scheduler);
  }
  void runqueue(Cycles, std::uint64_t waiting) override {
    g_log.push_back("dispatches runqueue " + std::to_string(waiting));
  }
};

// Derived from one that overrides: its hooks are the base's and its own.
struct MoreDispatches final : Dispatches {
  MoreDispatches() : Dispatches(overridden_hooks<MoreDispatches>()) {}
  void waited(std::size_t vm, Cycles wait) override {
    g_log.push_back("more waited " + std::to_string(vm) + " " + std::to_string(wait));
  }
};

// Says nothing of its hooks: told of every one.
struct Unsaid final : Observer {
  Unsaid() : Observer(false) {}
  void runqueue(Cycles, std::uint64_t waiting) override { g_log.push_back("unsaid runqueue " + std::to_string(waiting)); }
};

TEST(ObserverHooks, OverriddenHooksAreThoseTheTypeOverrides) {
  EXPECT_EQ(overridden_hooks<RunningOnly>(), unsigned{kVmRunning});
  EXPECT_EQ(overridden_hooks<MoreDispatches>(), unsigned{kDispatched | kRunqueue | kWaited});
  EXPECT_EQ(Unsaid().hooks(), kEveryHook);
}

TEST(ObserverHooks, AHookGoesOnlyToThoseThatOverrideIt) {
  g_log.clear();
  Observers observers;
  EXPECT_FALSE(observers.wants(kVmRunning));
  RunningOnly a("a"), b("b");
  observers.add(&a);
  EXPECT_TRUE(observers.wants(kVmRunning));
  EXPECT_FALSE(observers.wants(kDispatched)) << "the VCD's observer makes no dispatch a call";
  EXPECT_FALSE(observers.wants(kRunqueue));
  EXPECT_FALSE(observers.wants(kWaited));
  EXPECT_FALSE(observers.watch_requests());
  MoreDispatches more;
  observers.add(&more);
  observers.add(&b);
  EXPECT_TRUE(observers.wants(kDispatched));
  EXPECT_TRUE(observers.wants(kWaited));
  EXPECT_FALSE(observers.wants(kInputServed));
  observers.vm_running(2, 1, 10);
  observers.dispatched(3, 7, 0, "rr", 0, 10);
  observers.runqueue(10, 4);
  observers.waited(1, 5);
  EXPECT_EQ(g_log, (std::vector<std::string>{"a vm_running 2 1", "b vm_running 2 1", "dispatches dispatched 3 7 rr",
                                             "dispatches runqueue 4", "more waited 1 5"}));
  g_log.clear();
  observers.remove(&more);
  EXPECT_FALSE(observers.wants(kDispatched));
  EXPECT_FALSE(observers.wants(kWaited));
  Unsaid unsaid;
  observers.add(&unsaid);
  for (Hook h : {kAfterReplacement, kDispatched, kWentOffline, kParked, kCeased, kRunqueue, kWaited, kInputServed,
                 kVmRunning, kShadowDisagreed})
    EXPECT_TRUE(observers.wants(h)) << h;
  observers.runqueue(11, 3);
  observers.vm_running(0, 0, 11);
  EXPECT_EQ(g_log, (std::vector<std::string>{"unsaid runqueue 3", "a vm_running 0 0", "b vm_running 0 0"}));
  observers.remove(&unsaid);
  observers.remove(&a);
  observers.remove(&b);
  EXPECT_FALSE(observers.wants(kVmRunning));
}

// Overrides after_replacement only: no hook of the decision and wake paths.
struct Replacements final : Observer {
  Replacements() : Observer(false, overridden_hooks<Replacements>()) {}
  void after_replacement(const report::ReplacementResult&) override { g_log.push_back("replacement"); }
};

// Told of the hooks it is given (its own do nothing).
struct OfHooks final : Observer {
  explicit OfHooks(unsigned hooks) : Observer(false, hooks) {}
};

// Watches requests, told of no hook.
struct Requests final : Observer {
  Requests() : Observer(true, 0) {}
};

// The decision and wake paths test a VM's running count alone when that is
// all they are watched for (Vmm::running_watched_alone): a hook of theirs
// or a request watcher added makes them test every site again.
TEST(ObserverHooks, TheRunningCountAloneIsToldApart) {
  Observers observers;
  EXPECT_FALSE(observers.running_only()) << "nothing watched";
  RunningOnly vcd("vcd");
  observers.add(&vcd);
  EXPECT_TRUE(observers.running_only());
  Replacements replacements;
  observers.add(&replacements);
  EXPECT_TRUE(observers.running_only()) << "after_replacement is no hook of the request path";
  // Each observer below, added beside the VCD's, turns the flag off; removed, on again.
  auto turns_off = [&](Observer& o, const std::string& why) {
    observers.add(&o);
    EXPECT_FALSE(observers.running_only()) << why;
    observers.remove(&o);
    EXPECT_TRUE(observers.running_only()) << why << ", removed";
  };
  MoreDispatches more;
  turns_off(more, "dispatched, runqueue and waited are the request path's");
  Requests requests;
  turns_off(requests, "a request watcher hears every request");
  for (Hook h : {kDispatched, kRunqueue, kWaited, kInputServed}) {
    OfHooks one(h);
    turns_off(one, "hook " + std::to_string(h) + " is one of the request path's");
  }
  Unsaid every;
  turns_off(every, "told of every hook");
  observers.remove(&vcd);
  EXPECT_FALSE(observers.running_only()) << "after_replacement alone: not the running count";
}

}  // namespace
}  // namespace vmmsim::vmm
