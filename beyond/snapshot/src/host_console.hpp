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
//
// The keyboard is also the one wire between the sandbox and whoever
// controls it: Ctrl-] and a key is a command for the hypervisor
// (sandbox.hpp says which), never a key for the guest; Ctrl-] twice sends
// one Ctrl-] to the guest. Reading stops at a command: the keys after it
// wait in the UART until it is carried out, so that keys typed after
// Ctrl-] r reach the restored guest and keys typed before it do not.
#pragma once
#include <stddef.h>
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

// ---- the controller's side ----

inline constexpr char ESCAPE = 0x1d;  // Ctrl-]

// The control channel's keys and commands (control.hpp), into the same
// queue and the same command as the UART's. False: no room for the key
// yet (a reader that does not read has its keys dropped instead).
bool accept_key(uint8_t key);
void accept_command(char command);
void keys_arrived();  // tell the reader

// A command read and not carried out yet: the key that followed Ctrl-]
// (then it is no longer waiting); 0 if there is none.
char take_command();
// Once it is carried out: the keys that followed it, to the guest.
void read_on();

// At each tick of our timer: a reader that has let the queue fill up and
// has not read for a second may never read again (it spins, or it was
// restored to before its read): its keys are dropped from then on, from
// the UART and from the control channel alike, so that the controller's
// commands still get through.
void tick();
uint64_t dropped();  // keys dropped so

// What a snapshot keeps: the keys not taken yet, and whose they are.
inline constexpr size_t QUEUE_SIZE = 65536;
struct Saved {
    uint8_t keys[QUEUE_SIZE];
    size_t count;
    Reader* reader;
};
void save(Saved& saved);
void load(const Saved& saved);

}  // namespace host_console
