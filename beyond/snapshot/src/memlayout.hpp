// The memory map of QEMU's `virt` machine, as far as the hypervisor uses it.
#pragma once
#include <stdint.h>

namespace memlayout {

// QEMU's test device (sifive,test0): a store here ends the emulator.
inline constexpr uintptr_t TEST_DEVICE = 0x0010'0000;

// Where OpenSBI jumps to, and where linker.ld places the hypervisor.
inline constexpr uintptr_t HYPERVISOR_BASE = 0x8020'0000;

// The machine's own devices that we drive: its UART, whose interrupt line
// goes to its interrupt controller (the PLIC), source 10.
inline constexpr uintptr_t HOST_UART = 0x1000'0000;
inline constexpr uintptr_t HOST_PLIC = 0x0c00'0000;
inline constexpr unsigned HOST_UART_IRQ = 10;
// Its virtio-mmio slots: 8 pages of registers, where QEMU's -device
// virtio-...-device options land (the control channel's console), slot N's
// interrupt on line 1 + N.
inline constexpr uintptr_t HOST_VIRTIO_BASE = 0x1000'1000;
inline constexpr uintptr_t HOST_VIRTIO_SIZE = 0x1000;
inline constexpr unsigned HOST_VIRTIO_SLOTS = 8;
inline constexpr unsigned HOST_VIRTIO_IRQ = 1;

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
inline constexpr unsigned GUEST_UART_IRQ = 10;  // its line on the guest's PLIC

// The guest's console, a virtio device where the virt board has its first
// virtio-mmio slot, and its line on the PLIC.
inline constexpr uint64_t GUEST_VIRTIO_CONSOLE_BASE = 0x1000'1000;
inline constexpr uint64_t GUEST_VIRTIO_SIZE = 0x1000;
inline constexpr unsigned GUEST_VIRTIO_CONSOLE_IRQ = 1;

// The guest's interrupt controller, where the virt board has its PLIC:
// the registers of one context (its hart's supervisor mode) fit in 4 MiB.
inline constexpr uint64_t GUEST_PLIC_BASE = 0x0c00'0000;
inline constexpr uint64_t GUEST_PLIC_SIZE = 0x40'0000;

// The device tree we write for the guest: 2 MiB below the top of its RAM.
inline constexpr uint64_t DEVICE_TREE_MAX = 64 * 1024;
inline constexpr uint64_t guest_device_tree(uint64_t ram_size) {
    return GUEST_RAM_BASE + ram_size - MEGAPAGE;
}

}  // namespace memlayout
