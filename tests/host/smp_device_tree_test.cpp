// The guest's device tree as beyond/smp writes it, for harts 0, 1 and 3 (a
// machine with no hart 2), for the test to read back with fdtget.
//   usage: smp_device_tree_test OUT.dtb
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "device_tree.hpp"
#include "print.hpp"

// device_tree.cpp may PANIC; on the host that is a plain failure.
void panic_with(const char* file, int line, const char*, const fmt::Arg*, size_t) {
    std::fprintf(stderr, "PANIC at %s:%d\n", file, line);
    std::exit(4);
}
void ConsoleOutput::put(char c) { std::putchar(c); }

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    std::vector<uint8_t> blob(64 * 1024);
    const GuestMachine machine{0x8000'0000, 64 << 20, 0x1000'0000, 0x100, "console=hvc0",
                               guest_isa("rv64imafdch_zicsr_zifencei_sstc"), 0b1011};
    const size_t size = write_guest_device_tree(machine, blob.data(), blob.size());
    std::ofstream out(argv[1], std::ios::binary);
    out.write(reinterpret_cast<const char*>(blob.data()), static_cast<std::streamsize>(size));
    return out ? 0 : 3;
}
