// pCPUs ordered by a key the policy compares when it looks for a victim
// (bvt: its owner's evt, rtds: its owner's level and deadline, ...): an
// indexed binary heap, so that a wake finds the victim in O(log pCPUs)
// instead of scanning every pCPU. Equal keys are ordered by pCPU number, the
// order of the scans it replaces ("the first pCPU with the largest evt").
//
// `Before(a, b)` is a strict weak order on keys: a comes first. No
// allocation after construction.
#pragma once

#include "schedulers/indexed_heap.h"

namespace vmmsim::sched {

template <class Key, class Before>
using CpuHeap = IndexedHeap<Key, Before, 2>;

}  // namespace vmmsim::sched
