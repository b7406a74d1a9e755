// The life of a hypervisor with no guest kernel: prepare the program's
// memory, load the program, initialise the vCPU in user mode, then enter
// the program and handle its exits (its system calls, first of all) until
// it ends. The same try/catch with continuation as final/, with a Linux
// program where the kernel was: the hypervisor plays the kernel.
#include <stdint.h>

#include "alloc.hpp"
#include "clock.hpp"
#include "cpio.hpp"
#include "fdt.hpp"
#include "file_system.hpp"
#include "guest_memory.hpp"
#include "mem.hpp"
#include "memlayout.hpp"
#include "options.hpp"
#include "power.hpp"
#include "print.hpp"
#include "process.hpp"
#include "program_loader.hpp"
#include "vcpu.hpp"
#include "vmexit.hpp"
#include "watchdog.hpp"

extern "C" char __end[];  // linker.ld: the end of our image, stack included

namespace {

constexpr uint64_t DEFAULT_TIMEOUT_SECONDS = 10;

struct ImageFile {
    const uint8_t* data;
    size_t size;
};

// QEMU loads the file given with -initrd into RAM and says where in our
// device tree. `make run` packs the program and its files into it.
ImageFile find_archive(uintptr_t device_tree) {
    const void* dtb = reinterpret_cast<const void*>(device_tree);
    if (!fdt::valid(dtb)) PANIC("no valid device tree at {:#x}", device_tree);
    const uint64_t start = fdt::find_property(dtb, "/chosen", "linux,initrd-start").as_number();
    const uint64_t end = fdt::find_property(dtb, "/chosen", "linux,initrd-end").as_number();
    if (start == 0)
        PANIC("no program: start QEMU with -initrd <program, or an archive> (make run PROG= does)");
    if (end <= start) PANIC("the program file is empty (0 bytes)");
    return {reinterpret_cast<const uint8_t*>(start), end - start};
}

// QEMU puts the -initrd file where it likes: 128 MiB into RAM (QEMU 7.2)
// or half-way up (QEMU 10). Slide it down, next to our own image, so that
// all RAM above it is one free range.
ImageFile move_next_to_us(const ImageFile& image) {
    auto* to = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(__end) + 0xfff) & ~0xfffull);
    memmove(to, image.data, image.size);
    return {to, image.size};
}

// The heap gets the free RAM above our image and the archive, up to the
// end of RAM: call it once everything needed from the device tree has
// been read (QEMU puts the device tree at the top of RAM).
struct FreeRam {
    uintptr_t begin, end;
};

FreeRam free_ram(uintptr_t device_tree, const ImageFile& image) {
    const void* dtb = reinterpret_cast<const void*>(device_tree);
    const fdt::Property reg = fdt::find_property(dtb, "/memory", "reg");
    if (reg.size != 16) PANIC("the device tree does not say where RAM is (/memory reg)");
    const uint64_t ram_base = fdt::read_be64(reg.data);
    const uint64_t ram_end = ram_base + fdt::read_be64(reg.data + 8);
    const uintptr_t image_end = reinterpret_cast<uintptr_t>(image.data) + image.size;
    const uintptr_t our_end = reinterpret_cast<uintptr_t>(__end);
    const uintptr_t loaded_end = image_end > our_end ? image_end : our_end;
    const uintptr_t begin = (loaded_end + 0xfff) & ~uintptr_t{0xfff};
    return {begin, ram_end};
}

// Our options and the program's command line, from QEMU's -append (it
// lands in our own device tree): see options.hpp.
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

// The program's memory: mem= if given, else 64 MiB, in whole pages.
uint64_t program_memory(const Options& options) {
    const uint64_t size = options.guest_ram != 0 ? options.guest_ram : memlayout::DEFAULT_PROGRAM_MEMORY;
    if (size % memlayout::PAGE_SIZE != 0 || size < memlayout::MIN_PROGRAM_MEMORY)
        PANIC("mem={}: the program's memory must be whole 4 KiB pages, at least {} MiB", size,
              memlayout::MIN_PROGRAM_MEMORY >> 20);
    return size;
}

// What -initrd holds: the program itself (an ELF file), or the archive
// `make run` packs, with the program, its standard input and its files.
struct Bundle {
    ImageFile program{nullptr, 0};
    const Node* stdin_file = nullptr;  // nullptr: the console
};

Bundle unpack(const ImageFile& file, FileSystem& files) {
    Bundle bundle;
    static Node root_only[1];
    if (file.size >= 4 && memcmp(file.data, "\x7f" "ELF", 4) == 0) {  // a bare program
        bundle.program = file;
        files.load(file.data, 0, root_only, 1);  // no files: an empty root
        return bundle;
    }
    CpioReader reader(file.data, file.size);
    CpioEntry entry;
    static Node stdin_node;
    while (reader.next(entry)) {
        if (cpio_name_is(entry, "program")) bundle.program = {entry.data, entry.size};
        if (cpio_name_is(entry, "stdin")) {
            stdin_node = {"stdin", 5, entry.mode, entry.mtime, entry.data, entry.size};
            bundle.stdin_file = &stdin_node;
        }
    }
    if (reader.error() != nullptr) PANIC("the -initrd file: {}", reader.error());
    if (bundle.program.data == nullptr)
        PANIC("no program in the archive: it should hold one named 'program' (make run PROG= packs it)");
    const size_t count = FileSystem::count(file.data, file.size);
    files.load(file.data, file.size, new Node[count], count);
    return bundle;
}

}  // namespace

extern "C" [[noreturn]] void main(unsigned long, uintptr_t device_tree) {
    const Options options = boot_options(device_tree);
    quiet = options.quiet;
    note("[hypervisor] Hello from the hypervisor! No guest kernel: a Linux program, "
         "its system calls caught");
    const ImageFile archive = move_next_to_us(find_archive(device_tree));
    const FreeRam free = free_ram(device_tree, archive);  // from here on, the device tree may go
    heap::init(free.begin, free.end);

    // 1. Prepare guest memory: the program's address space, empty, and the
    //    pool its pages come from. And the files it may read.
    GuestMemory memory(program_memory(options));
    memory.activate();
    FileSystem files;
    const Bundle bundle = unpack(archive, files);

    // 2. Load the boot image: the program, and the stack Linux would give it.
    const LoadedProgram program = load_program(memory, bundle.program.data, bundle.program.size,
                                               options.argv, options.argc);
    Process process(memory, files);
    process.brk_start = process.brk = program.brk_start;
    process.fds[0] = bundle.stdin_file != nullptr
                         ? Descriptor{Descriptor::Kind::File, bundle.stdin_file, static_cast<size_t>(-1), 0}
                         : Descriptor{Descriptor::Kind::Console, nullptr, 0, 0};
    process.fds[1] = process.fds[2] = {Descriptor::Kind::Console, nullptr, 0, 0};
    if (!quiet) memory.print();

    // 3. Initialise the vCPU as a new Linux program starts, and our timer.
    Vcpu vcpu(program.entry, program.stack_pointer);
    const uint64_t seconds = options.timeout != ~0ull ? options.timeout : DEFAULT_TIMEOUT_SECONDS;
    VmExitHandler handler(process, seconds * clock::TICKS_PER_SECOND);
    note("[hypervisor] Entering the program at {:#x}: {} (CPU time limit {} s)", program.entry,
         options.argv[0], seconds);
    watchdog::start();
    clock::start();

    // 4. try { run the program } catch (VM exit) { handle it }, and continue.
    Next next;
    do {
        const VmExit exit = vcpu.run();
        next = handler.handle(vcpu, exit);
    } while (next == Next::Continue);

    // 5. The program is done (or we could not follow it): report, and end
    //    the machine with its exit status, as a shell would see it.
    const uint64_t ran = clock::now();
    if (next == Next::Stop) {
        handler.print_statistics();
        println("[hypervisor] The program stopped.");
        power::fail(power::GUEST_STOPPED_EXIT_STATUS);
    }
    if (process.signal == 0) note("[hypervisor] the program exited with status {}", process.exit_status);
    note("[hypervisor] it ran {}.{:03} ms, from its first instruction to its end",
         ran / (clock::TICKS_PER_SECOND / 1000), ran / (clock::TICKS_PER_SECOND / 1'000'000) % 1000);
    if (!quiet) {
        handler.print_statistics();
        note("[hypervisor] its memory: {} KiB at most, of {} KiB; {} areas at the end",
             memory.pool().peak() * 4, memory.pool().total() * 4, memory.areas());
    }
    const int status = process.signal != 0 ? 128 + process.signal : process.exit_status;
    if (status == 0) power::shut_down();
    power::fail(static_cast<uint32_t>(status));
}
