#include "device_tree.hpp"

#include "fdt_writer.hpp"
#include "print.hpp"

size_t write_guest_device_tree(const GuestMachine& machine, uint8_t* buffer, size_t capacity) {
    FdtWriter fdt(buffer, capacity);
    fdt.begin_node("");  // the root
    fdt.property_u32("#address-cells", 2);
    fdt.property_u32("#size-cells", 2);
    fdt.property("compatible", "riscv-virtio");
    fdt.property("model", "riscv-hypervisor-cpp guest");

    fdt.begin_node("chosen");
    fdt.property("bootargs", machine.bootargs);
    fdt.end_node();

    fdt.begin_node("memory@80000000");
    fdt.property("device_type", "memory");
    fdt.property_u64_pair("reg", machine.ram_base, machine.ram_size);
    fdt.end_node();

    fdt.begin_node("cpus");
    fdt.property_u32("#address-cells", 1);
    fdt.property_u32("#size-cells", 0);
    fdt.property_u32("timebase-frequency", 10'000'000);  // QEMU virt's `time` ticks at 10 MHz
    for (unsigned hart = 0; hart < 10; hart++) {  // one digit in the node's name
        if (!(machine.harts >> hart & 1)) continue;
        char name[] = "cpu@0";
        name[4] = static_cast<char>('0' + hart);
        fdt.begin_node(name);
        fdt.property("device_type", "cpu");
        fdt.property_u32("reg", hart);
        fdt.property("status", "okay");
        fdt.property("compatible", "riscv");
        // The extensions, as Linux 6.12 reads them (a base and a list), and as
        // one string for older kernels (Linux 6.1).
        fdt.property("riscv,isa-base", "rv64i");
        fdt.property("riscv,isa-extensions", machine.isa.extensions, machine.isa.extensions_size);
        fdt.property("riscv,isa", machine.isa.string);
        fdt.property("mmu-type", "riscv,sv39");
        fdt.begin_node("interrupt-controller");
        fdt.property_u32("#interrupt-cells", 1);
        fdt.property("interrupt-controller", nullptr, 0);
        fdt.property("compatible", "riscv,cpu-intc");
        fdt.end_node();
        fdt.end_node();  // cpu@N
    }
    fdt.end_node();  // cpus

    fdt.begin_node("uart@10000000");
    fdt.property("compatible", "ns16550a");
    fdt.property_u64_pair("reg", machine.uart_base, machine.uart_size);
    fdt.property_u32("clock-frequency", 3'686'400);
    fdt.end_node();

    fdt.end_node();  // the root
    const size_t size = fdt.finish();
    if (size == 0) PANIC("the guest device tree does not fit in {} bytes", capacity);
    return size;
}
