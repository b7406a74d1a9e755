#include "program_loader.hpp"

#include "elf.hpp"
#include "initial_stack.hpp"
#include "memlayout.hpp"
#include "print.hpp"
#include "riscv.hpp"
#include "user_memory.hpp"

using memlayout::PAGE_SIZE;

namespace {

uint64_t page_down(uint64_t a) { return a & ~(PAGE_SIZE - 1); }
uint64_t page_up(uint64_t a) { return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

// AT_HWCAP: a bit per single-letter extension the program may use (Linux
// sets the same ones for rv64gc): I, M, A, F, D, C.
constexpr uint64_t letter(char c) { return 1ull << (c - 'a'); }
constexpr uint64_t HWCAP = letter('i') | letter('m') | letter('a') | letter('f') | letter('d') |
                           letter('c');

}  // namespace

LoadedProgram load_program(GuestMemory& memory, const uint8_t* file, size_t size,
                           const char* const* argv, int argc) {
    const uint64_t limit = memory.pool().total() * PAGE_SIZE;
    const ElfProgram elf = check_elf(file, size, memlayout::PROGRAM_BASE, memlayout::PROGRAM_END, limit);
    if (elf.error != nullptr) PANIC("cannot run this program: {}", elf.error);

    // Each segment: an area with its permissions, its bytes copied in
    // (the rest, its .bss, reads as zeros). We write even into its code,
    // so the area is writable until its bytes are in. A segment the
    // program cannot write is sealed: if it is still in place from the
    // last run of this program, it is used as it is (guest_memory.hpp).
    for (size_t i = 0; i < elf.count; i++) {
        const Segment& s = elf.segments[i];
        const uint64_t start = page_down(s.vaddr), end = page_up(s.vaddr + s.memsz);
        if (!(s.prot & prot::WRITE) && memory.sealed(start, end)) continue;
        memory.add(start, end, prot::READ | prot::WRITE, area::PROGRAM);
        if (!user::write(memory, s.vaddr, file + s.offset, s.filesz))
            PANIC("cannot run this program: its segments need more memory than it may have (mem=)");
        memory.protect(start, end, s.prot);
        if (!(s.prot & prot::WRITE)) memory.seal(start, end);
        note("[hypervisor] segment {:#010x}..{:#010x} {}{}{}, {} bytes from the file", s.vaddr,
             s.vaddr + s.memsz, s.prot & prot::READ ? 'r' : '-', s.prot & prot::WRITE ? 'w' : '-',
             s.prot & prot::EXEC ? 'x' : '-', s.filesz);
    }

    // The stack: 8 MiB reserved, its top page written now.
    const uint64_t top = memlayout::STACK_TOP;
    memory.add(top - memlayout::STACK_SIZE, top, prot::READ | prot::WRITE, area::STACK);
    StartInfo info{argv, argc, elf.entry, elf.phdr, elf.phnum, HWCAP, {}};
    uint64_t seed = riscv::read_time();
    for (uint8_t& byte : info.random) {  // for its stack protector: not secret, but not fixed
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        byte = static_cast<uint8_t>(seed >> 56);
    }
    static uint8_t stack[4 * PAGE_SIZE];
    const uint64_t sp = build_initial_stack(stack, sizeof stack, top, info);
    if (sp == 0) PANIC("cannot run this program: its arguments do not fit in {} bytes", sizeof stack);
    if (!user::write(memory, sp, stack + (sp - (top - sizeof stack)), top - sp))
        PANIC("cannot run this program: no memory left for its stack (mem=)");
    return {elf.entry, sp, elf.end};
}
