// The keyboard, read by the hypervisor itself, on the UART's interrupt.
//
// final/ asked the firmware for a key (SBI getchar) only when the guest
// asked us for one, and Linux asks when it polls its console, from a timer:
// a key waited for the next poll, tens of milliseconds. Here the machine's
// UART interrupts us as soon as a key arrives, also while the guest runs
// or sleeps in wfi: its interrupt line goes through the machine's PLIC to
// this hart (an HS external interrupt: a VM exit), we move the keys into a
// queue, and the guest's own UART raises the guest's interrupt in turn.
//
// Output still goes through the firmware (SBI), which writes to the same
// UART and never reads it once we do.
#pragma once
#include <stdint.h>

namespace host_console {

// The UART's receive interrupt on, routed to this hart's supervisor mode.
void start(uint64_t hart_id);

// Who gets the keys: the guest's SBI console reads (nullptr) until a
// device of the guest's takes them over (the UART, when its driver turns
// its receive interrupt on), and that device from then on: no line is
// ever split between two readers.
struct Reader {
    virtual void keys_arrived() = 0;  // raise its interrupt, say
};
void hand_over_to(Reader* device);
// The device stops (its driver reset it): the keys go back to the SBI console.
void give_back(const Reader* device);

// At an HS external interrupt: the keys the UART holds, into the queue,
// and the reader told.
void on_interrupt();

// A key for `reader`, oldest first; -1 if none is waiting for it.
long take(const Reader* reader);
bool waiting(const Reader* reader);

}  // namespace host_console
