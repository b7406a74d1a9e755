// The program's memory: the areas of its address space (its segments, its
// brk heap, its stack, what it mmaps), and the pages behind them.
//
// As in final/, the G-stage page table decides what the guest can touch:
// a page it maps, the program reads and writes at full speed; anything
// else traps to us. But there is no guest kernel to manage memory here, so
// we are the program's memory manager, as Linux is. An area is reserved
// (mmap, brk, the stack) without memory behind it; a page gets its memory
// from the pool when the program first touches it: the access traps (a
// guest-page fault), we populate the page, and the program's instruction
// runs again, as if nothing had happened. A catch and a continuation, with
// a retry. An access that no area allows is the program's bug: SIGSEGV.
#pragma once
#include <stdint.h>

#include "page_pool.hpp"
#include "page_table.hpp"
#include "vector.hpp"

// What the program may do with an area (mmap's PROT_* bits).
namespace prot {
inline constexpr uint32_t NONE = 0;
inline constexpr uint32_t READ = 1;
inline constexpr uint32_t WRITE = 2;
inline constexpr uint32_t EXEC = 4;
}  // namespace prot

// Area names, compared by address: one array each, the same in every file.
namespace area {
inline constexpr char PROGRAM[] = "program";
inline constexpr char HEAP[] = "heap";
inline constexpr char MMAP[] = "mmap";
inline constexpr char STACK[] = "stack";
}  // namespace area

struct Area {
    uint64_t start, end;  // page-aligned; end excluded
    uint32_t prot;        // prot::READ | ...
    const char* name;     // "program", "heap", "mmap", "stack": for reports

    bool contains(uint64_t address) const { return address - start < end - start; }
};

class GuestMemory {
public:
    // The program may have `pool_bytes` of memory in all.
    explicit GuestMemory(uint64_t pool_bytes);

    // Make the hart use our G-stage table (write hgatp, flush old translations).
    void activate() const;

    // Reserve [start, end) (page-aligned, free: see is_free) for `prot`.
    // Nothing is populated yet. False if there are too many areas already.
    bool add(uint64_t start, uint64_t end, uint32_t prot, const char* name);
    // Is nothing reserved anywhere in [start, end)?
    bool is_free(uint64_t start, uint64_t end) const;
    // The highest free range of `size` bytes in [low, high), or 0 if none.
    uint64_t find_free(uint64_t size, uint64_t low, uint64_t high) const;
    // The area holding `address`, or nullptr.
    const Area* find(uint64_t address) const;

    // munmap: forget [start, end), and give its pages back.
    void remove(uint64_t start, uint64_t end);
    // mprotect: false (and nothing changed) if part of [start, end) is not reserved.
    bool protect(uint64_t start, uint64_t end, uint32_t prot);
    // madvise(MADV_DONTNEED): give back the pages, keep the areas: they read as zeros again.
    void discard(uint64_t start, uint64_t end);
    // Is [start, end) inside one area?
    bool one_area(uint64_t start, uint64_t end) const;
    // mremap, brk: the area holding `end - 1` now ends at `new_end` (cut at
    // `end` first). Growing, [end, new_end) must be free; shrinking gives
    // the pages back.
    void resize(uint64_t end, uint64_t new_end);
    // mremap: move [start, end) (inside one area) to `to`, a free range. The
    // pages move with it: only their page table entries change, not a byte
    // is copied.
    void move(uint64_t start, uint64_t end, uint64_t to);

    // Every pointer the program gives us goes through these two.
    //
    // May the program `access` (prot::READ or WRITE) every byte of
    // [address, address + size)? Nothing is populated.
    bool accessible(uint64_t address, uint64_t size, uint32_t access) const;
    // Where the program's byte at `address` lives in our memory, if the
    // program may `access` it, its page populated if need be; nullptr if it
    // may not (or the pool is empty: see out_of_memory).
    uint8_t* host_address(uint64_t address, uint32_t access);

    // A guest-page fault at `address`, for `access` (READ, WRITE or EXEC):
    // true if populating its page lets the program go on.
    bool fault(uint64_t address, uint32_t access);

    // Empty again, for the next program: every area gone, its pages back in
    // the pool (the page tables stay, for the next one's same addresses).
    // With `keep_sealed`, the sealed areas stay, pages and all.
    void reset(bool keep_sealed);

    // Sealed: an area whose bytes are the program file's and cannot have
    // changed since (its code, its read-only data). The next run of the
    // same program finds it in place, and QEMU keeps the code it
    // translated from it: to QEMU, writing a page throws away what it
    // translated there, and loading it again would. Any change to a sealed
    // area (mprotect, munmap, mremap, madvise) unseals it.
    void seal(uint64_t start, uint64_t end);
    bool sealed(uint64_t start, uint64_t end) const;

    // The program wanted a page and the pool had none left.
    bool out_of_memory() const { return out_of_memory_; }
    const PagePool& pool() const { return pool_; }
    size_t areas() const { return areas_.size(); }
    void print() const;

    // Linux's vm.max_map_count is 65530; ours is smaller: each area costs
    // us heap, which is never given back.
    static constexpr size_t MAX_AREAS = 4096;

private:
    void unseal(uint64_t start, uint64_t end);   // [start, end) is changing
    void split_at(uint64_t address);         // cut the area holding it in two there
    uint8_t* populate(uint64_t page, uint32_t prot);
    void release(uint64_t start, uint64_t end);  // give back the pages of [start, end)
    size_t index_of(uint64_t address) const;     // the first area that ends above address

    Vector<Area> areas_;  // sorted, never overlapping
    gstage::PageTable table_;
    PagePool pool_;
    bool out_of_memory_ = false;
    struct Range {
        uint64_t start, end;
    };
    Range sealed_[8];  // a program has a few segments
    size_t sealed_count_ = 0;
};
