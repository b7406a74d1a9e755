#include "linux_loader.hpp"

#include "mem.hpp"
#include "memlayout.hpp"
#include "print.hpp"

LoadedKernel load_linux(GuestMemory& memory, const uint8_t* file, size_t file_size) {
    const Region* ram = memory.find(memlayout::GUEST_RAM_BASE);
    const ImageCheck check = check_image(file, file_size, ram != nullptr ? ram->size : 0);
    if (check.error != nullptr) PANIC("cannot boot this kernel image: {}", check.error);

    const ImageHeader& h = check.header;
    println("Linux Image: {} bytes, text offset {:#x}, image size {} bytes, version {}.{}, flags {:#x}",
            file_size, h.text_offset, h.image_size, h.version >> 16, h.version & 0xffff,
            h.flags);

    const uint64_t entry = memlayout::GUEST_RAM_BASE + h.text_offset;
    uint8_t* destination = memory.host_pointer(entry, h.image_size);
    if (destination == nullptr) PANIC("kernel at guest {:#x} is not inside guest RAM", entry);
    memcpy(destination, file, file_size);  // the rest, its .bss, Linux clears itself
    println("Loaded it at guest {:#x}..{:#x}", entry, entry + h.image_size);
    return {entry, entry + h.image_size};
}
