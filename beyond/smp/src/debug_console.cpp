#include "debug_console.hpp"

#include "print.hpp"
#include "sbi.hpp"

namespace debug_console {
namespace {

using sbi::Error;

Counts counted{};

// The guest's buffer in our memory, or nullptr unless all of
// [address, address + size) is guest RAM. host_pointer compares sizes,
// not end addresses, so no size can wrap around.
uint8_t* guest_buffer(const GuestMemory& memory, uint64_t size, uint64_t address_lo,
                      uint64_t address_hi) {
    if (address_hi != 0) return nullptr;  // above 2^64: no RAM there
    return memory.host_pointer(address_lo, size);
}

SbiResult write(const GuestMemory& memory, uint64_t size, uint64_t lo, uint64_t hi) {
    const uint8_t* text = guest_buffer(memory, size, lo, hi);
    if (text == nullptr) return {Error::InvalidParam};
    sbi::console_write(reinterpret_cast<const char*>(text), size);
    counted.writes++;
    counted.bytes_written += size;
    return {Error::Success, static_cast<long>(size)};
}

// What has been typed, up to `size` bytes; 0 when nothing is waiting.
SbiResult read(const GuestMemory& memory, uint64_t size, uint64_t lo, uint64_t hi) {
    uint8_t* buffer = guest_buffer(memory, size, lo, hi);
    if (buffer == nullptr) return {Error::InvalidParam};
    uint64_t got = 0;
    for (long key; got < size && (key = sbi::console_getchar()) >= 0; got++)
        buffer[got] = static_cast<uint8_t>(key);
    counted.reads++;
    counted.bytes_read += got;
    return {Error::Success, static_cast<long>(got)};
}

}  // namespace

SbiResult call(const GuestMemory& memory, long function, uint64_t arg0, uint64_t arg1,
               uint64_t arg2) {
    Locked guard(console_lock);  // a whole write at a time, and the counts with it
    switch (function) {
        case 0: return write(memory, arg0, arg1, arg2);
        case 1: return read(memory, arg0, arg1, arg2);
        case 2:  // console_write_byte
            sbi::console_putchar(static_cast<char>(arg0));
            counted.writes++;
            counted.bytes_written++;
            return {Error::Success};
        default: return {Error::NotSupported};
    }
}

Counts counts() { return counted; }

}  // namespace debug_console
