#include "user_memory.hpp"

#include "linux.hpp"
#include "mem.hpp"

namespace user {

bool read(GuestMemory& memory, void* to, uint64_t from, uint64_t size) {
    auto* out = static_cast<uint8_t*>(to);
    return for_each_piece(memory, from, size, prot::READ, [&](const uint8_t* piece, uint64_t n) {
        memcpy(out, piece, n);
        out += n;
    });
}

bool write(GuestMemory& memory, uint64_t to, const void* from, uint64_t size) {
    auto* in = static_cast<const uint8_t*>(from);
    return for_each_piece(memory, to, size, prot::WRITE, [&](uint8_t* piece, uint64_t n) {
        memcpy(piece, in, n);
        in += n;
    });
}

long read_string(GuestMemory& memory, char* to, uint64_t from, size_t capacity) {
    for (size_t length = 0; length < capacity; length++) {
        const uint8_t* byte = memory.host_address(from + length, prot::READ);
        if (byte == nullptr) return -linux::EFAULT;
        to[length] = static_cast<char>(*byte);
        if (*byte == '\0') return static_cast<long>(length);
    }
    return -linux::ENAMETOOLONG;
}

}  // namespace user
