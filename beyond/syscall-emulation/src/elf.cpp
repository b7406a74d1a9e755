#include "elf.hpp"

namespace {

constexpr uint64_t PAGE = 4096;

// The header and a program header, as ELF64 lays them out.
struct Header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
static_assert(sizeof(Header) == 64);

struct ProgramHeader {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
static_assert(sizeof(ProgramHeader) == ELF_PHDR_SIZE);

enum : uint16_t { ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4 };
enum : uint32_t { PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_PHDR = 6 };
enum : uint32_t { PF_X = 1, PF_W = 2, PF_R = 4 };
constexpr uint16_t EM_RISCV = 243;
constexpr uint32_t EF_RISCV_FLOAT_ABI = 0x6, EF_RISCV_FLOAT_ABI_QUAD = 0x6, EF_RISCV_RVE = 0x8;
constexpr uint16_t MAX_HEADERS = 64;

uint64_t page_down(uint64_t a) { return a & ~(PAGE - 1); }
uint64_t page_up(uint64_t a) { return (a + PAGE - 1) & ~(PAGE - 1); }

ElfProgram refuse(const char* why) {
    ElfProgram program;
    program.error = why;
    return program;
}

// The prot:: bits (guest_memory.hpp) of a segment's ELF flags.
uint32_t prot_of(uint32_t flags) {
    return (flags & PF_R ? 1u : 0u) | (flags & PF_W ? 2u : 0u) | (flags & PF_X ? 4u : 0u);
}

}  // namespace

ElfProgram check_elf(const uint8_t* file, size_t size, uint64_t low, uint64_t high,
                     uint64_t memory_limit) {
    Header h;
    if (size < sizeof h || file[0] != 0x7f || file[1] != 'E' || file[2] != 'L' || file[3] != 'F')
        return refuse("not an ELF file: give it a static riscv64 Linux program "
                      "(riscv64-linux-gnu-gcc -static)");
    __builtin_memcpy(&h, file, sizeof h);
    if (h.ident[4] != 2) return refuse("a 32-bit ELF file: build it for riscv64");
    if (h.ident[5] != 1) return refuse("a big-endian ELF file: build it for riscv64");
    if (h.machine != EM_RISCV)
        return refuse("built for another machine than RISC-V: build it with riscv64-linux-gnu-gcc -static");
    if (h.type == ET_REL) return refuse("an object file, not a program: link it");
    if (h.type != ET_EXEC && h.type != ET_DYN) return refuse("not a program (nor a static-pie one)");
    if (h.flags & EF_RISCV_RVE) return refuse("built for RV64E (16 registers): build it for rv64gc");
    if ((h.flags & EF_RISCV_FLOAT_ABI) == EF_RISCV_FLOAT_ABI_QUAD)
        return refuse("built for the quad-precision float ABI, which this CPU lacks");
    if (h.phentsize != sizeof(ProgramHeader) || h.phnum == 0 || h.phnum > MAX_HEADERS ||
        h.phoff > size || h.phnum * sizeof(ProgramHeader) > size - h.phoff)
        return refuse("corrupt: its program headers are not where its header says");

    const auto* headers = file + h.phoff;
    auto header = [&](size_t i) {
        ProgramHeader p;
        __builtin_memcpy(&p, headers + i * sizeof p, sizeof p);
        return p;
    };
    // Dynamic linking needs an interpreter (ld.so) and shared libraries
    // in the program's file system, mapped with the right permissions and
    // relocated: a loader's work this stage leaves out.
    for (size_t i = 0; i < h.phnum; i++)
        if (header(i).type == PT_INTERP)
            return refuse("dynamically linked (it names an interpreter, ld.so): build it with -static");
    if (h.type == ET_DYN) {
        bool dynamic = false;
        for (size_t i = 0; i < h.phnum; i++) dynamic |= header(i).type == PT_DYNAMIC;
        if (!dynamic) return refuse("a shared object without a dynamic section: not a program");
    }

    // A static-pie program goes wherever we like: at `low`. Its lowest
    // segment is at 0 (it is its own offset).
    uint64_t lowest = ~0ull;
    for (size_t i = 0; i < h.phnum; i++)
        if (header(i).type == PT_LOAD && header(i).vaddr < lowest) lowest = header(i).vaddr;
    if (lowest == ~0ull) return refuse("nothing to load: it has no PT_LOAD segment");
    const uint64_t bias = h.type == ET_DYN ? low - page_down(lowest) : 0;

    ElfProgram program;
    for (size_t i = 0; i < h.phnum; i++) {
        const ProgramHeader p = header(i);
        if (p.type != PT_LOAD || p.memsz == 0) continue;
        if (program.count == ElfProgram::MAX_SEGMENTS) return refuse("more than 8 segments to load");
        if (p.filesz > p.memsz || p.offset > size || p.filesz > size - p.offset)
            return refuse("corrupt: a segment runs past the end of the file");
        if (p.vaddr % PAGE != p.offset % PAGE)
            return refuse("corrupt: a segment's address and file offset differ within a page");
        const uint64_t start = p.vaddr + bias;
        if (start < low || start >= high || p.memsz > high - start)
            return refuse("a segment lies outside the addresses programs are loaded at here "
                          "(0x10000..0x40000000): link it at the default address");
        for (size_t j = 0; j < program.count; j++) {  // sorted? no: any order, so compare all
            const Segment& s = program.segments[j];
            if (page_down(start) < page_up(s.vaddr + s.memsz) && page_down(s.vaddr) < page_up(start + p.memsz))
                return refuse("two segments share a page, which can have only one set of permissions");
        }
        program.segments[program.count++] = {start, p.memsz, p.offset, p.filesz, prot_of(p.flags)};
        program.memory += page_up(start + p.memsz) - page_down(start);
        if (page_up(start + p.memsz) > program.end) program.end = page_up(start + p.memsz);
    }
    if (program.count == 0) return refuse("nothing to load: its PT_LOAD segments are empty");
    if (program.memory > memory_limit)
        return refuse("too big: its segments need more memory than it may have (mem=)");

    // glibc finds its TLS segment and the rest through AT_PHDR: the headers
    // must be in memory, in a segment that holds that part of the file.
    program.phdr = 0;
    for (size_t i = 0; i < h.phnum; i++) {
        const ProgramHeader p = header(i);
        if (p.type == PT_LOAD && p.offset <= h.phoff &&
            h.phoff + h.phnum * sizeof(ProgramHeader) <= p.offset + p.filesz)
            program.phdr = p.vaddr + bias + (h.phoff - p.offset);
    }
    if (program.phdr == 0) return refuse("its program headers are not in a loaded segment (glibc reads them there)");
    program.phnum = h.phnum;

    program.entry = h.entry + bias;
    bool executable = false;
    for (size_t j = 0; j < program.count; j++) {
        const Segment& s = program.segments[j];
        executable |= (s.prot & 4) && program.entry - s.vaddr < s.memsz;
    }
    if (!executable) return refuse("its entry point is not in an executable segment");
    return program;
}
