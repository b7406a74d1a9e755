// Unit tests of the load/store decoder (src/instruction.cpp), on the host:
// both paths, the raw instruction fetched from guest memory and htinst's
// transformed instruction (which QEMU 7.2 never provides).
#include <cstdio>
#include <string>

#include "instruction.hpp"

namespace {

int passed = 0, failed = 0;

void expect(const std::string& what, MemoryAccess got, bool store, unsigned width, bool sign,
            unsigned reg, unsigned length) {
    const bool ok = got.valid && got.is_store == store && got.width == width &&
                    got.sign_extend == sign && got.reg == reg && got.length == length;
    if (ok) {
        passed++;
    } else {
        failed++;
        std::printf("FAIL: %s: valid %d store %d width %u sign %d reg %u length %u\n",
                    what.c_str(), got.valid, got.is_store, got.width, got.sign_extend, got.reg,
                    got.length);
    }
}

void expect_invalid(const std::string& what, MemoryAccess got) {
    if (!got.valid) {
        passed++;
    } else {
        failed++;
        std::printf("FAIL: %s should not decode as a load or store\n", what.c_str());
    }
}

// Assemble I-type loads and S-type stores, with an offset in the address fields.
uint32_t load(unsigned funct3, unsigned rd, unsigned rs1, int imm) {
    return (static_cast<uint32_t>(imm) & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x03;
}
uint32_t store(unsigned funct3, unsigned rs2, unsigned rs1, int imm) {
    const uint32_t u = static_cast<uint32_t>(imm) & 0xfff;
    return (u >> 5) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (u & 31) << 7 | 0x23;
}
// htinst's transformation: rs1 and the offset become 0; bit 1 says 32-bit.
uint64_t transformed(uint32_t insn, bool was_compressed) {
    uint32_t t = insn & ~(0x1fu << 15);
    t &= (insn & 0x7f) == 0x03 ? 0x000fffff : 0x01fff07f;
    return was_compressed ? t & ~2u : t;
}

}  // namespace

int main() {
    const char* load_names[] = {"lb", "lh", "lw", "ld", "lbu", "lhu", "lwu"};
    for (unsigned f = 0; f < 7; f++) {
        const unsigned width = 1u << (f & 3);
        const bool sign = f < 3;
        expect(load_names[f], decode_access(load(f, 10, 5, -8)), false, width, sign, 10, 4);
        expect(std::string(load_names[f]) + " via htinst",
               decode_transformed(transformed(load(f, 11, 6, 16), false)), false, width, sign,
               11, 4);
    }
    const char* store_names[] = {"sb", "sh", "sw", "sd"};
    for (unsigned f = 0; f < 4; f++) {
        expect(store_names[f], decode_access(store(f, 15, 8, 4)), true, 1u << f, false, 15, 4);
        expect(std::string(store_names[f]) + " via htinst",
               decode_transformed(transformed(store(f, 9, 2, -4), false)), true, 1u << f, false,
               9, 4);
    }

    // Compressed: c.lw a0, 0(a1) = 0x4188; c.sw a0, 0(a1) = 0xc188;
    // c.ld a5, 8(a4) = 0x671c; c.sd a5, 8(a4) = 0xe71c;
    // c.lwsp a0, 12(sp) = 0x4532; c.sdsp ra, 8(sp) = 0xe406.
    expect("c.lw", decode_access(0x4188), false, 4, true, 10, 2);
    expect("c.sw", decode_access(0xc188), true, 4, false, 10, 2);
    expect("c.ld", decode_access(0x671c), false, 8, false, 15, 2);
    expect("c.sd", decode_access(0xe71c), true, 8, false, 15, 2);
    expect("c.lwsp", decode_access(0x4532), false, 4, true, 10, 2);
    expect("c.sdsp", decode_access(0xe406), true, 8, false, 1, 2);
    // The hardware expands a compressed instruction in htinst, with bit 1 clear.
    expect("c.lw via htinst", decode_transformed(transformed(load(2, 10, 11, 0), true)), false, 4,
           true, 10, 2);
    expect("c.sd via htinst", decode_transformed(transformed(store(3, 15, 14, 8), true)), true, 8,
           false, 15, 2);

    expect_invalid("addi", decode_access(0x00150513));
    expect_invalid("ld with funct3 7", decode_access(load(7, 1, 2, 0)));
    expect_invalid("store with funct3 4", decode_access(store(4, 1, 2, 0)));
    expect_invalid("c.addi", decode_access(0x0505));
    expect_invalid("htinst 0", decode_transformed(0));
    expect_invalid("htinst pseudoinstruction", decode_transformed(0x2000));

    struct { uint64_t value; unsigned width; uint64_t expected; } extend[] = {
        {0x80, 1, 0xffffffffffffff80}, {0x7f, 1, 0x7f}, {0x8000, 2, 0xffffffffffff8000},
        {0x80000000, 4, 0xffffffff80000000}, {0x1234, 8, 0x1234},
    };
    for (auto& e : extend) {
        if (sign_extend(e.value, e.width) == e.expected) passed++;
        else failed++, std::printf("FAIL: sign_extend(%#llx, %u)\n",
                                   static_cast<unsigned long long>(e.value), e.width);
    }

    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
