#include "devices/memory.h"

#include <algorithm>
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

Memory::Memory(sc_core::sc_module_name name, const CycleClock& clock, const MemoryConfig& config)
    : sc_core::sc_module(name), m_clock(clock), m_config(config) {}

std::optional<Address> Memory::first_fit(Bytes size) const {
  Address hole = 0;  // the start of the hole before the next image
  for (const auto& [offset, id] : m_by_offset) {
    if (offset - hole >= size) return hole;
    hole = offset + m_images.at(id).size;
  }
  if (m_config.image_area - hole >= size) return hole;
  return std::nullopt;
}

void Memory::compact() {
  ++m_compactions;
  std::map<Address, ImageId> packed;
  Address next = 0;
  for (const auto& [offset, id] : m_by_offset) {
    m_images[id].offset = next;
    packed.emplace(next, id);
    next += m_images[id].size;
  }
  m_by_offset = std::move(packed);
}

std::optional<ImageId> Memory::allocate(Bytes size) {
  if (size > m_config.image_area - m_used) return std::nullopt;
  std::optional<Address> at = first_fit(size);
  if (!at) {  // enough bytes, no hole: compaction leaves one hole at the top
    compact();
    at = first_fit(size);
  }
  const ImageId id = m_next_id++;
  m_images.emplace(id, Image{*at, size});
  // Zero-byte images share an address with their neighbour: keep the map unique.
  if (size > 0) m_by_offset.emplace(*at, id);
  m_used += size;
  image_bytes_trace.set(m_used, m_clock.now());
  return id;
}

void Memory::release(ImageId id) {
  auto it = m_images.find(id);
  if (it == m_images.end())
    throw std::logic_error("Memory::release: image " + std::to_string(id) + " is not allocated");
  if (it->second.size > 0) m_by_offset.erase(it->second.offset);
  m_used -= it->second.size;
  m_images.erase(it);
  image_bytes_trace.set(m_used, m_clock.now());
}

Address Memory::address(ImageId id) const { return m_config.image_base + m_images.at(id).offset; }

Cycles Memory::load_cycles(Bytes size) const {
  return saturating_add(transfer_cycles(size, m_config.load_bytes_per_cycle), m_config.load_latency);
}

void Memory::transfer(ImageId id, Cycles cycles) {
  static_cast<void>(size(id));  // an image not allocated is a VMM bug: throws
  cycles = std::min(cycles, m_clock.horizon() - m_clock.now());
  if (cycles) wait(m_clock.span(cycles));
}

Cycles Memory::refill_cycles(Bytes working_set, bool migrated) const {
  return transfer_cycles(working_set, migrated ? m_config.remote_refill_bytes_per_cycle
                                               : m_config.refill_bytes_per_cycle);
}

}  // namespace vmmsim::devices
