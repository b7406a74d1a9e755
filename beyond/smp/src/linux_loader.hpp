// Loading a checked Linux kernel Image into guest RAM.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "guest_memory.hpp"
#include "linux_image.hpp"

// Where the kernel went, for the vCPU to start it.
struct LoadedKernel {
    uint64_t entry;  // guest physical address of its first instruction
    uint64_t end;    // end of its memory footprint (image_size)
};

// Check the image and copy it into guest RAM at RAM base + text_offset;
// panics with the reason if the image cannot be booted.
LoadedKernel load_linux(GuestMemory& memory, const uint8_t* file, size_t file_size);
