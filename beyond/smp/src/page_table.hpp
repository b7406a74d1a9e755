// The G-stage page table: how guest physical addresses become host ones.
//
// In guest mode the MMU translates twice: the guest's own page table turns
// a guest virtual address into a guest physical one (VS-stage), then this
// table turns the guest physical address into a host physical one
// (G-stage). An address this table does not map makes the access trap to
// the hypervisor: a guest page fault, which is how we emulate devices and
// keep the guest in its box.
//
// Format: Sv39x4. Like Sv39 (three levels, 4 KiB pages) but the root
// level has four times as many entries (2048), covering a 41-bit guest
// physical space, so the root table is 16 KiB and must be 16 KiB aligned.
//
// This file is plain logic (no CSRs), also compiled and tested on the host.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gstage {

inline constexpr uint64_t PAGE_SIZE = 4096;
inline constexpr size_t ROOT_ENTRIES = 2048;  // the "x4" of Sv39x4
inline constexpr size_t ENTRIES = 512;
inline constexpr int LEVELS = 3;

// Page table entry bits.
enum Pte : uint64_t {
    VALID = 1 << 0,
    READ = 1 << 1,
    WRITE = 1 << 2,
    EXECUTE = 1 << 3,
    USER = 1 << 4,  // G-stage leaves must have U: guest accesses count as user ones
    ACCESSED = 1 << 6,
    DIRTY = 1 << 7,
};
inline constexpr uint64_t RWX = READ | WRITE | EXECUTE;

// The hypervisor gets table memory from its heap; host tests supply their own.
// Must return zeroed memory aligned to its size (16 KiB root, 4 KiB others).
void* allocate_table(size_t bytes);

// The result of a walk: the host address, or where and why it stopped.
struct Translation {
    bool mapped;
    uint64_t host_address;  // valid when mapped
    uint64_t flags;         // leaf PTE flags when mapped
};

class PageTable {
public:
    PageTable();

    // Map one 4 KiB page: guest physical `guest` -> host physical `host`.
    void map_page(uint64_t guest, uint64_t host, uint64_t flags);
    // Map `size` bytes (multiples of 4 KiB).
    void map(uint64_t guest, uint64_t host, uint64_t size, uint64_t flags);

    // Walk the table as the hardware would.
    Translation translate(uint64_t guest) const;

    // The value for the hgatp CSR: mode Sv39x4, VMID 0, root table.
    uint64_t hgatp() const;

    uint64_t* root() const { return root_; }
    size_t tables() const { return tables_; }

private:
    uint64_t* root_;
    size_t tables_ = 1;
};

}  // namespace gstage
