// The check of a program file: is it a static riscv64 Linux program that
// we can load? What to map where, and where it starts.
//
// An ELF executable begins with a 64-byte header (class, byte order,
// machine, type, entry point, where its program headers are) and a table
// of program headers. Each PT_LOAD header is a segment to map: `filesz`
// bytes from `offset` in the file at address `vaddr`, then zeros up to
// `memsz`, with permissions R, W, X. Anything else that matters is refused
// here, before a single instruction of the program runs, with a message
// that says what to do.
//
// Plain logic, also compiled and tested on the host.
#pragma once
#include <stddef.h>
#include <stdint.h>

struct Segment {
    uint64_t vaddr, memsz;   // where it goes, and how big it is there
    uint64_t offset, filesz;  // what of the file it holds
    uint32_t prot;            // prot::READ | WRITE | EXEC (guest_memory.hpp's values)
};

struct ElfProgram {
    const char* error = nullptr;  // nullptr: the program can be loaded
    uint64_t entry = 0;          // its first instruction (load bias added)
    uint64_t phdr = 0;           // where its program headers are in memory (for AT_PHDR)
    uint16_t phnum = 0;
    uint64_t end = 0;            // the end of its highest segment: brk starts there
    uint64_t memory = 0;         // bytes of memory its segments need, in whole pages
    static constexpr size_t MAX_SEGMENTS = 8;
    Segment segments[MAX_SEGMENTS];
    size_t count = 0;
};

// Check `file` for loading in [low, high) with at most `memory_limit` bytes
// of memory. A static-pie program (ET_DYN with no interpreter) is loaded
// at `low`; an ordinary static one (ET_EXEC) where it says.
ElfProgram check_elf(const uint8_t* file, size_t size, uint64_t low, uint64_t high,
                     uint64_t memory_limit);

// The sizes of the ELF structures, for AT_PHENT.
inline constexpr uint64_t ELF_PHDR_SIZE = 56;
