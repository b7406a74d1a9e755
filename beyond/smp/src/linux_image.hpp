// The header of a RISC-V Linux kernel `Image`, and the check that one is sane.
//
// An Image starts with a 64-byte header (Documentation/riscv/boot-image-
// header.rst in the kernel source): two instructions that jump over it,
// where in RAM the kernel wants to sit, how much memory it occupies once
// running (including .bss), and two magic numbers. Anything that does not
// look like that is refused before a single guest instruction runs.
//
// Plain logic, also compiled and tested on the host.
#pragma once
#include <stddef.h>
#include <stdint.h>

struct ImageHeader {
    uint32_t code0;        // jumps over the header
    uint32_t code1;
    uint64_t text_offset;  // where in RAM to load it, from the start of RAM
    uint64_t image_size;   // bytes the kernel occupies in memory, .bss included
    uint64_t flags;        // bit 0: endianness (0 = little)
    uint32_t version;      // major << 16 | minor
    uint32_t reserved1;
    uint64_t reserved2;
    uint64_t magic;   // "RISCV\0\0\0", deprecated but still written
    uint32_t magic2;  // "RSC\x05"
    uint32_t reserved3;
};
static_assert(sizeof(ImageHeader) == 64);

// The verdict on an image file: `error` is nullptr when it can be booted.
struct ImageCheck {
    const char* error;
    ImageHeader header;
};

// Is `file` (its bytes) a kernel that fits in guest RAM of `ram_size` bytes?
ImageCheck check_image(const uint8_t* file, size_t file_size, uint64_t ram_size);
