// Loading a static Linux program: its segments into the program's
// memory, with their permissions, and the stack Linux would give it.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "guest_memory.hpp"

struct LoadedProgram {
    uint64_t entry;          // its first instruction
    uint64_t stack_pointer;  // pointing at argc
    uint64_t brk_start;      // its heap starts here, after its last segment
};

// Check the file (elf.hpp) and load it; PANIC, saying why and what to do,
// if it is not a program we can run. `argv` has `argc` strings.
LoadedProgram load_program(GuestMemory& memory, const uint8_t* file, size_t size,
                           const char* const* argv, int argc);
