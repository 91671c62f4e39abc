// The VMM's memory (DESIGN.md §3), a SystemC module: the scheduler-image
// area, a region at a base address that holds loaded scheduler images at
// addresses of their own, and the cache refill charged to a vCPU after a
// context switch.
//
// The image area is allocated first fit, in address order. Fragmentation
// is not modelled: room is counted in bytes, and when the free bytes suffice
// but no hole is large enough the images are slid down to the base
// (compaction, at no modelled cost) before the new one is placed. So a load
// fits exactly when its size is at most capacity() - used().
// A load is a transfer into the area at the configured bandwidth plus a
// latency (transfer(), blocking the calling thread for load_cycles()).
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include <systemc>

#include "base/units.h"
#include "report/vcd_writer.h"
#include "sim/cycle_clock.h"

namespace vmmsim::devices {

using Address = std::uint64_t;

struct MemoryConfig {
  Bytes image_area = 0;                     // capacity of the scheduler-image area
  Bytes load_bytes_per_cycle = 0;           // image load bandwidth; 0 = instantaneous
  Cycles load_latency = 0;                  // fixed cost of every image load
  Bytes refill_bytes_per_cycle = 0;         // cache refill on the same pCPU; 0 = free
  Bytes remote_refill_bytes_per_cycle = 0;  // refill after a migration; 0 = free
  Address image_base = 0x0100'0000;         // where the image area starts (16 MiB)
};

using ImageId = std::uint32_t;

class Memory : public sc_core::sc_module {
 public:
  report::VcdSignal image_bytes_trace;  // bytes of the image area in use, traced (--vcd)

  Memory(sc_core::sc_module_name name, const CycleClock& clock, const MemoryConfig& config);

  // Reserves room for an image at the lowest address with a hole of `size`
  // bytes (after compaction if need be); nullopt when the free bytes are
  // fewer than `size`.
  std::optional<ImageId> allocate(Bytes size);
  // Frees an image's room. Releasing an id not allocated is a VMM bug and
  // throws std::logic_error.
  void release(ImageId id);
  Bytes used() const { return m_used; }
  Bytes capacity() const { return m_config.image_area; }
  Address image_base() const { return m_config.image_base; }
  // Where an allocated image starts now (compaction may move it) and its size.
  Address address(ImageId id) const;
  Bytes size(ImageId id) const { return m_images.at(id).size; }
  bool holds(ImageId id) const { return m_images.count(id) != 0; }
  // Allocations that had to compact the area first.
  std::uint64_t compactions() const { return m_compactions; }

  // ceil(size / load_bytes_per_cycle) + load_latency.
  Cycles load_cycles(Bytes size) const;
  // Transfers the image's bytes into its room: waits load_cycles(size(id))
  // in the calling SystemC thread (at most to the clock's horizon).
  void transfer(ImageId id) { transfer(id, load_cycles(size(id))); }
  // The same from a source that takes `cycles` (an image server: its own
  // bandwidth and latency, config::load_cycles).
  void transfer(ImageId id, Cycles cycles);
  // ceil(working_set / bandwidth), with the remote bandwidth after a migration.
  Cycles refill_cycles(Bytes working_set, bool migrated) const;

  const MemoryConfig& config() const { return m_config; }

 private:
  struct Image {
    Address offset = 0;  // from image_base
    Bytes size = 0;
  };
  std::optional<Address> first_fit(Bytes size) const;
  void compact();

  const CycleClock& m_clock;
  MemoryConfig m_config;
  std::map<ImageId, Image> m_images;
  std::map<Address, ImageId> m_by_offset;  // the area in address order
  Bytes m_used = 0;
  ImageId m_next_id = 1;
  std::uint64_t m_compactions = 0;
};

}  // namespace vmmsim::devices
