// Step 04: the guest gets a physical address space: RAM backed by host
// memory and mapped in a G-stage page table, and an MMIO region left unmapped.
#include <stdint.h>

#include "alloc.hpp"
#include "fdt.hpp"
#include "guest_memory.hpp"
#include "memlayout.hpp"
#include "power.hpp"
#include "print.hpp"

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

void show_translation(const GuestMemory& memory, uint64_t guest) {
    const gstage::Translation t = memory.page_table().translate(guest);
    const Region* region = memory.find(guest);
    const char* name = region != nullptr ? region->name : "no region";
    if (t.mapped)
        println("  guest {:#010x} -> host {:#010x} ({})", guest, t.host_address, name);
    else
        println("  guest {:#010x} -> not mapped ({})", guest, name);
}

}  // namespace

extern "C" [[noreturn]] void main(unsigned long hart_id, uintptr_t device_tree) {
    println("Hello from the hypervisor!");
    println("hart {}, device tree at {:#x}", hart_id, device_tree);
    const FreeRam free = free_ram(device_tree);
    heap::init(free.begin, free.end);

    GuestMemory memory;
    memory.add_ram("ram", memlayout::GUEST_RAM_BASE, memlayout::GUEST_RAM_SIZE);
    memory.add_mmio("uart", memlayout::GUEST_UART_BASE, memlayout::GUEST_UART_SIZE);
    memory.activate();
    memory.print();
    println("G-stage page table: {} tables, hgatp = {:#x}", memory.page_table().tables(),
            memory.page_table().hgatp());

    println("Translations, by walking the table:");
    const uint64_t samples[] = {0x8000'0000, 0x8020'1234, 0x83ff'ffff,  // RAM
                                0x8400'0000,                            // just past RAM
                                0x1000'0000,                            // the UART
                                0x0};
    for (uint64_t guest : samples) show_translation(memory, guest);

    println("Shutting down.");
    power::shut_down();
}
