// The stack a new program starts with, laid out as Linux lays it out
// (fs/binfmt_elf.c, create_elf_tables): from sp upwards,
//
//     argc
//     argv[0] .. argv[argc - 1], 0
//     envp[0] .. , 0                       (empty here, as the guest's `run` gives)
//     auxv: (type, value) pairs, ending with AT_NULL
//     ... the strings and the 16 random bytes they point to, up to the top
//
// glibc's _start reads argc and argv from there, and its startup code the
// auxiliary vector: where the program headers are (to find its TLS
// segment), the page size, the 16 random bytes for its stack protector and
// pointer guard, the hardware's capabilities...
//
// Plain logic, also compiled and tested on the host.
#pragma once
#include <stddef.h>
#include <stdint.h>

struct StartInfo {
    const char* const* argv;  // argc strings
    int argc;
    uint64_t entry, phdr, phnum;  // from the ELF file
    uint64_t hwcap;               // AT_HWCAP: a bit per single-letter extension
    uint8_t random[16];           // AT_RANDOM's bytes
};

// Writes the stack's top into `buffer`, which will be the program's
// memory [top - capacity, top). Returns the program's initial sp, 16-byte
// aligned, or 0 if it all does not fit.
uint64_t build_initial_stack(uint8_t* buffer, size_t capacity, uint64_t top, const StartInfo& info);
