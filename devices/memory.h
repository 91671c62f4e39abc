// The VMM's memory as the scheduler sees it: the image area that holds
// loaded scheduler images, and the cache refill charged to a vCPU after a
// context switch. Plain C++: it only computes costs; the caller spends them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "base/units.h"

namespace vmmsim::devices {

struct MemoryConfig {
  Bytes image_area = 0;                     // capacity of the scheduler-image area
  Bytes load_bytes_per_cycle = 0;           // image load bandwidth; 0 = instantaneous
  Cycles load_latency = 0;                  // fixed cost of every image load
  Bytes refill_bytes_per_cycle = 0;         // cache refill on the same pCPU; 0 = free
  Bytes remote_refill_bytes_per_cycle = 0;  // refill after a migration; 0 = free
};

using ImageId = std::uint32_t;

class Memory {
 public:
  explicit Memory(const MemoryConfig& config) : m_config(config) {}

  // Reserves room for an image; nullopt when the free space is smaller than
  // size (the area is accounted by size: fragmentation is not modelled).
  std::optional<ImageId> allocate(Bytes size);
  // Frees an image's room. Releasing an id not allocated is a VMM bug and
  // throws std::logic_error.
  void release(ImageId id);
  Bytes used() const { return m_used; }
  Bytes capacity() const { return m_config.image_area; }

  // ceil(size / load_bytes_per_cycle) + load_latency.
  Cycles load_cycles(Bytes size) const;
  // ceil(working_set / bandwidth), with the remote bandwidth after a migration.
  Cycles refill_cycles(Bytes working_set, bool migrated) const;

  const MemoryConfig& config() const { return m_config; }

 private:
  MemoryConfig m_config;
  std::map<ImageId, Bytes> m_images;
  Bytes m_used = 0;
  ImageId m_next_id = 1;
};

}  // namespace vmmsim::devices
