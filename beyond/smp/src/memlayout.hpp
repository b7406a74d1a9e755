// The memory map of QEMU's `virt` machine, as far as the hypervisor uses it.
#pragma once
#include <stdint.h>

namespace memlayout {

// QEMU's test device (sifive,test0): a store here ends the emulator.
inline constexpr uintptr_t TEST_DEVICE = 0x0010'0000;

// Where OpenSBI jumps to, and where linker.ld places the hypervisor.
inline constexpr uintptr_t HYPERVISOR_BASE = 0x8020'0000;

// The harts: QEMU's virt board numbers them from 0 (-smp N: 0..N-1, up to
// 512). We keep a table of MAX_HARTS (hart.cpp), and give each hart but
// the first a stack of its own from the heap (the first has linker.ld's).
inline constexpr unsigned MAX_HARTS = 8;
inline constexpr uint64_t HART_STACK_SIZE = 64 * 1024;

// ---- The guest's physical address space ----

// Guest RAM starts where it does on a real virt board, so Linux finds it
// where it expects.
inline constexpr uint64_t GUEST_RAM_BASE = 0x8000'0000;
// Its size is chosen when QEMU starts (mem=, see options.hpp); by default:
inline constexpr uint64_t DEFAULT_GUEST_RAM_SIZE = 64 * 1024 * 1024;
inline constexpr uint64_t MIN_GUEST_RAM_SIZE = 16 * 1024 * 1024;
inline constexpr uint64_t MEGAPAGE = 2 * 1024 * 1024;

// The guest's serial port (a 16550 UART, emulated from step07 on).
inline constexpr uint64_t GUEST_UART_BASE = 0x1000'0000;
inline constexpr uint64_t GUEST_UART_SIZE = 0x100;

// The device tree we write for the guest: 2 MiB below the top of its RAM.
inline constexpr uint64_t DEVICE_TREE_MAX = 64 * 1024;
inline constexpr uint64_t guest_device_tree(uint64_t ram_size) {
    return GUEST_RAM_BASE + ram_size - MEGAPAGE;
}

}  // namespace memlayout
