#include "alloc.hpp"

#include "mem.hpp"
#include "print.hpp"
#include "spinlock.hpp"

namespace heap {
namespace {

uintptr_t start = 0, next = 0, end = 0;  // the memory given to init(); its first free byte
SpinLock lock;  // for any hart that allocates

uintptr_t align_up(uintptr_t value, size_t alignment) {
    return (value + alignment - 1) & ~(uintptr_t{alignment} - 1);
}

}  // namespace

void init(uintptr_t begin, uintptr_t limit) {
    if (limit < begin) PANIC("heap: no memory to manage ({:#x}..{:#x})", begin, limit);
    start = next = begin;
    end = limit;
}

void* allocate(size_t size, size_t alignment) {
    return memset(allocate_uninitialized(size, alignment), 0, size);
}

void* allocate_uninitialized(size_t size, size_t alignment) {
    if (end == 0) PANIC("heap: allocation before heap::init");
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        PANIC("heap: alignment {} is not a power of two", alignment);

    Locked guard(lock);
    const uintptr_t begin = align_up(next, alignment);
    // Compare sizes, not end addresses, so that a huge size cannot wrap around.
    if (begin > end || size > end - begin)
        PANIC("heap: out of memory: asked for {} bytes (aligned to {}), {} bytes free",
              size, alignment, bytes_free());

    next = begin + size;
    return reinterpret_cast<void*>(begin);
}

size_t bytes_used() { return next - start; }
size_t bytes_free() { return end - next; }

}  // namespace heap

// Global new and delete, so that C++ containers and `new T` work.
void* operator new(size_t size) { return heap::allocate(size); }
void* operator new[](size_t size) { return heap::allocate(size); }
void operator delete(void*) noexcept {}
void operator delete[](void*) noexcept {}
void operator delete(void*, size_t) noexcept {}
void operator delete[](void*, size_t) noexcept {}
