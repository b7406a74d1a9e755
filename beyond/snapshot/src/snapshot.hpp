// A snapshot of the whole guest, and putting it back.
//
// The hypervisor owns all of the guest's state. Its RAM is host memory we
// handed it; its CPU is registers we save at every exit anyway, or that it
// left in the CPU (cpu_state.hpp); its devices are objects of ours (the
// PLIC, the UART, the virtio console with its queues' indices, the keys
// not taken yet). So a snapshot is a copy of the three, and a restore puts
// the copy back: the guest goes on from the moment of the snapshot, and
// cannot tell. (The queues' rings are in guest RAM: copied with it.)
//
// RAM is most of it: 64 MiB by default, against a few hundred bytes of CPU.
// The first snapshot copies all of it. From then on the dirty log
// (dirty_log.hpp) says which pages were written since, and only those are
// copied: back to the guest by a restore, forward into the copy by the
// next snapshot. restore_full() copies all of it instead: the reference a
// dirty restore is measured and checked against.
//
// Build with DEFINES=-DSNAPSHOT_VERIFY to compare all of guest RAM with the
// copy after each snapshot and restore (Sandbox prints the result).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "cpu_state.hpp"
#include "guest_memory.hpp"
#include "host_console.hpp"
#include "plic.hpp"
#include "uart.hpp"
#include "vcpu.hpp"
#include "virtio_console.hpp"

// The guest's devices: objects whose state is all in them.
struct Devices {
    Plic& plic;
    Uart& uart;
    VirtioConsole& console;
};

class Snapshot {
public:
    // Room for the copy of guest RAM (as large as it): found now, at boot,
    // so that a machine without it stops with a clear message.
    Snapshot(GuestMemory& memory, const Devices& devices);

    struct Cost {
        size_t pages;    // of RAM copied
        uint64_t ticks;  // of the 10 MHz `time`
    };
    Cost take(const Vcpu& vcpu);
    Cost restore(Vcpu& vcpu);       // the pages written since: the point of all this
    Cost restore_full(Vcpu& vcpu);  // all of guest RAM
    // The guest resumes from this snapshot with `value` in register `reg`
    // (a take hypercall returns twice, like fork: see sandbox.hpp).
    void resume_with(int reg, uint64_t value) { cpu_.x[reg] = value; }

    bool taken() const { return taken_; }
    size_t pages() const { return log_.pages(); }       // of guest RAM
    size_t dirty_pages() const { return log_.count(); }  // a restore would copy back
    uint64_t taken_at() const { return taken_at_; }     // our `time`
    uint64_t restores() const { return restores_; }     // since it was taken

    // All the pages of guest RAM that differ from the copy (0 after a take
    // or a restore), and the guest physical address of the first.
    size_t differing_pages(uint64_t& first) const;

private:
    void restore_the_rest(Vcpu& vcpu);

    uint8_t* in_ram(size_t page) const { return ram_ + page * gstage::PAGE_SIZE; }
    uint8_t* in_copy(size_t page) const { return copy_ + page * gstage::PAGE_SIZE; }

    GuestMemory& memory_;
    DirtyLog& log_;
    Devices devices_;
    uint8_t* ram_;   // guest RAM, in our memory
    uint8_t* copy_;  // the snapshot's copy of it
    CpuState cpu_{};
    Plic plic_copy_;
    Uart uart_copy_;
    VirtioConsole console_copy_;
    host_console::Saved keys_{};
    bool taken_ = false;
    uint64_t taken_at_ = 0;
    uint64_t restores_ = 0;
};
