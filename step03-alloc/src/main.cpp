// Step 03: the hypervisor gets a heap: `new`, and a growable Vector.
#include <stdint.h>

#include "alloc.hpp"
#include "fdt.hpp"
#include "power.hpp"
#include "print.hpp"
#include "vector.hpp"

extern "C" char __end[];  // linker.ld: the end of our image, stack included

namespace {

// The heap gets the free RAM above us: from the end of our image up to the
// device tree, which QEMU puts near the top of RAM and which we still read.
// How much RAM there is (QEMU's -m) only the device tree can tell.
struct FreeRam {
    uintptr_t begin, end;
};

FreeRam free_ram(uintptr_t device_tree) {
    const void* dtb = reinterpret_cast<const void*>(device_tree);
    if (!fdt::valid(dtb)) PANIC("no valid device tree at {:#x}", device_tree);
    const fdt::Property reg = fdt::find_property(dtb, "/memory", "reg");
    if (reg.size != 16) PANIC("the device tree does not say where RAM is (/memory reg)");
    const uint64_t ram_base = fdt::read_be64(reg.data);
    const uint64_t ram_end = ram_base + fdt::read_be64(reg.data + 8);
    println("RAM: {:#x}..{:#x}, {} MiB", ram_base, ram_end, (ram_end - ram_base) >> 20);

    const uintptr_t begin = reinterpret_cast<uintptr_t>(__end);
    const uintptr_t end = device_tree > begin && device_tree < ram_end ? device_tree : ram_end;
    return {begin, end};
}

struct Region {
    const char* name;
    uint64_t base;
    uint64_t end;
};

}  // namespace

extern "C" [[noreturn]] void main(unsigned long hart_id, uintptr_t device_tree) {
    println("Hello from the hypervisor!");
    println("hart {}, device tree at {:#x}", hart_id, device_tree);
    const FreeRam free = free_ram(device_tree);
    heap::init(free.begin, free.end);
    println("heap: {:#x}..{:#x}, {} KiB free", free.begin, free.end, heap::bytes_free() / 1024);

    int* answer = new int(42);
    println("new int(42) -> {} at {}", *answer, static_cast<const void*>(answer));

    Vector<uint64_t> squares;
    for (uint64_t i = 1; i <= 100; i++) squares.push_back(i * i);
    uint64_t sum = 0;
    for (uint64_t square : squares) sum += square;
    println("Vector: {} squares, sum {}, last {}", squares.size(), sum, squares[99]);

    Vector<Region> regions;
    regions.push_back({"firmware", 0x80000000, 0x80200000});
    regions.push_back({"hypervisor", 0x80200000, reinterpret_cast<uintptr_t>(__end)});
    regions.push_back({"heap", free.begin, free.end});
    for (const Region& r : regions) println("  {:10} {:#x}..{:#x}", r.name, r.base, r.end);

    println("heap: {} bytes used", heap::bytes_used());

#ifdef DEMO_OUT_OF_MEMORY
    // Built with `make BUILD=build/oom DEFINES=-DDEMO_OUT_OF_MEMORY`: allocate until it fails.
    for (;;) heap::allocate(16 * 1024 * 1024);
#endif

    println("Shutting down.");
    power::shut_down();
}
