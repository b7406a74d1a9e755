// Step 07: the catch block. The guest's SBI calls and device accesses trap
// to us; we emulate them and let the guest continue, until Linux prints
// its banner through our UART and runs into something we do not handle yet.
#include <stdint.h>

#include "alloc.hpp"
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

extern "C" char __end[];  // linker.ld: the end of our image, stack included

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
    println("Kernel image file: {} bytes at host {:#x}", end - start, start);
    return {reinterpret_cast<const uint8_t*>(start), end - start};
}

// The heap gets the free RAM above what QEMU loaded, our image and then
// the kernel image file, up to the device tree, which QEMU puts near the
// top of RAM and which we still read. How much RAM there is (QEMU's -m)
// only the device tree can tell.
struct FreeRam {
    uintptr_t begin, end;
};

FreeRam free_ram(uintptr_t device_tree, const ImageFile& image) {
    const void* dtb = reinterpret_cast<const void*>(device_tree);
    const fdt::Property reg = fdt::find_property(dtb, "/memory", "reg");
    if (reg.size != 16) PANIC("the device tree does not say where RAM is (/memory reg)");
    const uint64_t ram_base = fdt::read_be64(reg.data);
    const uint64_t ram_end = ram_base + fdt::read_be64(reg.data + 8);
    println("RAM: {:#x}..{:#x}, {} MiB", ram_base, ram_end, (ram_end - ram_base) >> 20);

    const uintptr_t image_end = reinterpret_cast<uintptr_t>(image.data) + image.size;
    const uintptr_t our_end = reinterpret_cast<uintptr_t>(__end);
    const uintptr_t loaded_end = image_end > our_end ? image_end : our_end;
    const uintptr_t begin = (loaded_end + 0xfff) & ~uintptr_t{0xfff};
    const uintptr_t end = device_tree > begin && device_tree < ram_end ? device_tree : ram_end;
    return {begin, end};
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
                               "earlycon=uart8250,mmio,0x10000000", guest_cpu(host_device_tree)};
    uint8_t* buffer = memory.host_pointer(memlayout::GUEST_DEVICE_TREE, memlayout::DEVICE_TREE_MAX);
    const size_t size = write_guest_device_tree(machine, buffer, memlayout::DEVICE_TREE_MAX);
    println("Device tree for the guest: {} bytes at guest {:#x}", size, memlayout::GUEST_DEVICE_TREE);
    return memlayout::GUEST_DEVICE_TREE;
}

}  // namespace

extern "C" [[noreturn]] void main(unsigned long hart_id, uintptr_t device_tree) {
    println("Hello from the hypervisor!");
    println("hart {}, device tree at {:#x}", hart_id, device_tree);
    const ImageFile image = find_kernel_image(device_tree);
    const FreeRam free = free_ram(device_tree, image);
    heap::init(free.begin, free.end);

    static Uart uart;
    GuestMemory memory;
    memory.add_ram("ram", memlayout::GUEST_RAM_BASE, memlayout::GUEST_RAM_SIZE);
    memory.add_mmio("uart", memlayout::GUEST_UART_BASE, memlayout::GUEST_UART_SIZE, &uart);
    memory.activate();
    memory.print();

    const LoadedKernel kernel = load_linux(memory, image.data, image.size);
    const uint64_t guest_device_tree = place_device_tree(memory, device_tree);

    Vcpu vcpu(kernel.entry, /*hart_id=*/0, guest_device_tree);
    VmExitHandler handler(memory);
    println("Entering the guest at {:#x}", kernel.entry);
    Next next;
    do {
        const VmExit exit = vcpu.run();     // try: enter the guest, until it throws
        next = handler.handle(vcpu, exit);  // catch
    } while (next == Next::Continue);       // continuation: enter it again
    handler.print_statistics();

    println("The guest stopped.");
    power::fail(power::GUEST_STOPPED_EXIT_STATUS);
}
