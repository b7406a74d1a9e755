// Writes a small device tree with the stage's FdtWriter, and the guest's
// whole tree, for the test to decompile with dtc.
//   usage: fdt_writer_test OUT.dtb GUEST.dtb [HOST-ISA BOOTARGS]
// With the host's riscv,isa and a command line, the guest's tree is the one
// the stage writes into guest RAM (step05's chapter shows it this way).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "device_tree.hpp"
#include "fdt_writer.hpp"
#include "print.hpp"

// device_tree.cpp may PANIC; on the host that is a plain failure.
void panic_with(const char* file, int line, const char*, const fmt::Arg*, size_t) {
    std::fprintf(stderr, "PANIC at %s:%d\n", file, line);
    std::exit(4);
}
void ConsoleOutput::put(char c) { std::putchar(c); }

namespace {

bool save(const char* path, const uint8_t* data, size_t size) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<uint8_t> buffer(4096);
    FdtWriter fdt(buffer.data(), buffer.size());
    fdt.begin_node("");
    fdt.property_u32("#address-cells", 2);
    fdt.property("model", "test");
    fdt.begin_node("node@1000");
    fdt.property_u64_pair("reg", 0x1000, 0x2000'0000'0000);
    fdt.property("flag", nullptr, 0);
    fdt.property("model", "shared name");
    fdt.end_node();
    fdt.end_node();
    const size_t size = fdt.finish();
    if (size == 0 || !save(argv[1], buffer.data(), size)) return 1;

    // A blob that cannot fit must be refused, not overflow.
    std::vector<uint8_t> small(64);
    FdtWriter tiny(small.data(), small.size());
    tiny.begin_node("");
    tiny.property("model", "this will not fit in sixty-four bytes at all");
    tiny.end_node();
    if (tiny.finish() != 0) return 2;

    std::vector<uint8_t> guest(64 * 1024);
    const bool real = argc >= 5;
    const GuestMachine machine{0x8000'0000, 64 << 20, 0x1000'0000, 0x100,
                               real ? argv[4] : "console=hvc0",
                               guest_isa(real ? argv[3] : "rv64imafdch_zicsr_zifencei_sstc")};
    const size_t guest_size = write_guest_device_tree(machine, guest.data(), guest.size());
    if (argc < 3 || !save(argv[2], guest.data(), guest_size)) return 3;
    std::puts("written");
    return 0;
}
