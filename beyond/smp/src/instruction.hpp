// Decoding the load or store that made a guest touch a device.
//
// When the guest reads a device register, all the hardware tells us is the
// address. To emulate the access we need the instruction: is it a load or
// a store, how wide, signed or not, which register? The hardware may hand
// it over in htinst (already "transformed": address fields zeroed, a
// compressed instruction expanded); where it does not (QEMU 7.2 leaves
// htinst at 0), we read it from guest memory ourselves.
//
// Plain logic, also compiled and tested on the host.
#pragma once
#include <stdint.h>

struct MemoryAccess {
    bool valid;         // false: not a load or store we can emulate
    bool is_store;
    unsigned width;     // bytes: 1, 2, 4 or 8
    bool sign_extend;   // loads: lb, lh, lw sign-extend; lbu, lhu, lwu, ld do not
    unsigned reg;       // the destination (load) or source (store) register
    unsigned length;    // instruction length in bytes: 2 (compressed) or 4
};

// Decode a raw instruction as fetched from guest memory (16 or 32 bits).
MemoryAccess decode_access(uint32_t instruction);

// Decode htinst's transformed instruction. Bit 1 of it tells the original
// length: 1 for a 32-bit instruction, 0 for a compressed one.
MemoryAccess decode_transformed(uint64_t htinst);

// Sign-extend the low `width` bytes of `value`.
uint64_t sign_extend(uint64_t value, unsigned width);
