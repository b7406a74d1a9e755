// Emulating a guest's access to a device: the "memory-mapped I/O" exit.
//
// The guest's load or store hit an unmapped MMIO region and trapped as a
// guest-page fault. We find the instruction, perform the access on the
// emulated device, put a loaded value in the destination register, and
// step over the instruction, so the guest never notices it was stopped.
#pragma once
#include "guest_memory.hpp"
#include "vcpu.hpp"

enum class MmioOutcome {
    Done,                   // emulated; the guest continues
    NotADevice,             // the address is in no MMIO region
    UnreadableInstruction,  // the guest's pc cannot be read (its page table changed)
    BadInstruction,         // not a load or store we can emulate
    Misaligned,             // not at a multiple of its width: refused
};

MmioOutcome handle_mmio(Vcpu& vcpu, const VmExit& exit, const GuestMemory& memory);

// Where the instructions of the accesses came from: htinst (QEMU 8.0 and
// later fill it) or guest memory (QEMU 7.2 leaves htinst 0).
struct MmioDecodeCounts {
    uint64_t from_htinst;
    uint64_t fetched;
};
MmioDecodeCounts mmio_decode_counts();
