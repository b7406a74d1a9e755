// The life of a hypervisor: prepare guest memory, load the boot image,
// initialise the vCPU, then enter the guest and handle its exits until it
// is done. Virtualization as a try/catch with continuation.
#include <stdint.h>

#include "alloc.hpp"
#include "control.hpp"
#include "device_tree.hpp"
#include "fdt.hpp"
#include "guest_memory.hpp"
#include "host_console.hpp"
#include "linux_loader.hpp"
#include "mem.hpp"
#include "memlayout.hpp"
#include "options.hpp"
#include "plic.hpp"
#include "power.hpp"
#include "print.hpp"
#include "sandbox.hpp"
#include "uart.hpp"
#include "vcpu.hpp"
#include "virtio_console.hpp"
#include "vmexit.hpp"
#include "watchdog.hpp"

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

// QEMU puts the kernel image file where it likes: 128 MiB into RAM (QEMU
// 7.2) or half-way up (QEMU 10), in the middle of the RAM a large guest
// needs. Slide it down, next to our own image, so that all RAM above it is
// one free range.
ImageFile move_next_to_us(const ImageFile& image) {
    auto* to = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(__end) + 0xfff) & ~0xfffull);
    memmove(to, image.data, image.size);
    return {to, image.size};
}

// The heap gets the free RAM above what QEMU loaded, our image and then
// the kernel image file, up to the end of RAM: call it once everything
// needed from the device tree has been read, for QEMU puts the device
// tree below 3 GiB, in the way of a large guest. How much RAM there is
// (QEMU's -m) only the device tree can tell.
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
    return {begin, ram_end};
}

// Our options and the guest's kernel command line, from QEMU's -append
// (it lands in our own device tree): see options.hpp.
Options boot_options(uintptr_t device_tree) {
    static char text[1024];
    const auto given = fdt::find_property(reinterpret_cast<const void*>(device_tree), "/chosen",
                                          "bootargs");
    if (given.size > sizeof text) PANIC("QEMU's -append is over {} bytes long", sizeof text - 1);
    memcpy(text, given.data, given.size);  // with its '\0' (nothing if there is none)
    const Options options = parse_options(text);
    if (options.error != nullptr) PANIC("-append: '{}': {}", options.bad_word, options.error);
    return options;
}

// The guest's RAM: mem= if given, else 64 MiB. Whole 2 MiB pages, and
// room for a kernel (at 2 MiB) and its device tree (2 MiB below the top).
uint64_t guest_ram_size(const Options& options) {
    const uint64_t size = options.guest_ram != 0 ? options.guest_ram : memlayout::DEFAULT_GUEST_RAM_SIZE;
    if (size % memlayout::MEGAPAGE != 0 || size < memlayout::MIN_GUEST_RAM_SIZE)
        PANIC("mem={}: guest RAM must be a multiple of 2 MiB, at least {} MiB", size,
              memlayout::MIN_GUEST_RAM_SIZE >> 20);
    return size;
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
uint64_t place_device_tree(GuestMemory& memory, uint64_t ram_size, const LoadedKernel& kernel,
                           const char* command_line, const GuestIsa& isa) {
    const GuestMachine machine{memlayout::GUEST_RAM_BASE,  ram_size,
                               memlayout::GUEST_UART_BASE, memlayout::GUEST_UART_SIZE,
                               command_line,               isa,
                               memlayout::GUEST_PLIC_BASE, memlayout::GUEST_PLIC_SIZE,
                               memlayout::GUEST_UART_IRQ,  memlayout::GUEST_VIRTIO_CONSOLE_BASE,
                               memlayout::GUEST_VIRTIO_SIZE, memlayout::GUEST_VIRTIO_CONSOLE_IRQ};
    const uint64_t where = memlayout::guest_device_tree(ram_size);
    if (kernel.end > where) PANIC("the kernel reaches {:#x}, over its device tree at {:#x}", kernel.end, where);
    uint8_t* buffer = memory.host_pointer(where, memlayout::DEVICE_TREE_MAX);
    const size_t size = write_guest_device_tree(machine, buffer, memlayout::DEVICE_TREE_MAX);
    println("Device tree for the guest: {} bytes at guest {:#x}", size, where);
    return where;
}

// The keys go to the virtio console once its driver starts
// (host_console.hpp). A command line that puts Linux's console elsewhere
// (the last console= is the one) would leave its shell waiting for keys
// that never come: say so now.
void check_console(const char* command_line) {
    const char* last = nullptr;
    for (const char* p = command_line; *p != '\0'; p++)
        if ((p == command_line || p[-1] == ' ') && memcmp(p, "console=", 8) == 0) last = p + 8;
    if (last != nullptr && memcmp(last, "hvc1", 4) == 0 && (last[4] == ' ' || last[4] == '\0')) return;
    println("[hypervisor] note: keys go to the virtio console (console=hvc1) once its driver "
            "starts; another console gets none");
}

}  // namespace

extern "C" [[noreturn]] void main(unsigned long hart_id, uintptr_t device_tree) {
    println("Hello from the hypervisor!");
    println("hart {}, device tree at {:#x}", hart_id, device_tree);
    const ImageFile image = move_next_to_us(find_kernel_image(device_tree));
    const Options options = boot_options(device_tree);
    const uint64_t ram_size = guest_ram_size(options);
    const GuestIsa isa = guest_cpu(device_tree);
    const FreeRam free = free_ram(device_tree, image);  // from here on, the device tree may go
    heap::init(free.begin, free.end);

    // 1. Prepare guest memory: RAM, and devices that are not really there:
    //    a UART, a virtio console, and the interrupt controller their
    //    interrupt lines go to.
    static Plic plic;
    static Uart uart(plic, memlayout::GUEST_UART_IRQ);
    GuestMemory memory;
    VirtioConsole console(memory, plic, memlayout::GUEST_VIRTIO_CONSOLE_IRQ);
    memory.add_ram("ram", memlayout::GUEST_RAM_BASE, ram_size);
    memory.add_mmio("uart", memlayout::GUEST_UART_BASE, memlayout::GUEST_UART_SIZE, &uart);
    memory.add_mmio("plic", memlayout::GUEST_PLIC_BASE, memlayout::GUEST_PLIC_SIZE, &plic);
    memory.add_mmio("virtio", memlayout::GUEST_VIRTIO_CONSOLE_BASE, memlayout::GUEST_VIRTIO_SIZE,
                    &console);
    memory.activate();
    memory.print();

    // 2. Load the boot image, and describe the machine to it.
    const LoadedKernel kernel = load_linux(memory, image.data, image.size);
    const char* command_line = options.guest_command_line != nullptr ? options.guest_command_line
                                                                     : "console=hvc1 earlycon=sbi";
    const uint64_t guest_device_tree =
        place_device_tree(memory, ram_size, kernel, command_line, isa);
    check_console(command_line);

    // 3. Initialise the vCPU as Linux expects it, our own timer, the
    //    keyboard's interrupt; and the sandbox, with the room for its snapshot.
    Vcpu vcpu(kernel.entry, /*hart_id=*/0, guest_device_tree);
    static Sandbox sandbox(memory, {plic, uart, console});
    VmExitHandler handler(memory, sandbox);
    watchdog::start();
    host_console::start(hart_id);
    if (options.control && !control::start(hart_id))
        PANIC("option control: QEMU has no virtio console for it (-device virtconsole; "
              "the sandbox library gives one, make run CONTROL=socket too)");
    println("Entering the guest at {:#x}", kernel.entry);

    // 4. try { run the guest } catch (VM exit) { handle it }, and continue.
    //    Between two exits the guest stands still: the moment to take a
    //    snapshot of it, or to put one back.
    Next next;
    do {
        const VmExit exit = vcpu.run();
        next = handler.handle(vcpu, exit);
        if (next == Next::Continue) sandbox.between_exits(vcpu);
    } while (next == Next::Continue);

    // 5. The guest is done (or misbehaved): report, and end the machine.
    handler.print_statistics();
    const VirtioConsole::Counts sent = VirtioConsole::counts();
    println("[hypervisor] virtio console: {} kicks, {} buffers of {} bytes out, {} of {} bytes in",
            sent.kicks, sent.buffers_out, sent.bytes_out, sent.buffers_in, sent.bytes_in);
    if (next == Next::PowerOff) power::shut_down();
    println("The guest stopped.");
    power::fail(power::GUEST_STOPPED_EXIT_STATUS);
}
