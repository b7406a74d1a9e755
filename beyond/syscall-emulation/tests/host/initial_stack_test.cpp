// The initial stack (src/initial_stack.cpp): argc, argv, envp and auxv where
// glibc's _start looks for them.
// The stage's headers first: the host's C library defines EFAULT, AT_RANDOM...
// as macros, which would garble linux.hpp.
#include "initial_stack.hpp"
#include "linux.hpp"

#include <cstring>
#include <map>
#include <string>

#include "check.hpp"

int main() {
    static uint8_t buffer[16384];
    constexpr uint64_t TOP = 0x100000000;
    const char* argv[] = {"hello", "try", "catch"};
    StartInfo info{argv, 3, 0x105d4, 0x10040, 7, 0x112d, {}};
    for (int i = 0; i < 16; i++) info.random[i] = static_cast<uint8_t>(i * 17);
    const uint64_t sp = build_initial_stack(buffer, sizeof buffer, TOP, info);
    CHECK(sp != 0 && sp % 16 == 0 && sp < TOP && TOP - sp < sizeof buffer);

    const uint64_t bottom = TOP - sizeof buffer;
    auto word = [&](uint64_t address) {
        uint64_t value;
        std::memcpy(&value, buffer + (address - bottom), 8);
        return value;
    };
    auto string = [&](uint64_t address) { return std::string(reinterpret_cast<char*>(buffer + (address - bottom))); };

    CHECK(word(sp) == 3);  // argc
    CHECK(string(word(sp + 8)) == "hello");
    CHECK(string(word(sp + 16)) == "try");
    CHECK(string(word(sp + 24)) == "catch");
    CHECK(word(sp + 32) == 0);  // argv's end
    CHECK(word(sp + 40) == 0);  // envp: empty
    std::map<uint64_t, uint64_t> aux;
    uint64_t at = sp + 48;
    for (; word(at) != linux::AT_NULL; at += 16) aux[word(at)] = word(at + 8);
    CHECK(aux[linux::AT_PHDR] == 0x10040);
    CHECK(aux[linux::AT_PHENT] == 56);
    CHECK(aux[linux::AT_PHNUM] == 7);
    CHECK(aux[linux::AT_PAGESZ] == 4096);
    CHECK(aux[linux::AT_ENTRY] == 0x105d4);
    CHECK(aux[linux::AT_HWCAP] == 0x112d);
    CHECK(aux[linux::AT_CLKTCK] == 100);
    CHECK(aux.count(linux::AT_UID) && aux.count(linux::AT_EUID) && aux.count(linux::AT_GID) &&
          aux.count(linux::AT_EGID) && aux.count(linux::AT_SECURE));
    CHECK(aux[linux::AT_SECURE] == 0);
    CHECK(std::memcmp(buffer + (aux[linux::AT_RANDOM] - bottom), info.random, 16) == 0);
    CHECK(string(aux[linux::AT_EXECFN]) == "hello");
    CHECK(string(aux[linux::AT_PLATFORM]) == "riscv64");
    // Everything it points to lies above the vectors, below the top.
    CHECK(aux[linux::AT_RANDOM] > at && aux[linux::AT_RANDOM] + 16 <= TOP);

    // Too little room: refused, not overrun.
    CHECK(build_initial_stack(buffer, 64, TOP, info) == 0);
    return summary();
}
