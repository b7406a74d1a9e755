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
    // Linux 6.12 reads riscv,isa-extensions, a string list: "i\0m\0...sstc\0".
    char extensions[128];
    size_t extensions_size = 0;
    // Linux 6.1 reads riscv,isa, one string: "rv64imafdc_zicsr_..._sstc".
    char string[128];
};

// The guest's extensions, from the host's riscv,isa string: "rv64", one
// letter per single-letter extension, then "_name" for each other one
// ("rv64imafdch_zicsr_zifencei_..._sstc"). Every QEMU writes that string
// (QEMU 8.2 and later also the newer list).
GuestIsa guest_isa(const char* host_isa);
