#include "instruction.hpp"

namespace {

constexpr uint32_t OPCODE_LOAD = 0x03;
constexpr uint32_t OPCODE_STORE = 0x23;

uint32_t bits(uint32_t value, int high, int low) {
    return (value >> low) & ((1u << (high - low + 1)) - 1);
}

MemoryAccess decode_32bit(uint32_t insn) {
    const uint32_t funct3 = bits(insn, 14, 12);
    const unsigned width = 1u << (funct3 & 3);
    switch (bits(insn, 6, 0)) {
        case OPCODE_LOAD:  // lb lh lw ld lbu lhu lwu
            if (funct3 == 7) return {};
            return {true, false, width, funct3 < 4 && width < 8, bits(insn, 11, 7), 4};
        case OPCODE_STORE:  // sb sh sw sd
            if (funct3 > 3) return {};
            return {true, true, width, false, bits(insn, 24, 20), 4};
        default:
            return {};
    }
}

// The compressed loads and stores (RVC): c.lw, c.ld, c.sw, c.sd use
// registers x8..x15; c.lwsp, c.ldsp, c.swsp, c.sdsp are sp-relative.
MemoryAccess decode_16bit(uint32_t insn) {
    const uint32_t quadrant = bits(insn, 1, 0);
    const uint32_t funct3 = bits(insn, 15, 13);
    const unsigned short_reg_low = 8 + bits(insn, 4, 2);  // rd' / rs2'
    if (quadrant == 0) {
        switch (funct3) {
            case 2: return {true, false, 4, true, short_reg_low, 2};   // c.lw
            case 3: return {true, false, 8, false, short_reg_low, 2};  // c.ld
            case 6: return {true, true, 4, false, short_reg_low, 2};   // c.sw
            case 7: return {true, true, 8, false, short_reg_low, 2};   // c.sd
        }
    } else if (quadrant == 2) {
        switch (funct3) {
            case 2: return {true, false, 4, true, bits(insn, 11, 7), 2};   // c.lwsp
            case 3: return {true, false, 8, false, bits(insn, 11, 7), 2};  // c.ldsp
            case 6: return {true, true, 4, false, bits(insn, 6, 2), 2};    // c.swsp
            case 7: return {true, true, 8, false, bits(insn, 6, 2), 2};    // c.sdsp
        }
    }
    return {};
}

}  // namespace

MemoryAccess decode_access(uint32_t instruction) {
    if ((instruction & 3) == 3) return decode_32bit(instruction);
    return decode_16bit(instruction & 0xffff);
}

MemoryAccess decode_transformed(uint64_t htinst) {
    if ((htinst & 1) == 0) return {};  // 0, or a pseudoinstruction: nothing to decode
    const bool was_compressed = (htinst & 2) == 0;
    MemoryAccess access = decode_32bit(static_cast<uint32_t>(htinst) | 2);
    if (access.valid && was_compressed) access.length = 2;
    return access;
}

uint64_t sign_extend(uint64_t value, unsigned width) {
    const unsigned shift = 64 - 8 * width;
    return static_cast<uint64_t>(static_cast<int64_t>(value << shift) >> shift);
}
