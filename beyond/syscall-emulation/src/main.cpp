// The life of a hypervisor with no guest kernel: prepare the program's
// memory, load the program, initialise the vCPU in user mode, then enter
// the program and handle its exits (its system calls, first of all) until
// it ends. The same try/catch with continuation as final/, with a Linux
// program where the kernel was: the hypervisor plays the kernel.
#include <stdint.h>

#include "alloc.hpp"
#include "clock.hpp"
#include "console.hpp"
#include "control.hpp"
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
// With a control channel, programs come that way: then there may be none.
ImageFile find_archive(uintptr_t device_tree, bool control) {
    const void* dtb = reinterpret_cast<const void*>(device_tree);
    if (!fdt::valid(dtb)) PANIC("no valid device tree at {:#x}", device_tree);
    const uint64_t start = fdt::find_property(dtb, "/chosen", "linux,initrd-start").as_number();
    const uint64_t end = fdt::find_property(dtb, "/chosen", "linux,initrd-end").as_number();
    if (start == 0 && control) return {nullptr, 0};
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

// Room for an archive's files. The heap frees nothing, so a served
// machine, archive after archive, keeps this room and enlarges it only
// for an archive with more files than any before (doubling, at least).
Node* room_for_files(size_t count) {
    static Node* room = nullptr;
    static size_t capacity = 0;
    if (count > capacity) {
        capacity = count > 2 * capacity ? count : 2 * capacity;
        room = new Node[capacity];
    }
    return room;
}

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
    files.load(file.data, file.size, room_for_files(count), count);
    return bundle;
}


// How a program ended: its exit status, or the signal that killed it; or
// we could not follow it (stopped).
struct Outcome {
    bool stopped;
    int exit_status;
    int signal;
};

// One program, from its loading to its end: steps 2 to 5 of the life of
// the hypervisor. Its memory is empty and its files ready; `stdin_file` is
// its standard input (nullptr: the console).
Outcome run_program(GuestMemory& memory, const FileSystem& files, const ImageFile& program,
                    const Node* stdin_file, const char* const* argv, int argc, uint64_t seconds) {
    // 2. Load the boot image: the program, and the stack Linux would give it.
    const LoadedProgram loaded = load_program(memory, program.data, program.size, argv, argc);
    Process process(memory, files);
    process.brk_start = process.brk = loaded.brk_start;
    process.fds[0] = stdin_file != nullptr
                         ? Descriptor{Descriptor::Kind::File, stdin_file, static_cast<size_t>(-1), 0}
                         : Descriptor{Descriptor::Kind::Console, nullptr, 0, 0};
    process.fds[1] = {Descriptor::Kind::Console, nullptr, console::OUTPUT, 0};
    process.fds[2] = {Descriptor::Kind::Console, nullptr, console::ERROR, 0};
    if (!quiet) memory.print();

    // 3. Initialise the vCPU as a new Linux program starts, and our timer.
    Vcpu vcpu(loaded.entry, loaded.stack_pointer);
    VmExitHandler handler(process, seconds * clock::TICKS_PER_SECOND);
    note("[hypervisor] Entering the program at {:#x}: {} (CPU time limit {} s)", loaded.entry,
         argv[0], seconds);
    watchdog::start();
    clock::start();

    // 4. try { run the program } catch (VM exit) { handle it }, and continue.
    Next next;
    do {
        const VmExit exit = vcpu.run();
        next = handler.handle(vcpu, exit);
    } while (next == Next::Continue);

    // 5. The program is done (or we could not follow it): report.
    const uint64_t ran = clock::now();
    if (next == Next::Stop) {
        handler.print_statistics();
        println("[hypervisor] The program stopped.");
        return {true, 0, 0};
    }
    if (process.signal == 0) note("[hypervisor] the program exited with status {}", process.exit_status);
    note("[hypervisor] it ran {}.{:03} ms, from its first instruction to its end",
         ran / (clock::TICKS_PER_SECOND / 1000), ran / (clock::TICKS_PER_SECOND / 1'000'000) % 1000);
    if (!quiet) {
        handler.print_statistics();
        note("[hypervisor] its memory: {} KiB at most, of {} KiB; {} areas at the end",
             memory.pool().peak() * 4, memory.pool().total() * 4, memory.areas());
    }
    return {false, process.exit_status, process.signal};
}

// With a control channel (control.hpp): program after program, as the
// library sends them, in one machine. Between two, the world is put back
// as it was at boot: memory emptied, a new process, a new terminal, the
// clock from zero; only the archive of the last 'L' stays, read-only.
[[noreturn]] void serve(GuestMemory& memory, uint64_t seconds) {
    constexpr size_t ARCHIVE_MAX = 32 << 20, REQUEST_MAX = 16 << 20;
    auto* archive = static_cast<uint8_t*>(heap::allocate_uninitialized(ARCHIVE_MAX, 8));
    auto* request = static_cast<uint8_t*>(heap::allocate_uninitialized(REQUEST_MAX, 8));
    FileSystem files;
    Bundle bundle;
    static Node stdin_node;
    control::send('W', nullptr, 0);
    for (;;) {
        size_t size = 0;
        const char kind = control::next_frame(size);
        if (kind == 'L' && size <= ARCHIVE_MAX) {
            memory.reset(/*keep_sealed=*/false);  // another program: none of the last one's code
            control::take(archive, size);
            bundle = unpack({archive, size}, files);
            continue;
        }
        if (kind != 'R' || size > REQUEST_MAX || size < 4 || bundle.program.data == nullptr) {
            control::skip(size);
            println("[hypervisor] refused: {}",
                    kind == 'L' ? "an archive over 32 MiB"
                    : kind != 'R' ? "a frame of an unknown kind"
                    : size > REQUEST_MAX ? "a standard input over 16 MiB"
                    : size < 4 ? "a request too short" : "no program: send one first ('L')");
            control::send('W', nullptr, 0);
            continue;
        }
        control::take(request, size);
        // The request: u32 stdin length, stdin, then the words of argv, each ended by '\0'.
        const uint32_t input = request[0] | request[1] << 8 | request[2] << 16 |
                               static_cast<uint32_t>(request[3]) << 24;
        const char* argv[Options::MAX_ARGS];
        int argc = 0;
        for (size_t at = 4 + input; input <= size - 4 && at < size && argc < Options::MAX_ARGS;) {
            argv[argc++] = reinterpret_cast<const char*>(request + at);
            while (at < size && request[at] != 0) at++;
            at++;
        }
        if (input > size - 4 || argc == 0 || request[size - 1] != 0) {
            println("[hypervisor] refused: a run request that is not its stdin, then words "
                    "each ended by '\\0'");
            control::send('W', nullptr, 0);
            continue;
        }
        stdin_node = {"stdin", 5, 0100644, 0, request + 4, input};
        const Outcome outcome = run_program(memory, files, bundle.program, &stdin_node, argv,
                                            argc, seconds);
        // 'X' if it ended; if we could not follow it, only our lines ('H',
        // printed by run_program) say so, before the 'W'.
        if (!outcome.stopped) {
            const int32_t status = outcome.signal != 0 ? -outcome.signal : outcome.exit_status;
            control::send('X', &status, sizeof status);
        }
        memory.reset(/*keep_sealed=*/true);  // its code stays, for the same program's next run
        console::reset();
        control::send('W', nullptr, 0);
    }
}

}  // namespace

extern "C" [[noreturn]] void main(unsigned long hart_id, uintptr_t device_tree) {
    const Options options = boot_options(device_tree);
    quiet = options.quiet || options.control;  // with a channel, the program alone speaks
    note("[hypervisor] Hello from the hypervisor! No guest kernel: a Linux program, "
         "its system calls caught");
    const ImageFile archive = move_next_to_us(find_archive(device_tree, options.control));
    const FreeRam free = free_ram(device_tree, archive);  // from here on, the device tree may go
    heap::init(free.begin, free.end);

    // 1. Prepare guest memory: the program's address space, empty, and the
    //    pool its pages come from. And the files it may read.
    GuestMemory memory(program_memory(options));
    memory.activate();
    const uint64_t seconds = options.timeout != ~0ull ? options.timeout : DEFAULT_TIMEOUT_SECONDS;
    if (options.control) {
        if (!control::start(hart_id))
            PANIC("option control: QEMU has no virtio console for it (make run CONTROL=socket "
                  "gives one, and so does the sandbox library)");
        serve(memory, seconds);
    }
    FileSystem files;
    const Bundle bundle = unpack(archive, files);

    // 2 to 5: the program; then the end of the machine, with the program's
    // exit status as a shell would see it (128 + N: killed by signal N).
    const Outcome outcome = run_program(memory, files, bundle.program, bundle.stdin_file,
                                        options.argv, options.argc, seconds);
    if (outcome.stopped) power::fail(power::GUEST_STOPPED_EXIT_STATUS);
    const int status = outcome.signal != 0 ? 128 + outcome.signal : outcome.exit_status;
    if (status == 0) power::shut_down();
    power::fail(static_cast<uint32_t>(status));
}
