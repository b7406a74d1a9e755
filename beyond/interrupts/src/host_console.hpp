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

// At an HS external interrupt: the keys the UART holds, into the queue.
// True if any arrived.
bool on_interrupt();

// Who gets the keys: the guest's SBI console reads, until the guest's UART
// driver turns its receive interrupt on; from then on the UART, for good.
// So no line is ever split between the two.
enum class Reader { Sbi, Uart };
void hand_over_to(Reader reader);

// A key for `reader`, oldest first; -1 if none is waiting for it.
long take(Reader reader);
bool waiting(Reader reader);

}  // namespace host_console
