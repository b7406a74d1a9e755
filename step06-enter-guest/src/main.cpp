// Step 06: enter the guest. The kernel runs in VS-mode until its first
// VM exit, which we report before stopping.
#include <stdint.h>

#include "fdt.hpp"
#include "guest_memory.hpp"
#include "linux_loader.hpp"
#include "memlayout.hpp"
#include "power.hpp"
#include "print.hpp"
#include "trap.hpp"
#include "vcpu.hpp"

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

void report(const VmExit& exit) {
    println("VM exit: {} (scause {:#x})", trap::name(exit.scause), exit.scause);
    println("  guest pc {:#x}, stval {:#x}, htval {:#x} (guest physical {:#x}), htinst {:#x}",
            exit.sepc, exit.stval, exit.htval, exit.guest_physical_address(), exit.htinst);
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

    const ImageFile image = find_kernel_image(device_tree);
    const LoadedKernel kernel = load_linux(memory, image.data, image.size);

    // No device tree for the guest yet: Linux will fault trying to read one.
    Vcpu vcpu(kernel.entry, /*hart_id=*/0, /*device_tree=*/0);
    println("Entering the guest at {:#x}", kernel.entry);
    const VmExit exit = vcpu.run();
    report(exit);

    println("Shutting down.");
    power::shut_down();
}
