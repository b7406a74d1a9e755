// Step 03: the hypervisor gets a heap: `new`, and a growable Vector.
#include <stdint.h>

#include "alloc.hpp"
#include "power.hpp"
#include "print.hpp"
#include "vector.hpp"

namespace {

struct Region {
    const char* name;
    uint64_t base;
    uint64_t size;
};

}  // namespace

extern "C" [[noreturn]] void main(unsigned long hart_id, uintptr_t device_tree) {
    println("Hello from the hypervisor!");
    println("hart {}, device tree at {:#x}", hart_id, device_tree);
    println("heap: {} KiB free", heap::bytes_free() / 1024);

    int* answer = new int(42);
    println("new int(42) -> {} at {}", *answer, static_cast<const void*>(answer));

    Vector<uint64_t> squares;
    for (uint64_t i = 1; i <= 100; i++) squares.push_back(i * i);
    uint64_t sum = 0;
    for (uint64_t square : squares) sum += square;
    println("Vector: {} squares, sum {}, last {}", squares.size(), sum, squares[99]);

    Vector<Region> regions;
    regions.push_back({"firmware", 0x80000000, 0x200000});
    regions.push_back({"hypervisor", 0x80200000, 0x200000});
    for (const Region& r : regions)
        println("  {:10} {:#x}..{:#x}", r.name, r.base, r.base + r.size);

    println("heap: {} bytes used", heap::bytes_used());

#ifdef DEMO_OUT_OF_MEMORY
    // Built with `make BUILD=build/oom DEFINES=-DDEMO_OUT_OF_MEMORY`: allocate until it fails.
    for (;;) heap::allocate(16 * 1024 * 1024);
#endif

    println("Shutting down.");
    power::shut_down();
}
