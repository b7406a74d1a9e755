// Unit tests of the hypervisor's options (options.cpp), on the host: what
// QEMU's -append holds, split into ours and the guest's.
#include <cstdio>
#include <cstring>
#include <string>

#include "options.hpp"

namespace {

int passed = 0, failed = 0;

void check(bool ok, const std::string& what) {
    if (ok) {
        passed++;
    } else {
        failed++;
        std::printf("FAIL: %s\n", what.c_str());
    }
}

Options parse(const char* text) {
    static char buffer[256];
    std::strcpy(buffer, text);
    return parse_options(buffer);
}

std::string guest(const Options& o) { return o.guest_command_line ? o.guest_command_line : "(none)"; }

void expect(const char* text, uint64_t ram, const char* command_line) {
    const Options o = parse(text);
    check(o.error == nullptr && o.guest_ram == ram && guest(o) == command_line,
          std::string("'") + text + "': mem " + std::to_string(o.guest_ram) + ", guest '" +
              guest(o) + "'" + (o.error ? std::string(", error ") + o.error : ""));
}

void refused(const char* text, const char* bad_word) {
    const Options o = parse(text);
    check(o.error != nullptr && o.bad_word != nullptr && std::string(o.bad_word) == bad_word,
          std::string("'") + text + "' is refused, naming '" + bad_word + "'");
}

}  // namespace

int main() {
    // No `--`: all of it is the guest's, as with QEMU's -append.
    expect("", 0, "(none)");
    expect("console=hvc0 quiet", 0, "console=hvc0 quiet");
    expect("init=--foo", 0, "init=--foo");
    // Ours, then the guest's.
    expect("mem=256M -- console=hvc0 quiet", 256 << 20, "console=hvc0 quiet");
    expect("mem=1G --", 1ull << 30, "(none)");
    expect("  mem=64M   --   quiet ", 64 << 20, "quiet ");
    expect("mem=2097152 -- a -- b", 2 << 20, "a -- b");
    expect("mem=4K -- x", 4096, "x");
    expect("-- console=ttyS0", 0, "console=ttyS0");
    refused("mem= -- x", "mem=");
    refused("mem=12X -- x", "mem=12X");
    refused("mem=M --", "mem=M");
    refused("mem=99999999999999999999 --", "mem=99999999999999999999");
    refused("mem=17179869184G --", "mem=17179869184G");  // 2^64 bytes
    refused("speed=9 --", "speed=9");

    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
