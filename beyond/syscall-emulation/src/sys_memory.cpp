// The memory calls: brk, mmap, munmap, mremap, mprotect, madvise. They
// reserve, move and free areas of the program's address space
// (guest_memory.hpp); pages get memory when first touched.
//
// How much the program may ask for: like Linux's default (heuristic
// overcommit), one request larger than all the memory it may have (mem=)
// fails with ENOMEM at once; others are granted, and if the pages then
// run out, the program is killed (SIGKILL), as Linux's OOM killer would.
#include "linux.hpp"
#include "memlayout.hpp"
#include "process.hpp"
#include "user_memory.hpp"

using namespace linux;
using memlayout::PAGE_SIZE;

namespace {

constexpr long ENODEV = 19, EACCES = 13;

bool aligned(uint64_t address) { return address % PAGE_SIZE == 0; }

// Round up to whole pages; false if that wraps around.
bool page_up(uint64_t value, uint64_t& rounded) {
    rounded = (value + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    return rounded >= value;
}

uint64_t memory_limit(const Process& p) { return p.memory.pool().total() * PAGE_SIZE; }

// Where a mapping may be: below the stack, above the null page.
bool in_user_range(uint64_t start, uint64_t end) {
    return start >= memlayout::PROGRAM_BASE && start < end &&
           end <= memlayout::STACK_TOP - memlayout::STACK_SIZE;
}

long brk(Process& p, uint64_t requested) {
    uint64_t old_end, new_end;
    page_up(p.brk, old_end);
    if (requested < p.brk_start || requested > memlayout::PROGRAM_END || !page_up(requested, new_end))
        return static_cast<long>(p.brk);  // refused: Linux answers with the brk unchanged
    if (new_end > old_end) {
        if (new_end - p.brk_start > memory_limit(p) || !p.memory.is_free(old_end, new_end) ||
            !p.memory.add(old_end, new_end, prot::READ | prot::WRITE, area::HEAP))
            return static_cast<long>(p.brk);
    } else if (new_end < old_end) {
        p.memory.remove(new_end, old_end);
    }
    p.brk = requested;
    return static_cast<long>(p.brk);
}

long mmap(Process& p, const Arguments& a) {
    const uint64_t address = a.a[0], length = a.a[1], protection = a.a[2], flags = a.a[3];
    const uint64_t type = flags & (MAP_SHARED | MAP_PRIVATE);
    if (length == 0 || (protection & ~7ull) || type == 0 || type == (MAP_SHARED | MAP_PRIVATE))
        return -EINVAL;
    uint64_t size;
    if (!page_up(length, size) || size > memory_limit(p)) return -ENOMEM;

    // A file: its bytes are copied in (a private copy, as MAP_PRIVATE
    // promises; MAP_SHARED only if it cannot be written).
    const Descriptor* file = nullptr;
    if (!(flags & MAP_ANONYMOUS)) {
        const uint64_t fd = a.a[4];
        if (fd >= Process::MAX_FILES || p.fds[fd].kind == Descriptor::Kind::Closed) return -EBADF;
        file = &p.fds[fd];
        if (file->kind != Descriptor::Kind::File || FileSystem::is_directory(*file->node)) return -ENODEV;
        if (!aligned(a.a[5])) return -EINVAL;
        if (type == MAP_SHARED && (protection & prot::WRITE)) return -EACCES;  // opened read-only
    }

    uint64_t start;
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        start = address;
        if (!aligned(start)) return -EINVAL;
        if (!in_user_range(start, start + size)) return -ENOMEM;
        if (!p.memory.is_free(start, start + size)) {
            if (!(flags & MAP_FIXED)) return -EEXIST;
            p.memory.remove(start, start + size);  // MAP_FIXED replaces what was there
        }
    } else {  // the address is a hint: we pick our own, from the top down
        start = p.memory.find_free(size, memlayout::MMAP_BASE, memlayout::MMAP_END);
        if (start == 0) return -ENOMEM;
    }
    if (!p.memory.add(start, start + size, static_cast<uint32_t>(protection), area::MMAP))
        return -ENOMEM;
    if (file != nullptr) {
        const uint64_t offset = a.a[5];
        const uint64_t left = offset < file->node->size ? file->node->size - offset : 0;
        const uint64_t n = left < length ? left : length;
        // We write into it ourselves, whatever the protection the program asked for.
        const uint32_t asked = static_cast<uint32_t>(protection);
        p.memory.protect(start, start + size, prot::READ | prot::WRITE);
        const bool copied = user::write(p.memory, start, file->node->data + offset, n);
        p.memory.protect(start, start + size, asked);
        if (!copied) {
            p.memory.remove(start, start + size);
            return -ENOMEM;
        }
    }
    return static_cast<long>(start);
}

long munmap(Process& p, uint64_t address, uint64_t length) {
    uint64_t end;
    if (!aligned(address) || length == 0 || !page_up(address + length, end) || end < address)
        return -EINVAL;
    p.memory.remove(address, end);
    return 0;
}

long mprotect(Process& p, uint64_t address, uint64_t length, uint64_t protection) {
    uint64_t end;
    if (!aligned(address) || (protection & ~7ull)) return -EINVAL;
    if (length == 0) return 0;
    if (!page_up(address + length, end) || end < address) return -ENOMEM;
    return p.memory.protect(address, end, static_cast<uint32_t>(protection)) ? 0 : -ENOMEM;
}

long mremap(Process& p, const Arguments& a) {
    const uint64_t old = a.a[0], old_length = a.a[1], new_length = a.a[2], flags = a.a[3];
    if (!aligned(old) || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) || new_length == 0 ||
        old_length == 0)
        return -EINVAL;
    if (flags & MREMAP_FIXED) return -EINVAL;  // moving to a given place: not emulated
    uint64_t old_end, old_size, new_size;
    if (!page_up(old + old_length, old_end) || old_end < old || !page_up(new_length, new_size))
        return -EINVAL;
    old_size = old_end - old;
    if (!p.memory.one_area(old, old_end)) return -EFAULT;
    if (new_size <= old_size) {  // shrinking: stays where it is
        if (new_size < old_size) p.memory.remove(old + new_size, old_end);
        return static_cast<long>(old);
    }
    if (new_size > memory_limit(p)) return -ENOMEM;
    // Grow in place if the pages after it are free, in the same window.
    const uint64_t window_end = old < memlayout::PROGRAM_END ? memlayout::PROGRAM_END
                                : old < memlayout::MMAP_END  ? memlayout::MMAP_END
                                                             : old_end;
    if (new_size <= window_end - old && p.memory.is_free(old_end, old + new_size)) {
        p.memory.resize(old_end, old + new_size);
        return static_cast<long>(old);
    }
    if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
    const uint64_t to = p.memory.find_free(new_size, memlayout::MMAP_BASE, memlayout::MMAP_END);
    if (to == 0) return -ENOMEM;
    p.memory.move(old, old_end, to);  // the pages move, not their bytes
    p.memory.resize(to + old_size, to + new_size);
    return static_cast<long>(to);
}

long madvise(Process& p, uint64_t address, uint64_t length, uint64_t advice) {
    uint64_t end;
    if (!aligned(address) || !page_up(address + length, end) || end < address) return -EINVAL;
    if (advice == MADV_DONTNEED) p.memory.discard(address, end);  // reads as zeros again
    return 0;  // the other advice changes nothing here
}

}  // namespace

bool is_memory_call(uint64_t number) {
    switch (number) {
        case BRK: case MMAP: case MUNMAP: case MPROTECT: case MREMAP: case MADVISE: return true;
        default: return false;
    }
}

long sys_memory(Process& p, uint64_t number, const Arguments& a) {
    switch (number) {
        case BRK: return brk(p, a.a[0]);
        case MMAP: return mmap(p, a);
        case MUNMAP: return munmap(p, a.a[0], a.a[1]);
        case MPROTECT: return mprotect(p, a.a[0], a.a[1], a.a[2]);
        case MREMAP: return mremap(p, a);
        case MADVISE: return madvise(p, a.a[0], a.a[1], a.a[2]);
        default: return -ENOSYS;
    }
}
