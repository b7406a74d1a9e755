// The ELF check (src/elf.cpp) on a real static program and on damaged copies.
// The stage's headers first: the host's C library defines EFAULT, AT_RANDOM...
// as macros, which would garble linux.hpp.
#include "elf.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "check.hpp"

namespace {

constexpr uint64_t LOW = 0x10000, HIGH = 0x40000000, LIMIT = 64 << 20;

std::string error_of(const std::vector<uint8_t>& file, uint64_t limit = LIMIT) {
    const ElfProgram p = check_elf(file.data(), file.size(), LOW, HIGH, limit);
    return p.error ? p.error : "";
}

bool starts(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return std::printf("usage: elf_test STATIC_PROGRAM\n"), 2;
    std::ifstream in(argv[1], std::ios::binary);
    const std::vector<uint8_t> hello{std::istreambuf_iterator<char>(in), {}};

    const ElfProgram p = check_elf(hello.data(), hello.size(), LOW, HIGH, LIMIT);
    CHECK(p.error == nullptr);
    CHECK(p.count == 2);                        // code, then data
    CHECK(p.segments[0].vaddr == 0x10000);
    CHECK(p.segments[0].prot == (1 | 4));       // r-x
    CHECK(p.segments[1].prot == (1 | 2));       // rw-
    CHECK(p.phdr == 0x10040);                   // its headers, right after the ELF header
    CHECK(p.entry > 0x10000 && p.entry < p.segments[0].vaddr + p.segments[0].memsz);
    CHECK(p.end % 4096 == 0 && p.end >= p.segments[1].vaddr + p.segments[1].memsz);

    auto damaged = [&](size_t offset, std::vector<uint8_t> bytes) {
        std::vector<uint8_t> copy = hello;
        std::memcpy(copy.data() + offset, bytes.data(), bytes.size());
        return error_of(copy);
    };
    CHECK(starts(error_of({'#', '!', '/', 'b'}), "not an ELF file"));
    CHECK(starts(error_of({}), "not an ELF file"));
    CHECK(starts(damaged(4, {1}), "a 32-bit ELF file"));
    CHECK(starts(damaged(5, {2}), "a big-endian ELF file"));
    CHECK(starts(damaged(18, {62, 0}), "built for another machine"));
    CHECK(starts(damaged(16, {1, 0}), "an object file"));
    CHECK(starts(damaged(54, {32, 0}), "corrupt: its program headers"));   // e_phentsize
    CHECK(starts(damaged(56, {0, 1}), "corrupt: its program headers"));    // e_phnum 256
    CHECK(starts(damaged(24, {0, 0, 0, 0x50}), "its entry point is not"));  // e_entry
    CHECK(starts(error_of(std::vector<uint8_t>(hello.begin(), hello.begin() + 100000)),
                 "corrupt: a segment runs past"));
    CHECK(starts(error_of(hello, 64 << 10), "too big"));

    // The first program header (offset 64) is PT_LOAD... which one is
    // which depends on the linker: find the code segment's header.
    for (size_t i = 0; i < 7; i++) {
        const size_t header = 64 + i * 56;
        uint32_t type;
        std::memcpy(&type, hello.data() + header, 4);
        if (type == 1) {  // PT_LOAD: move it outside the allowed range, then make it PT_INTERP
            std::vector<uint8_t> copy = hello;
            const uint64_t far = 0x50000000;
            std::memcpy(copy.data() + header + 16, &far, 8);
            CHECK(starts(error_of(copy), "a segment lies outside"));
            const uint32_t interp = 3;
            std::memcpy(copy.data() + header, &interp, 4);
            CHECK(starts(error_of(copy), "dynamically linked"));
            break;
        }
    }
    return summary();
}
