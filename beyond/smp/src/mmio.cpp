#include "mmio.hpp"

#include "instruction.hpp"
#include "trap.hpp"

namespace {

MmioDecodeCounts decoded{};

// The faulting instruction: from htinst when the hardware provides it,
// otherwise fetched from guest memory at the guest's pc. False if the
// guest's pc cannot be read: see riscv::hlvx_hu.
bool find_access(const Vcpu& vcpu, const VmExit& exit, MemoryAccess& access) {
    if (exit.htinst != 0) {
        access = decode_transformed(exit.htinst);
        decoded.from_htinst++;
        return true;
    }
    uint32_t instruction = 0;
    if (!vcpu.fetch_instruction(instruction)) return false;
    access = decode_access(instruction);
    decoded.fetched++;
    return true;
}

uint64_t low_bytes(uint64_t value, unsigned width) {
    return width == 8 ? value : value & ((1ull << (8 * width)) - 1);
}

}  // namespace

MmioOutcome handle_mmio(Vcpu& vcpu, const VmExit& exit, const GuestMemory& memory) {
    const uint64_t address = exit.guest_physical_address();
    const Region* region = memory.find(address);
    if (region == nullptr || region->kind != RegionKind::Mmio) return MmioOutcome::NotADevice;

    MemoryAccess access{};
    if (!find_access(vcpu, exit, access)) return MmioOutcome::UnreadableInstruction;
    const bool store_fault = exit.scause == static_cast<uint64_t>(trap::Cause::StoreGuestPageFault);
    if (!access.valid || access.is_store != store_fault) return MmioOutcome::BadInstruction;
    // Device registers are read and written whole, at their own address;
    // a misaligned access has no meaning to a device (a real bus may split
    // it, or fault). Our regions' sizes are multiples of 8, so an aligned
    // access also never runs past a region's end.
    if (address % access.width != 0) return MmioOutcome::Misaligned;

    const uint64_t offset = address - region->guest_base;
    if (access.is_store) {
        region->device->write(offset, access.width, low_bytes(vcpu.reg(access.reg), access.width));
    } else {
        uint64_t value = low_bytes(region->device->read(offset, access.width), access.width);
        if (access.sign_extend) value = sign_extend(value, access.width);
        if (access.reg != 0) vcpu.reg(access.reg) = value;  // x0 stays 0
    }
    vcpu.pc += access.length;  // the continuation: the guest goes on after its load or store
    return MmioOutcome::Done;
}

MmioDecodeCounts mmio_decode_counts() { return decoded; }
