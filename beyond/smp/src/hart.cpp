#include "hart.hpp"

#include "alloc.hpp"
#include "memlayout.hpp"
#include "print.hpp"
#include "riscv.hpp"
#include "sbi.hpp"
#include "watchdog.hpp"

extern "C" char secondary_start[];  // boot.S
extern "C" {
hart::Hart* hart_table[memlayout::MAX_HARTS];  // where boot.S finds a Hart, by its id
}

namespace hart {
namespace {

Hart harts[memlayout::MAX_HARTS];
uint32_t ending = 0;  // a hart is ending the machine

constexpr uint64_t HALT_WAIT = 1'000'000;  // ticks of the 10 MHz `time`: 100 ms

[[noreturn]] void park(Hart& self) {
    riscv::write_sie(0);
    __atomic_store_n(&self.halted, 1u, __ATOMIC_RELEASE);
    for (;;) riscv::wfi();
}

}  // namespace

void init(uint64_t boot_hart) {
    if (sbi::hart_exists(memlayout::MAX_HARTS))
        PANIC("QEMU has more than {} harts (-smp): this hypervisor runs at most {} "
              "(MAX_HARTS, memlayout.hpp)", memlayout::MAX_HARTS, memlayout::MAX_HARTS);
    if (boot_hart >= memlayout::MAX_HARTS) PANIC("booted on hart {}, past MAX_HARTS", boot_hart);
    for (uint64_t id = 0; id < memlayout::MAX_HARTS; id++) {
        harts[id].id = id;
        harts[id].present = sbi::hart_exists(id);
    }
    asm volatile("mv tp, %0" ::"r"(&harts[boot_hart]));
}

unsigned start_others() {
    unsigned count = 1;
    for (Hart& other : harts) {
        if (!other.present || &other == &current()) continue;
        count++;
        const auto stack = reinterpret_cast<uintptr_t>(
            heap::allocate_uninitialized(memlayout::HART_STACK_SIZE, 16));
        other.stack_top = stack + memlayout::HART_STACK_SIZE;
        hart_table[other.id] = &other;
        const long error = sbi::hart_start(other.id, reinterpret_cast<uintptr_t>(secondary_start),
                                           reinterpret_cast<uintptr_t>(&other));
        if (error != 0) PANIC("the firmware did not start hart {}: error {}", other.id, error);
    }
    return count;
}

Hart& current() {
    Hart* self;
    asm("mv %0, tp" : "=r"(self));
    return *self;
}

Hart* find(uint64_t id) {
    return id < memlayout::MAX_HARTS && harts[id].present ? &harts[id] : nullptr;
}

uint64_t present_mask() {
    uint64_t mask = 0;
    for (const Hart& hart : harts) mask |= uint64_t{hart.present} << hart.id;
    return mask;
}

// Requests first, then the ticket: a hart that sees the ticket sees the
// requests (serve() reads them the other way round).
uint64_t ask(Hart& target, uint32_t requests) {
    __atomic_fetch_or(&target.requests, requests, __ATOMIC_SEQ_CST);
    const uint64_t ticket = __atomic_add_fetch(&target.asked, 1, __ATOMIC_SEQ_CST);
    if (&target == &current()) serve();
    else sbi::send_ipi(target.id);
    return ticket;
}

void wait(const Hart& target, uint64_t ticket) {
    while (__atomic_load_n(&target.answered, __ATOMIC_ACQUIRE) < ticket) serve();
}

void serve() {
    Hart& self = current();
    // Clear the IPI first: one that comes while we serve is seen again.
    riscv::clear_sip(riscv::SIE_SSIE);
    const uint64_t asked = __atomic_load_n(&self.asked, __ATOMIC_SEQ_CST);
    const uint32_t requests = __atomic_exchange_n(&self.requests, 0u, __ATOMIC_SEQ_CST);
    if (requests & GuestIpi) {
        riscv::set_hvip(riscv::guest_interrupt::SOFTWARE);
        self.served.guest_ipis++;
        __atomic_store_n(&self.guest_ipi_at, riscv::read_time(), __ATOMIC_RELAXED);
    }
    if (requests & FenceI) riscv::fence_i(), self.served.fences_i++;
    if (requests & FlushTlb) riscv::hfence_vvma_all(), self.served.tlb_flushes++;
    __atomic_store_n(&self.answered, asked, __ATOMIC_RELEASE);
    if (requests & Halt) park(self);
}

void idle() {
    // Our timer, due, would end every wfi at once: we do not take it here.
    if (riscv::read_sip() & riscv::SIE_STIE) watchdog::rearm();
    riscv::wfi();
}

void halt_others() {
    Hart& self = current();
    if (__atomic_exchange_n(&ending, 1u, __ATOMIC_ACQ_REL) != 0) park(self);
    for (Hart& other : harts)
        if (other.present && &other != &self) ask(other, Halt);
    const uint64_t give_up = riscv::read_time() + HALT_WAIT;
    for (const Hart& other : harts)
        while (other.present && &other != &self && riscv::read_time() < give_up &&
               __atomic_load_n(&other.halted, __ATOMIC_ACQUIRE) == 0) {}
}

}  // namespace hart
