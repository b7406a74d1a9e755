#include "device_tree.hpp"

#include "fdt_writer.hpp"
#include "plic.hpp"
#include "print.hpp"

namespace {

// Nodes that others point to, by these numbers (phandles).
constexpr uint32_t CPU_INTERRUPTS = 1, PLIC = 2;
constexpr uint32_t SUPERVISOR_EXTERNAL_INTERRUPT = 9;

}  // namespace

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
    fdt.begin_node("cpu@0");
    fdt.property("device_type", "cpu");
    fdt.property_u32("reg", 0);
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
    fdt.property_u32("phandle", CPU_INTERRUPTS);
    fdt.end_node();
    fdt.end_node();  // cpu@0
    fdt.end_node();  // cpus

    // The PLIC: its one context is the hart's supervisor-mode external
    // interrupt (cause 9), as `interrupts-extended` says.
    fdt.begin_node("plic@c000000");
    fdt.property("compatible", "sifive,plic-1.0.0\0riscv,plic0", 30);
    fdt.property_u64_pair("reg", machine.plic_base, machine.plic_size);
    fdt.property_u32("#address-cells", 0);
    fdt.property_u32("#interrupt-cells", 1);
    fdt.property("interrupt-controller", nullptr, 0);
    const uint32_t context[] = {CPU_INTERRUPTS, SUPERVISOR_EXTERNAL_INTERRUPT};
    fdt.property_u32s("interrupts-extended", context, 2);
    fdt.property_u32("riscv,ndev", Plic::SOURCES - 1);
    fdt.property_u32("phandle", PLIC);
    fdt.end_node();

    fdt.begin_node("uart@10000000");
    fdt.property("compatible", "ns16550a");
    fdt.property_u64_pair("reg", machine.uart_base, machine.uart_size);
    fdt.property_u32("clock-frequency", 3'686'400);
    fdt.property_u32("interrupt-parent", PLIC);
    fdt.property_u32("interrupts", machine.uart_irq);
    fdt.end_node();

    fdt.begin_node("virtio_mmio@10001000");
    fdt.property("compatible", "virtio,mmio");
    fdt.property_u64_pair("reg", machine.console_base, machine.console_size);
    fdt.property_u32("interrupt-parent", PLIC);
    fdt.property_u32("interrupts", machine.console_irq);
    fdt.end_node();

    fdt.end_node();  // the root
    const size_t size = fdt.finish();
    if (size == 0) PANIC("the guest device tree does not fit in {} bytes", capacity);
    return size;
}
