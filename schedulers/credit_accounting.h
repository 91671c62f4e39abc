// credit's accounting, after Xen's csched_acct and the active lists it walks
// (xen/common/sched/credit.c): the VMs with vCPUs that earn credits, in
// accounting order, each with its active vCPUs, and the pass that shares out
// one tslice of credits per pCPU among them by weight (capped VMs get no
// more than their cap). What a vCPU does with its share (priority, parking)
// is the policy's (schedulers/credit.cpp). The lists are intrusive: joining
// and leaving allocates nothing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "schedulers/id_list.h"
#include "schedulers/policy.h"

namespace vmmsim::sched {

class CreditAccounting {
 public:
  // credits: shared out per accounting pass (one tslice's per pCPU).
  CreditAccounting(std::int64_t credits_per_tslice, std::int64_t credits)
      : m_credits_per_tslice(credits_per_tslice), m_credits(credits) {}

  void resize_vcpus(std::size_t n) { m_vcpu_links.resize(n); }

  // A VM's parameters (csched_dom): its weight counts once per active vCPU.
  void set_vm(unsigned vm, std::int64_t weight, std::int64_t cap) {
    if (vm >= m_vms.size()) {
      m_vms.resize(vm + 1);
      m_vm_links.resize(m_vms.size());
    }
    Vm& d = m_vms[vm];
    if (d.listed) m_weight += (weight - d.weight) * static_cast<std::int64_t>(d.active.size());
    d.weight = weight;
    d.cap = cap;
  }

  // csched_unit_acct_start / _stop: v (of `vm`) joins or leaves the active set.
  void start(VcpuId v, unsigned vm) {
    Vm& d = m_vms[vm];
    d.active.push_front(m_vcpu_links, v);
    m_weight += d.weight;
    if (!d.listed) {
      m_active_vms.push_front(m_vm_links, static_cast<int>(vm));
      d.listed = true;
    }
  }
  void stop(VcpuId v, unsigned vm) {
    Vm& d = m_vms[vm];
    d.active.erase(m_vcpu_links, v);
    m_weight -= d.weight;
    if (d.active.empty()) {
      m_active_vms.erase(m_vm_links, static_cast<int>(vm));
      d.listed = false;
    }
  }

  std::int64_t active_weight() const { return m_weight; }  // over active vCPUs
  std::int64_t balance() const { return m_balance; }

  // csched_acct's sharing: each active VM's fair share of the credits by
  // weight, at most a tslice per active vCPU (more while the balance is
  // negative) and its cap; what a VM cannot use goes to the VMs after it.
  // Calls share_out(v, credits, cap_per_vcpu, capped) for every active vCPU
  // (it may stop v), which returns v's credit after, for the balance.
  // Returns false, with nothing shared, when no vCPU is active.
  template <class ShareOut>
  bool share(ShareOut share_out) {
    const std::int64_t weight_total = m_weight;
    std::int64_t credit_total = m_credits;
    if (m_balance < 0) credit_total -= m_balance;  // converge the balance to 0
    if (weight_total == 0) {
      m_balance = 0;
      return false;
    }
    std::int64_t weight_left = weight_total;
    std::int64_t credit_balance = 0;
    bool credit_xtra = false;
    for (int vm = m_active_vms.front(); vm != IdList::kNil;) {
      const int next_vm = m_vm_links.next(vm);
      Vm& d = m_vms[static_cast<std::size_t>(vm)];
      const auto active = static_cast<std::int64_t>(d.active.size());
      weight_left -= d.weight * active;
      // At most a full tslice for each active vCPU, more only while the
      // system-wide balance is negative.
      std::int64_t credit_peak = active * m_credits_per_tslice;
      if (m_balance < 0)
        credit_peak += (-m_balance * d.weight * active + weight_total - 1) / weight_total;
      std::int64_t credit_cap = 0;
      if (d.cap != 0) {
        credit_cap = (d.cap * m_credits_per_tslice + 99) / 100;
        credit_peak = std::min(credit_peak, credit_cap);
        credit_cap = (credit_cap + active - 1) / active;  // per vCPU
      }
      std::int64_t credit_fair =
          (credit_total * d.weight * active + weight_total - 1) / weight_total;
      if (credit_fair < credit_peak) {
        credit_xtra = true;
      } else {
        if (weight_left != 0)  // give the other VMs a chance at what this one cannot use
          credit_total +=
              ((credit_fair - credit_peak) * weight_total + weight_left - 1) / weight_left;
        if (credit_xtra)  // keep VMs with credit to spare at the head, for later periods
          m_active_vms.move_to_front(m_vm_links, vm);
        credit_fair = credit_peak;
      }
      credit_fair = (credit_fair + active - 1) / active;  // per vCPU
      for (VcpuId v = d.active.front(), next = 0; v != IdList::kNil; v = next) {
        next = m_vcpu_links.next(v);
        credit_balance += share_out(v, credit_fair, credit_cap, d.cap != 0);
      }
      vm = next_vm;
    }
    m_balance = credit_balance;
    return true;
  }

 private:
  struct Vm {                   // csched_dom
    std::int64_t weight = 256;  // CSCHED_DEFAULT_WEIGHT until set_vm
    std::int64_t cap = 0;       // % of one pCPU, 0 = none
    IdList active;              // its vCPUs that earn credits (links: m_vcpu_links)
    bool listed = false;        // on m_active_vms
  };

  const std::int64_t m_credits_per_tslice;
  const std::int64_t m_credits;
  std::vector<Vm> m_vms;
  IdLinks m_vcpu_links;  // by vCPU: places in the VMs' active lists
  IdList m_active_vms;   // VMs with active vCPUs, in accounting order
  IdLinks m_vm_links;    // by VM: places in m_active_vms
  std::int64_t m_weight = 0;
  std::int64_t m_balance = 0;
};

}  // namespace vmmsim::sched
