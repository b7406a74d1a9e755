// The memory map of QEMU's `virt` machine, as far as the hypervisor uses it.
#pragma once
#include <stdint.h>

namespace memlayout {

// QEMU's test device (sifive,test0): a store here ends the emulator.
inline constexpr uintptr_t TEST_DEVICE = 0x0010'0000;

// Where OpenSBI jumps to, and where linker.ld places the hypervisor.
inline constexpr uintptr_t HYPERVISOR_BASE = 0x8020'0000;

}  // namespace memlayout
