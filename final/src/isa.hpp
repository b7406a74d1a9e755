// The CPU the guest is told it has: which ISA extensions it may use.
//
// A kernel picks its code paths from the device tree's list of extensions:
// floating point registers to save, compressed instructions, Sstc's timer
// compare register instead of a hypervisor call per tick... So the list
// must be true: an extension the host CPU has (its own device tree says
// which) AND that this hypervisor lets the guest use. `h` never is: we do
// not virtualize the hypervisor extension itself. Nor are cache-block
// operations (zicbom...), which trap to us unless henvcfg enables them.
//
// Plain logic, also compiled and tested on the host.
#pragma once
#include <stddef.h>

struct GuestIsa {
    static constexpr size_t MAX = 16;
    const char* extensions[MAX];  // in the allow-list's order: "i", "m", ..., "sstc"
    size_t count = 0;

    bool has(const char* name) const;
};

// The host's extensions, from the riscv,isa string of its cpu node:
// "rv64" and one letter per single-letter extension, then "_name" for each
// other one ("rv64imafdch_zicsr_zifencei_..._sstc"). Every QEMU writes it
// (QEMU 8.2 and later also write the newer riscv,isa-extensions list).
GuestIsa guest_isa(const char* host_isa);

// The guest's list as such a string, "rv64imafdc_zicsr_..._sstc", for
// kernels that read only that (Linux 6.1). False if it does not fit.
bool isa_string(const GuestIsa& isa, char* buffer, size_t size);
