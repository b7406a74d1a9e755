// A guest with its MMU on (Sv39), which makes the hypervisor's job of
// reading a faulting instruction harder: the hypervisor fetches it with
// hlvx, through the guest's own page table, and that page table is the
// guest's to change.
//
// "mmio-through-mmu": a device access from a page mapped at virtual
// 0x40000000 works as with the MMU off; "execute-only" too, with that page
// mapped execute-only (which QEMU 7.2's hlvx mishandles).
// "stale-mapping": the guest unmaps that page but skips sfence.vma, which
// the architecture allows it to do: the CPU may still run the page's code
// from its TLB, while the hypervisor's hlvx walks the page table and finds
// nothing. The hypervisor must not fault on it (it used to PANIC). Whether
// the CPU does use the stale entry is up to it: QEMU 7.2 does; QEMU 10 has
// forgotten it after the VM exit, and the fetch faults in the guest, whose
// handler reports it.
#include "guest.hpp"

namespace {

// Page table entry bits.
constexpr uint64_t V = 1 << 0, R = 1 << 1, W = 1 << 2, X = 1 << 3, A = 1 << 6, D = 1 << 7;
constexpr uint64_t SATP_SV39 = 8ull << 60;
constexpr uint64_t GIGA = 1ull << 30;
constexpr uint64_t MAPPED_CODE = 0x4000'0000;  // where the code page appears

alignas(4096) uint64_t root[512];
alignas(4096) uint64_t level1[512];
alignas(4096) uint64_t level0[512];

uint64_t pte(uint64_t physical, uint64_t flags) { return (physical >> 12) << 10 | flags; }
uint64_t table(const uint64_t* next) { return pte(reinterpret_cast<uint64_t>(next), V); }

}  // namespace

// The page mapped at MAPPED_CODE: read one byte of a device, return it.
asm(R"(
    .section .own_page, "ax"
    .global device_read
device_read:
    lbu     a0, 0(a0)
    ret
    .previous
)");
extern "C" char device_read[];

namespace {

// Identity-map the devices' gigabyte (read/write) and RAM's (everything),
// and device_read's page at MAPPED_CODE, with `code_permissions`.
void turn_the_mmu_on(uint64_t code_permissions) {
    root[0] = pte(0, V | R | W | A | D);
    root[2] = pte(RAM_BASE, V | R | W | X | A | D);
    root[MAPPED_CODE / GIGA] = table(level1);
    level1[0] = table(level0);
    level0[0] = pte(reinterpret_cast<uint64_t>(device_read), V | A | code_permissions);
    asm volatile("sfence.vma" ::: "memory");
    write_satp(SATP_SV39 | reinterpret_cast<uint64_t>(root) >> 12);
    asm volatile("sfence.vma" ::: "memory");
}

void on_trap(TrapFrame& frame) {
    say("mmu: trap: scause {}, sepc {}", read_scause(), frame.sepc);
    power_off();
}

uint64_t read_through_mapped_code(uint64_t address) {
    auto code = reinterpret_cast<uint64_t (*)(uint64_t)>(MAPPED_CODE);
    return code(address);
}

}  // namespace

extern "C" void guest_main(uint64_t, uint64_t) {
    constexpr uint64_t LINE_STATUS = UART_BASE + 5;
    const bool execute_only = action_is("execute-only");
    turn_the_mmu_on(execute_only ? X : R | X);
    say("mmu: on, device_read mapped at {}{}", MAPPED_CODE, execute_only ? ", execute-only" : "");
    say("mmu: line status read by code at {} = {}", MAPPED_CODE,
        read_through_mapped_code(LINE_STATUS));
    if (action_is("mmio-through-mmu") || execute_only) power_off();
    if (!action_is("stale-mapping")) fail("mmu: unknown action");

    // From here to the last call, no VM exit (no say()): an exit flushes
    // the TLB on QEMU, and the stale translation is what we need.
    install_trap_handler(on_trap);
    read_through_mapped_code(LINE_STATUS);  // the TLB now holds MAPPED_CODE
    level0[0] = 0;                         // unmapped, and no sfence.vma
    read_through_mapped_code(LINE_STATUS);  // still runs, from the TLB
    fail("mmu: the hypervisor emulated an access whose instruction it cannot have read");
}
