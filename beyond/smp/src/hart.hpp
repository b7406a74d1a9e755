// The machine's harts, one vCPU on each (main.cpp), and what one hart asks
// of another.
//
// A hart's own state is its Hart, which `tp` points to while we run (the
// world switch keeps our tp while the guest runs, and finds the guest's
// registers through sscratch, which each hart has its own of).
//
// Some work only the hart it is for can do: set its guest's pending
// software interrupt (hvip is a CSR of that hart), flush its TLB, stop. So
// a hart writes a request in the other's mailbox and sends it an IPI of
// ours, through the firmware: a supervisor software interrupt there. If
// that hart is running its guest, the interrupt is a VM exit, a "kick"; the
// `catch` serves the mailbox, and the guest goes on.
#pragma once
#include <stdint.h>

class VmExitHandler;

namespace hart {

// What a hart may be asked to do: bits of its mailbox.
enum Request : uint32_t {
    Wake = 0,           // only look again: its vCPU was started
    GuestIpi = 1 << 0,  // make its guest's software interrupt pending (hvip.VSSIP)
    FenceI = 1 << 1,    // fence.i, for the guest's remote_fence_i
    FlushTlb = 1 << 2,  // hfence.vvma, for its remote_sfence_vma(_asid)
    Halt = 1 << 3,      // stop for good: the machine is ending
};

struct Hart {
    uint64_t stack_top;  // boot.S reads it: keep it first
    uint64_t id;
    bool present;
    VmExitHandler* exits;  // its exit counts, for the table at the end
    uint32_t requests;     // the mailbox, and its tickets: asked, and answered
    uint64_t asked, answered;
    uint32_t halted;
    uint64_t guest_ipi_at;  // `time` when it last made its guest's IPI pending
    struct { uint64_t guest_ipis, fences_i, tlb_flushes; } served;  // done for the others
};

// On the boot hart, first: which harts there are (the firmware knows), and
// `tp`. Panics past MAX_HARTS.
void init(uint64_t boot_hart);
// Start every other hart at boot.S's secondary_start, on a stack of its
// own; returns how many harts there are.
unsigned start_others();

Hart& current();
Hart* find(uint64_t id);  // nullptr: no such hart
uint64_t present_mask();  // bit i: hart i exists

// Post `requests` to `target` and kick it: a ticket for wait(). A request
// to ourselves is done at once.
uint64_t ask(Hart& target, uint32_t requests);
// Until `target` has answered `ticket`. We answer our own mailbox
// meanwhile: `target` may be waiting for us.
void wait(const Hart& target, uint64_t ticket);
// Do what the other harts asked of this one.
void serve();
// Nothing to do until the next interrupt: wfi.
void idle();

// The machine ends: stop every other hart where it is (giving up after
// 100 ms). A hart that ends it too, at the same time, stops here instead.
void halt_others();

}  // namespace hart
