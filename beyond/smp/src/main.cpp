// The life of a hypervisor: prepare guest memory, load the boot image,
// initialise the vCPUs, then enter the guest and handle its exits until it
// is done, on every hart at once. Virtualization as a try/catch with
// continuation, one loop per hart.
#include <stdint.h>

#include "alloc.hpp"
#include "device_tree.hpp"
#include "fdt.hpp"
#include "guest_memory.hpp"
#include "hart.hpp"
#include "hsm.hpp"
#include "linux_loader.hpp"
#include "mem.hpp"
#include "memlayout.hpp"
#include "options.hpp"
#include "power.hpp"
#include "print.hpp"
#include "riscv.hpp"
#include "uart.hpp"
#include "vcpu.hpp"
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
    const GuestMachine machine{memlayout::GUEST_RAM_BASE, ram_size, memlayout::GUEST_UART_BASE,
                               memlayout::GUEST_UART_SIZE, command_line, isa, hart::present_mask()};
    const uint64_t where = memlayout::guest_device_tree(ram_size);
    if (kernel.end > where) PANIC("the kernel reaches {:#x}, over its device tree at {:#x}", kernel.end, where);
    uint8_t* buffer = memory.host_pointer(where, memlayout::DEVICE_TREE_MAX);
    const size_t size = write_guest_device_tree(machine, buffer, memlayout::DEVICE_TREE_MAX);
    println("Device tree for the guest: {} bytes at guest {:#x}", size, where);
    return where;
}

// What every hart needs to run its vCPU: set by the boot hart.
const GuestMemory* guest_memory = nullptr;

// 5. The guest is done (or misbehaved): stop every hart, report, and end the machine.
[[noreturn]] void end_machine(Next next) {
    hart::halt_others();
    VmExitHandler::print_statistics();
    if (next == Next::PowerOff) power::shut_down();
    println("The guest stopped.");
    power::fail(power::GUEST_STOPPED_EXIT_STATUS);
}

// One hart's life: the vCPU of the same number, from each start (ours for
// the boot vCPU, the guest's hart_start for the others) to its hart_stop.
[[noreturn]] void run_hart(hart::Hart& self) {
    guest_memory->activate();  // hgatp is this hart's own
    VmExitHandler handler(*guest_memory);
    self.exits = &handler;
    watchdog::start();
    riscv::set_sie(riscv::SIE_SSIE);  // the other harts' IPIs, as VM exits
    for (;;) {
        const hsm::Start start = hsm::wait_until_started();
        Vcpu vcpu(start.address, self.id, start.opaque);

        // 4. try { run the guest } catch (VM exit) { handle it }, and continue.
        Next next;
        do {
            const VmExit exit = vcpu.run();
            next = handler.handle(vcpu, exit);
        } while (next == Next::Continue);
        if (next != Next::HartStopped) end_machine(next);
    }
}

}  // namespace

// boot.S: where the firmware starts the other harts, on their own stack.
extern "C" [[noreturn]] void hart_main(hart::Hart& self) { run_hart(self); }

extern "C" [[noreturn]] void main(unsigned long hart_id, uintptr_t device_tree) {
    hart::init(hart_id);
    println("Hello from the hypervisor!");
    println("hart {}, device tree at {:#x}", hart_id, device_tree);
    const ImageFile image = move_next_to_us(find_kernel_image(device_tree));
    const Options options = boot_options(device_tree);
    const uint64_t ram_size = guest_ram_size(options);
    const GuestIsa isa = guest_cpu(device_tree);
    const FreeRam free = free_ram(device_tree, image);  // from here on, the device tree may go
    heap::init(free.begin, free.end);

    // 1. Prepare guest memory: RAM, and a device that is not really there.
    static Uart uart;
    GuestMemory memory;  // main never returns: it lives as long as the machine
    memory.add_ram("ram", memlayout::GUEST_RAM_BASE, ram_size);
    memory.add_mmio("uart", memlayout::GUEST_UART_BASE, memlayout::GUEST_UART_SIZE, &uart);
    memory.print();
    guest_memory = &memory;

    // 2. Load the boot image, and describe the machine to it: a cpu for each hart.
    const LoadedKernel kernel = load_linux(memory, image.data, image.size);
    const char* command_line = options.guest_command_line != nullptr ? options.guest_command_line
                                                                     : "console=hvc0 earlycon=sbi";
    const uint64_t guest_device_tree =
        place_device_tree(memory, ram_size, kernel, command_line, isa);

    // 3. The vCPUs: this hart's starts at the kernel, as Linux expects it;
    // the others wait for the guest's hart_start, each on its own hart.
    hsm::start_boot_vcpu(hart_id, {kernel.entry, guest_device_tree});
    const unsigned harts = hart::start_others();
    println("Entering the guest at {:#x}: {} vCPUs, one per hart", kernel.entry, harts);
    run_hart(hart::current());
}
