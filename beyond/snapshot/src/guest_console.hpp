// The guest's output, on its way to the console, through us.
//
// Whatever the guest prints (its SBI console calls, its virtio console's
// transmit queue) passes through here, so that the controller's answers
// start on a line of their own, and so that the shell's first prompt can
// be noticed, and held back until the first snapshot is taken (see
// sandbox.hpp). The keys go the other way, in host_console.hpp.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace guest_console {

// The guest prints: on to the firmware.
void write(const char* text, size_t size);
void put(char c);

// Has the guest printed its shell's first prompt? It is held back (with
// what follows) until release_prompt(): the first snapshot is taken then,
// and its answer printed first (see sandbox.hpp).
inline constexpr char PROMPT[] = "guest$ ";
bool prompt_waiting();
void release_prompt();

// Before the controller prints an answer: end the guest's line if it is
// in the middle of one, so that the answer has a line of its own.
void start_line();

}  // namespace guest_console
