// The memory map of QEMU's `virt` machine, as far as the hypervisor uses
// it, and the program's address space.
#pragma once
#include <stdint.h>

namespace memlayout {

// QEMU's test device (sifive,test0): a store here ends the emulator.
inline constexpr uintptr_t TEST_DEVICE = 0x0010'0000;
// QEMU's real-time clock (goldfish): nanoseconds since 1970, for
// CLOCK_REALTIME. Only the hypervisor reads it; the program never sees it.
inline constexpr uintptr_t RTC = 0x0010'1000;

// Where OpenSBI jumps to, and where linker.ld places the hypervisor.
inline constexpr uintptr_t HYPERVISOR_BASE = 0x8020'0000;

// QEMU's virtio-mmio slots: 8 pages of registers, where -device
// virtio-...-device options land (the control channel's console). Slot N
// raises line 1 + N of the machine's interrupt controller, the PLIC.
inline constexpr uintptr_t HOST_VIRTIO_BASE = 0x1000'1000;
inline constexpr uintptr_t HOST_VIRTIO_SIZE = 0x1000;
inline constexpr unsigned HOST_VIRTIO_SLOTS = 8;
inline constexpr uintptr_t HOST_PLIC = 0x0c00'0000;

inline constexpr uint64_t PAGE_SIZE = 4096;
inline constexpr uint64_t MEGAPAGE = 2 * 1024 * 1024;

// ---- The program's address space ----
//
// There is no guest kernel, and the program runs with its own translation
// off (vsatp = Bare): its virtual addresses are guest physical addresses,
// which the G-stage table maps page by page. Everything lies below 4 GiB,
// so that the page tables it may need are bounded (2048 leaf tables at
// most), whatever the program does.

// The program's segments, and its brk heap right after them. A static
// riscv64 program is linked at 0x10000; page 0 stays unmapped, so that a
// null pointer faults.
inline constexpr uint64_t PROGRAM_BASE = 0x0001'0000;
inline constexpr uint64_t PROGRAM_END = 0x4000'0000;
// mmap's window, handed out from the top down as Linux does.
inline constexpr uint64_t MMAP_BASE = 0x4000'0000;
inline constexpr uint64_t MMAP_END = 0xc000'0000;
// The stack: 8 MiB (Linux's default limit) below 4 GiB, filled in as the
// program touches it.
inline constexpr uint64_t STACK_SIZE = 8 * 1024 * 1024;
inline constexpr uint64_t STACK_TOP = 0x1'0000'0000;

// The program's memory (mem=, see options.hpp), by default:
inline constexpr uint64_t DEFAULT_PROGRAM_MEMORY = 64 * 1024 * 1024;
inline constexpr uint64_t MIN_PROGRAM_MEMORY = 1 * 1024 * 1024;

}  // namespace memlayout
