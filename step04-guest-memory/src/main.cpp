// Step 04: the guest gets a physical address space: RAM backed by host
// memory and mapped in a G-stage page table, and an MMIO region left unmapped.
#include <stdint.h>

#include "guest_memory.hpp"
#include "memlayout.hpp"
#include "power.hpp"
#include "print.hpp"

namespace {

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
