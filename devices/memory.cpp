#include "devices/memory.h"

#include <stdexcept>
#include <string>

namespace vmmsim::devices {
namespace {

// ceil(bytes / per_cycle) without overflow; no bandwidth limit costs nothing.
Cycles transfer_cycles(Bytes bytes, Bytes per_cycle) {
  if (per_cycle == 0) return 0;
  return bytes / per_cycle + (bytes % per_cycle != 0 ? 1 : 0);
}

}  // namespace

std::optional<ImageId> Memory::allocate(Bytes size) {
  if (size > m_config.image_area - m_used) return std::nullopt;
  const ImageId id = m_next_id++;
  m_images.emplace(id, size);
  m_used += size;
  return id;
}

void Memory::release(ImageId id) {
  auto it = m_images.find(id);
  if (it == m_images.end())
    throw std::logic_error("Memory::release: image " + std::to_string(id) + " is not allocated");
  m_used -= it->second;
  m_images.erase(it);
}

Cycles Memory::load_cycles(Bytes size) const {
  return saturating_add(transfer_cycles(size, m_config.load_bytes_per_cycle), m_config.load_latency);
}

Cycles Memory::refill_cycles(Bytes working_set, bool migrated) const {
  return transfer_cycles(working_set, migrated ? m_config.remote_refill_bytes_per_cycle
                                               : m_config.refill_bytes_per_cycle);
}

}  // namespace vmmsim::devices
