// The life of a hypervisor: prepare guest memory, load the boot image,
// initialise the vCPU, then enter the guest and handle its exits until it
// is done. Virtualization as a try/catch with continuation.
#include <stdint.h>

#include "device_tree.hpp"
#include "fdt.hpp"
#include "guest_memory.hpp"
#include "linux_loader.hpp"
#include "memlayout.hpp"
#include "power.hpp"
#include "print.hpp"
#include "uart.hpp"
#include "vcpu.hpp"
#include "vmexit.hpp"

extern "C" char __heap_end[];  // linker.ld

namespace {

struct ImageFile {
    const uint8_t* data;
    size_t size;
};

// QEMU loads the file given with -initrd into RAM and says where in our
// device tree; `make run` passes the guest kernel that way.
ImageFile find_kernel_image(uintptr_t device_tree) {
    const void* dtb = reinterpret_cast<const void*>(device_tree);
    if (!fdt::valid(dtb)) PANIC("no valid device tree at {:#x}", device_tree);
    const uint64_t start = fdt::find_property(dtb, "/chosen", "linux,initrd-start").as_number();
    const uint64_t end = fdt::find_property(dtb, "/chosen", "linux,initrd-end").as_number();
    if (start == 0)
        PANIC("no kernel image: start QEMU with -initrd <Image> (make run does, KERNEL= picks the file)");
    if (end <= start) PANIC("the kernel image file is empty (0 bytes)");
    if (start < reinterpret_cast<uintptr_t>(__heap_end))
        PANIC("QEMU put the kernel image at {:#x}, inside our heap: give QEMU -m 256M or more", start);
    println("Kernel image file: {} bytes at host {:#x}", end - start, start);
    return {reinterpret_cast<const uint8_t*>(start), end - start};
}

// The guest's kernel command line: QEMU's -append if one was given (it
// lands in our own device tree), else a console on the SBI.
const char* guest_bootargs(uintptr_t device_tree) {
    const auto given = fdt::find_property(reinterpret_cast<const void*>(device_tree), "/chosen",
                                          "bootargs");
    if (given.found() && given.size > 1) return reinterpret_cast<const char*>(given.data);
    return "console=hvc0 earlycon=sbi";
}

// The guest's CPU: the extensions our own (host) device tree lists, as
// far as we let the guest use them.
GuestIsa guest_cpu(uintptr_t device_tree) {
    const auto isa = fdt::find_property(reinterpret_cast<const void*>(device_tree), "/cpus/cpu",
                                        "riscv,isa");
    if (!isa.found()) PANIC("our device tree does not say which extensions the CPU has");
    return guest_isa(reinterpret_cast<const char*>(isa.data));
}

// Describe the machine to the guest, in its RAM, where a1 will point.
uint64_t place_device_tree(GuestMemory& memory, uintptr_t host_device_tree) {
    const GuestMachine machine{memlayout::GUEST_RAM_BASE, memlayout::GUEST_RAM_SIZE,
                               memlayout::GUEST_UART_BASE, memlayout::GUEST_UART_SIZE,
                               guest_bootargs(host_device_tree), guest_cpu(host_device_tree)};
    uint8_t* buffer = memory.host_pointer(memlayout::GUEST_DEVICE_TREE, memlayout::DEVICE_TREE_MAX);
    write_guest_device_tree(machine, buffer, memlayout::DEVICE_TREE_MAX);
    return memlayout::GUEST_DEVICE_TREE;
}

}  // namespace

extern "C" [[noreturn]] void main(unsigned long hart_id, uintptr_t device_tree) {
    println("Hello from the hypervisor!");
    println("hart {}, device tree at {:#x}", hart_id, device_tree);

    // 1. Prepare guest memory: RAM, and a device that is not really there.
    static Uart uart;
    GuestMemory memory;
    memory.add_ram("ram", memlayout::GUEST_RAM_BASE, memlayout::GUEST_RAM_SIZE);
    memory.add_mmio("uart", memlayout::GUEST_UART_BASE, memlayout::GUEST_UART_SIZE, &uart);
    memory.activate();
    memory.print();

    // 2. Load the boot image, and describe the machine to it.
    const ImageFile image = find_kernel_image(device_tree);
    const LoadedKernel kernel = load_linux(memory, image.data, image.size);
    const uint64_t guest_device_tree = place_device_tree(memory, device_tree);

    // 3. Initialise the vCPU as Linux expects it.
    Vcpu vcpu(kernel.entry, /*hart_id=*/0, guest_device_tree);
    VmExitHandler handler(memory);
    println("Entering the guest at {:#x}", kernel.entry);

    // 4. try { run the guest } catch (VM exit) { handle it }, and continue.
    Next next;
    do {
        const VmExit exit = vcpu.run();
        next = handler.handle(vcpu, exit);
    } while (next == Next::Continue);

    // 5. The guest is done (or misbehaved): report, and end the machine.
    handler.print_statistics();
    if (next == Next::PowerOff) power::shut_down();
    println("The guest stopped.");
    power::fail(power::GUEST_STOPPED_EXIT_STATUS);
}
