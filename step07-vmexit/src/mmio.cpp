#include "mmio.hpp"

#include "instruction.hpp"
#include "riscv.hpp"
#include "trap.hpp"

namespace {

// The faulting instruction: from htinst when the hardware provides it,
// otherwise fetched from guest memory at the guest's pc (two halves, so
// that a 32-bit instruction may straddle a page boundary).
MemoryAccess find_access(const VmExit& exit) {
    if (exit.htinst != 0) return decode_transformed(exit.htinst);
    uint32_t instruction = riscv::hlvx_hu(exit.sepc);
    if ((instruction & 3) == 3) instruction |= uint32_t{riscv::hlvx_hu(exit.sepc + 2)} << 16;
    return decode_access(instruction);
}

uint64_t low_bytes(uint64_t value, unsigned width) {
    return width == 8 ? value : value & ((1ull << (8 * width)) - 1);
}

}  // namespace

MmioOutcome handle_mmio(Vcpu& vcpu, const VmExit& exit, const GuestMemory& memory) {
    const uint64_t address = exit.guest_physical_address();
    const Region* region = memory.find(address);
    if (region == nullptr || region->kind != RegionKind::Mmio) return MmioOutcome::NotADevice;

    const MemoryAccess access = find_access(exit);
    const bool store_fault = exit.scause == static_cast<uint64_t>(trap::Cause::StoreGuestPageFault);
    if (!access.valid || access.is_store != store_fault) return MmioOutcome::BadInstruction;

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
