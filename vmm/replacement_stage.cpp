// Staged images (docs/replacement.md "Staged images"): sched-stage loads an
// image into the image area and creates its instance while the guests run,
// so that a later sched-load of it skips the load phase — its downtime is
// cease + drain + migrate + activate. A stage that fails (image, ABI, room,
// parameters, create) costs no downtime and the active scheduler never
// notices. Part of vmm::Replacement.
#include <stdexcept>

#include <fmt/format.h>

#include "vmm/replacement.h"
#include "vmm/vmm.h"

namespace vmmsim::vmm {

void Replacement::stage(const ControlOp& op, Plan& p, report::ReplacementResult& r) {
  const Cycles start = m_clock.now();
  r.to = r.from;
  r.source = p.source;
  auto area = m_memory.allocate(p.image.bytes);
  if (!area)  // the plan made room: this is a bug in the plan
    throw std::logic_error(fmt::format("no room to stage {} ({} bytes, {} of {} used)", p.image.name, p.image.bytes,
                                       m_memory.used(), m_memory.capacity()));
  // The image takes its slot (and the VCD's slot map shows it) as its
  // transfer starts, as a load's does.
  m_manager.occupy(p.target, p.image, *area, p.params);
  m_manager.slot(p.target).staged = true;
  // The copy is the VMM's work on the requester's pCPU at the source's
  // bandwidth: that pCPU runs no guest meanwhile, the others go on.
  const unsigned on = unload_cpu(op);
  r.stage_cpu = static_cast<int>(on);
  if (p.load_cycles > 0) {
    m_vmm.run_vmm_work(on, p.load_cycles, [this](Cycles done) { m_vmm.events().notify(m_unloaded, done); });
    wait(m_unloaded);
  }
  // create() and its parameter checks run now, not in a later downtime.
  std::string err = m_manager.instantiate(p.target, m_config.platform.cpus, m_config.platform.clock);
  r.stage = m_clock.now() - start;
  if (err.empty()) {
    r.ok = true;
    return;
  }
  r.ok = false;
  r.reason = fmt::format("{} failed to start: {}", p.image.name, err);
  m_memory.release(m_manager.slot(p.target).area);
  m_manager.vacate(p.target);
}

}  // namespace vmmsim::vmm
