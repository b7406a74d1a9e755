// The pages of the program's memory: a fixed pool (mem=, 64 MiB by
// default), taken from the hypervisor's heap once, and handed out and
// taken back one 4 KiB page at a time.
//
// The heap is a bump allocator that never frees, which is right for page
// tables and for a kernel's RAM. A program is different: it maps and
// unmaps memory all the time (malloc, free, realloc), and what it gives
// back must be there for it to take again. A free list does that: each
// free page holds the address of the next one.
#pragma once
#include <stddef.h>
#include <stdint.h>

class PagePool {
public:
    // The pool's memory: `pages` pages at `memory` (page-aligned).
    void init(uint8_t* memory, uint64_t pages);

    // A zeroed page, or nullptr when all are in use.
    uint8_t* allocate();
    void free(uint8_t* page);

    uint64_t total() const { return total_; }
    uint64_t in_use() const { return in_use_; }
    uint64_t peak() const { return peak_; }

private:
    struct FreePage {
        FreePage* next;
    };
    FreePage* free_list_ = nullptr;  // pages given back
    uint8_t* fresh_ = nullptr;       // the pages never handed out, from here up
    uint8_t* end_ = nullptr;
    uint64_t total_ = 0, in_use_ = 0, peak_ = 0;
};
