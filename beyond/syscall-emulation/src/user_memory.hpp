// The program's pointers. Every system call that takes one comes here.
//
// The hypervisor reaches all of memory: its own, the pool, the archive
// of the program's files. And its own loads and stores ignore the G-stage
// table, which protects nothing from us. So a pointer from the program is
// never used as it is. It is looked up in the program's areas, with the
// access the call needs (a read() stores into the buffer: WRITE), and
// turned into our address page by page. Anything outside the program's
// memory, or against its permissions (a read() into its own code), is
// EFAULT, and nothing is touched.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "guest_memory.hpp"

namespace user {

// Copy `size` bytes from the program's `from` / to its `to`; false if it
// may not read / write all of them.
bool read(GuestMemory& memory, void* to, uint64_t from, uint64_t size);
bool write(GuestMemory& memory, uint64_t to, const void* from, uint64_t size);

template <typename T>
bool read(GuestMemory& memory, T& to, uint64_t from) {
    return read(memory, &to, from, sizeof(T));
}
template <typename T>
bool write(GuestMemory& memory, uint64_t to, const T& from) {
    return write(memory, to, &from, sizeof(T));
}

// The program's '\0'-terminated string at `from`, into `to`: its length,
// -EFAULT, or -ENAMETOOLONG if it does not fit in `capacity` bytes.
long read_string(GuestMemory& memory, char* to, uint64_t from, size_t capacity);

// Call piece(host_pointer, length) for each part of [address, address +
// size) that lies in one page, in order; false if the program may not
// `access` all of it (checked first: then nothing is called).
template <typename Piece>
bool for_each_piece(GuestMemory& memory, uint64_t address, uint64_t size, uint32_t access,
                    Piece&& piece) {
    if (!memory.accessible(address, size, access)) return false;
    while (size > 0) {
        uint8_t* host = memory.host_address(address, access);
        if (host == nullptr) return false;  // the pool is empty
        const uint64_t in_page = 4096 - (address & 4095);
        const uint64_t length = size < in_page ? size : in_page;
        piece(host, length);
        address += length;
        size -= length;
    }
    return true;
}

}  // namespace user
