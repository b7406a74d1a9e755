// A guest that reaches outside its RAM: a load, a store or a jump to a
// guest physical address the test chooses (its MMU is off, so the address
// it uses is the guest physical one). Guest RAM is 0x80000000..0x84000000;
// everything else is unmapped in the G-stage table, so each of these
// accesses is a guest-page fault that the hypervisor must refuse.
//
// Each access is at a global label (bad_load, bad_store, bad_jump) so that
// the test can find its pc in the symbol table.
#include "guest.hpp"

namespace {

[[gnu::noinline]] uint64_t load_from(uint64_t address) {
    uint64_t value;
    asm volatile(".global bad_load\nbad_load: ld %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    return value;
}

// The value stored is the command that would make QEMU exit with status
// 42, should the store ever reach QEMU's test device (at 0x100000 on the
// host; never mapped into the guest).
[[gnu::noinline]] void store_to(uint64_t address) {
    constexpr uint64_t EXIT_42 = 42 << 16 | 0x3333;
    asm volatile(".global bad_store\nbad_store: sd %0, 0(%1)" ::"r"(EXIT_42), "r"(address)
                 : "memory");
}

[[gnu::noinline]] void jump_to(uint64_t address) {
    asm volatile(".global bad_jump\nbad_jump: jalr ra, 0(%0)" ::"r"(address) : "ra", "memory");
}

}  // namespace

extern "C" void guest_main(uint64_t, uint64_t) {
    const uint64_t address = test_arguments.address;
    if (action_is("load")) {
        say("memory: load from {}", address);
        const uint64_t value = load_from(address);
        say("memory: the load gave {}", value);
    } else if (action_is("store")) {
        say("memory: store to {}", address);
        store_to(address);
    } else if (action_is("jump")) {
        say("memory: jump to {}", address);
        jump_to(address);
    } else {
        fail("memory: unknown action");
    }
    fail("memory: the hypervisor let the access through");
}
