// A bump allocator: the simplest heap there is.
//
// Allocation moves a pointer forward through the heap's memory; freeing
// does nothing. A hypervisor allocates its page tables and guest memory
// once, at boot, and keeps them for ever, so nothing is lost.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace heap {

// Give the heap its memory, [begin, end): once, before the first allocation.
void init(uintptr_t begin, uintptr_t end);

// Returns `size` bytes aligned to `alignment` (a power of two), zeroed.
// Panics, naming the request, when the heap cannot satisfy it.
void* allocate(size_t size, size_t alignment = 16);
// The same, but not zeroed: for memory the caller fills itself, or that
// may keep whatever it holds (see GuestMemory::add_ram).
void* allocate_uninitialized(size_t size, size_t alignment);

size_t bytes_used();
size_t bytes_free();

}  // namespace heap

// Placement new: construct an object in memory we already have. (The
// standard <new> header needs a hosted C library, so we declare our own.)
inline void* operator new(size_t, void* where) noexcept { return where; }
