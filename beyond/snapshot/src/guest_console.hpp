// The guest's console, now the hypervisor's to read: the one wire between
// the sandbox and whoever controls it.
//
// QEMU's virt board has one UART. final/ let the guest's reads go straight
// to the firmware (a key for the guest, or none). Here the hypervisor reads
// every key itself, at each of the guest's console reads and at each tick
// of its own timer (watchdog.hpp), so that a guest that spins or never
// reads still cannot keep a key from it. Keys go into a queue the guest
// reads from, except for the controller's commands: Ctrl-] and one key
// (sandbox.hpp says which). Ctrl-] twice sends one Ctrl-] to the guest.
//
// Reading stops at a command: the keys after it wait in the UART until the
// command is carried out, so that keys typed after Ctrl-] r reach the
// restored guest and keys typed before it do not.
//
// The guest's output passes through here too, on its way to the firmware,
// so that the controller's answers start on a line of their own, and so
// that the shell's first prompt can be noticed, and held back until the
// first snapshot is taken (see sandbox.hpp).
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace guest_console {

inline constexpr char ESCAPE = 0x1d;  // Ctrl-]
inline constexpr size_t QUEUE_SIZE = 4096;

// ---- the guest's side ----

// The guest prints (SBI console calls): on to the firmware.
void write(const char* text, size_t size);
void put(char c);

// The guest reads: a key (or -1 when none is waiting), or up to `size` keys
// into `buffer` (returns how many).
long getchar();
size_t read(uint8_t* buffer, size_t size);

// ---- the hypervisor's side ----

// Read what the firmware has, up to the next command.
void poll();

// A command read and not carried out yet: the key that followed Ctrl-]
// (then it is no longer waiting); 0 if there is none.
char take_command();
bool command_waiting();

// Has the guest printed its shell's first prompt? It is held back (with
// what follows) until release_prompt(): the first snapshot is taken then,
// and its answer printed first (see sandbox.hpp).
inline constexpr char PROMPT[] = "guest$ ";
bool prompt_waiting();
void release_prompt();

// Before the controller prints an answer: end the guest's line if it is
// in the middle of one, so that the answer has a line of its own.
void start_line();

// Keys dropped because the guest let its queue fill up and stopped reading.
uint64_t dropped();

// What a snapshot keeps: the keys the guest has not read yet.
struct Queue {
    uint8_t keys[QUEUE_SIZE];
    size_t count;
};
void save(Queue& queue);
void load(const Queue& queue);

}  // namespace guest_console
