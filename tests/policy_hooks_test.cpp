// sched::Policy runs the common bookkeeping of each operation and calls the
// policy's hooks: through the policy's own final type from the ops table
// (direct calls), and as virtual calls for code that holds a Policy&. Both
// must call the same hooks, in the same order, with the same arguments, and
// answer the same (schedulers/policy.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "schedulers/policy.h"

namespace vmmsim::sched {
namespace {

// A FIFO policy that writes down every hook call.
class Recorder : public Policy {
  friend class Policy;

 public:
  // policy_ops constructs it from the config alone: the log it writes to is
  // the one named here before create.
  inline static std::vector<std::string>* next_log = nullptr;
  explicit Recorder(const vmm_sched_config_t& config) : Policy(config), m_log(next_log) {}

  bool tick(unsigned cpu, Cycles now) override {
    note("tick", static_cast<int>(cpu), now);
    return cpu == 0;
  }
  std::int64_t priority(VcpuId v) const override { return v * 10; }

 protected:
  void note(const char* hook, int a, Cycles now) {
    m_log->push_back(std::string(hook) + " " + std::to_string(a) + " @" + std::to_string(now));
  }
  void on_insert(const vmm_vcpu_info_t& info, Cycles now) override {
    note("on_insert", info.id, now);
  }
  void enqueue(VcpuId v, Cycles now) override {
    note("enqueue", v, now);
    m_queue.push_back(v);
  }
  void dequeue(VcpuId v) override {
    note("dequeue", v, 0);
    for (auto it = m_queue.begin(); it != m_queue.end(); ++it)
      if (*it == v) {
        m_queue.erase(it);
        break;
      }
  }
  void charge(VcpuId prev, unsigned cpu, Cycles ran, Cycles now) override {
    note("charge", prev, now);
    note("charge.cpu", static_cast<int>(cpu), ran);
  }
  vmm_decision_t select(unsigned cpu, Cycles now) override {
    note("select", static_cast<int>(cpu), now);
    if (m_queue.empty()) return vmm_decision_t{kIdle, VMM_FOREVER};
    VcpuId v = m_queue.front();
    m_queue.erase(m_queue.begin());
    return vmm_decision_t{v, 1000};
  }
  void on_block(VcpuId v, Cycles now) override { note("on_block", v, now); }
  void on_yield(VcpuId v, Cycles now) override { note("on_yield", v, now); }
  void on_wake(VcpuId v, Cycles now) override { note("on_wake", v, now); }
  void on_remove(VcpuId v, Cycles /*now*/) override { note("on_remove", v, 0); }
  void owner_changed(unsigned cpu, VcpuId v) override {
    note("owner_changed", static_cast<int>(cpu), static_cast<Cycles>(v + 1));
  }

  std::vector<std::string>* m_log;
  std::vector<VcpuId> m_queue;
};

// requeue left to Policy's default (enqueue): the direct path must take it.
class DefaultRequeue final : public Recorder {
  friend class Policy;

 public:
  using Recorder::Recorder;
};

// An own requeue (to the front): the virtual path must take it.
class OwnRequeue final : public Recorder {
  friend class Policy;

 public:
  using Recorder::Recorder;

 private:
  void requeue(VcpuId prev, Cycles now) override {
    note("requeue", prev, now);
    m_queue.insert(m_queue.begin(), prev);
  }
};

// The same requests, in the order a VMM makes them, through one of the paths.
struct Driver {
  virtual ~Driver() = default;
  virtual void insert(const vmm_vcpu_info_t& info, Cycles now) = 0;
  virtual vmm_tickle_t wake(VcpuId v, Cycles now) = 0;
  virtual void block(VcpuId v, Cycles now) = 0;
  virtual void yield(VcpuId v, Cycles now) = 0;
  virtual vmm_decision_t pick_next(unsigned cpu, Cycles now, VcpuId prev, Cycles ran) = 0;
  virtual bool tick(unsigned cpu, Cycles now) = 0;
  virtual void remove(VcpuId v, Cycles now) = 0;
};

std::vector<std::string> run(Driver& d, std::vector<std::string>& log) {
  std::vector<std::string> answers;
  auto info = [](VcpuId v, int running_on) {
    return vmm_vcpu_info_t{v, 0, 0, 1, running_on, nullptr, 0, nullptr, 0};
  };
  d.insert(info(0, 0), 1);  // running on pCPU 0 (a migration)
  d.insert(info(1, kNoCpu), 2);
  d.insert(info(2, kNoCpu), 3);
  for (Cycles now = 10; now < 200; now += 10) {
    vmm_decision_t a = d.pick_next(0, now, 0, 7);  // 0 goes back to the queue: requeue
    answers.push_back("pick " + std::to_string(a.next) + " " + std::to_string(a.slice));
    vmm_decision_t b = d.pick_next(1, now, kIdle, 0);
    answers.push_back("pick " + std::to_string(b.next));
    d.yield(a.next, now + 1);
    d.block(b.next, now + 2);
    vmm_tickle_t t = d.wake(b.next, now + 3);
    answers.push_back("tickle " + std::to_string(t.cpu) + " @" + std::to_string(t.at));
    answers.push_back(std::string("tick ") + (d.tick(now % 20 == 0 ? 0 : 1, now) ? "1" : "0"));
    if (a.next != 0 && a.next != kIdle) {  // put 0 back on pCPU 0 for the next round
      d.block(a.next, now + 4);
      d.wake(a.next, now + 5);
    }
    d.pick_next(0, now + 6, a.next, 1);
    d.pick_next(1, now + 6, b.next, 1);
    d.pick_next(0, now + 7, kIdle, 0);
  }
  d.remove(1, 300);
  d.remove(2, 301);
  answers.insert(answers.end(), log.begin(), log.end());
  return answers;
}

struct ThroughTable final : Driver {
  const vmm_sched_ops_t& ops;
  void* p;
  ThroughTable(const vmm_sched_ops_t& o, void* self) : ops(o), p(self) {}
  ~ThroughTable() override { ops.destroy(p); }
  void insert(const vmm_vcpu_info_t& info, Cycles now) override {
    char err[128] = "";
    EXPECT_EQ(ops.insert(p, &info, now, err, sizeof err), 0) << err;
  }
  vmm_tickle_t wake(VcpuId v, Cycles now) override { return ops.wake(p, v, now); }
  void block(VcpuId v, Cycles now) override { ops.block(p, v, now); }
  void yield(VcpuId v, Cycles now) override { ops.yield(p, v, now); }
  vmm_decision_t pick_next(unsigned cpu, Cycles now, VcpuId prev, Cycles ran) override {
    return ops.pick_next(p, cpu, now, prev, ran);
  }
  bool tick(unsigned cpu, Cycles now) override { return ops.tick(p, cpu, now) != 0; }
  void remove(VcpuId v, Cycles now) override { ops.remove(p, v, now); }
};

struct ThroughPolicy final : Driver {
  Policy& policy;
  explicit ThroughPolicy(Policy& pol) : policy(pol) {}
  void insert(const vmm_vcpu_info_t& info, Cycles now) override { policy.insert(info, now); }
  vmm_tickle_t wake(VcpuId v, Cycles now) override { return policy.wake(v, now); }
  void block(VcpuId v, Cycles now) override { policy.block(v, now); }
  void yield(VcpuId v, Cycles now) override { policy.yield(v, now); }
  vmm_decision_t pick_next(unsigned cpu, Cycles now, VcpuId prev, Cycles ran) override {
    return policy.pick_next(cpu, now, prev, ran);
  }
  bool tick(unsigned cpu, Cycles now) override { return policy.tick(cpu, now); }
  void remove(VcpuId v, Cycles now) override { policy.remove(v, now); }
};

template <class P>
void expect_same_calls(const char* requeue) {
  std::vector<std::string> table_log;
  std::vector<std::string> policy_log;
  const vmm_sched_config_t config{2, 1'000'000'000, nullptr, 0};
  static const vmm_sched_ops_t ops =
      policy_ops<P>("recorder", "test", 1024, nullptr, 0, nullptr, 0);
  char err[128] = "";
  Recorder::next_log = &table_log;
  void* self = ops.create(&config, err, sizeof err);
  ASSERT_NE(self, nullptr) << err;
  ThroughTable table(ops, self);

  Recorder::next_log = &policy_log;
  P recorder(config);
  ThroughPolicy policy(recorder);

  const std::vector<std::string> direct = run(table, table_log);
  const std::vector<std::string> virtual_calls = run(policy, policy_log);
  EXPECT_GT(table_log.size(), 100u);
  EXPECT_EQ(direct, virtual_calls);
  auto requeues = std::count_if(direct.begin(), direct.end(), [&](const std::string& line) {
    return line.rfind(requeue, 0) == 0;
  });
  EXPECT_GT(requeues, 0) << "no " << requeue << " after a pick_next whose prev was runnable";
  EXPECT_EQ(ops.priority(self, 3), 30);
}

TEST(PolicyHooks, DirectAndVirtualCallsAreTheSameWithTheDefaultRequeue) {
  expect_same_calls<DefaultRequeue>("enqueue 0 ");
}

TEST(PolicyHooks, DirectAndVirtualCallsAreTheSameWithAnOwnRequeue) {
  expect_same_calls<OwnRequeue>("requeue 0 ");
}

}  // namespace
}  // namespace vmmsim::sched
