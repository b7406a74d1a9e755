// SBI 2.0's debug console (DBCN): the guest prints, and reads what was
// typed, a whole buffer per call, where the legacy console costs one VM
// exit per character.
//
// The buffer is the dangerous part of this hypercall. The guest hands us
// an address and a length, and we read from it (write) or store into it
// (read), with the hypervisor's own rights, which reach all of memory. A
// guest that passes an address outside its RAM, a length that runs past
// the end of it or wraps around the address space, or sets the high half
// of the address (the call takes 128 bits) would otherwise make us print
// our own memory, or overwrite it, on its behalf. So the whole range must
// lie in guest RAM; if it does not, the answer is SBI_ERR_INVALID_PARAM
// and nothing is touched.
#pragma once
#include <stdint.h>

#include "guest_memory.hpp"
#include "sbi_guest.hpp"

namespace debug_console {

// Function `function` of the DBCN extension, with the guest's a0..a2:
// console_write(size, address_lo, address_hi), console_read(...), or
// console_write_byte(byte).
SbiResult call(const GuestMemory& memory, long function, uint64_t arg0, uint64_t arg1,
               uint64_t arg2);

// What the guest did with it, for the exit table.
struct Counts {
    uint64_t writes, bytes_written;  // console_write and console_write_byte
    uint64_t reads, bytes_read;
};
Counts counts();

}  // namespace debug_console
