// The program's terminal: QEMU's console, through the firmware.
//
// The program is told its standard streams are a terminal (isatty says
// yes, as it does under Linux on /dev/console), so the console behaves as
// one in canonical mode: what is typed is echoed, a line can be corrected
// with Backspace before Enter sends it, read() returns at most one line,
// Ctrl-D at the start of a line is the end of input, and Ctrl-C kills the
// program (SIGINT). Under Linux the terminal driver does all this; here
// there is nobody else to do it.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace console {

// The program's two output streams (a console descriptor's `index` says
// which): the same console, but the control channel keeps them apart.
enum Stream : size_t { OUTPUT = 1, ERROR = 2 };

// Print the program's bytes.
void write(Stream stream, const uint8_t* data, size_t size);

// What read() got: `size` bytes of a line (0: the end of input), or the
// user pressed Ctrl-C.
struct Input {
    size_t size;
    bool interrupted;
};
// Wait for a line (or what is left of one) and take up to `capacity`
// bytes of it into `to`.
Input read(uint8_t* to, size_t capacity);

// The terminal's ECHO flag (the program may turn it off: TCSETS).
void set_echo(bool on);
bool echo();

// As a new terminal is, for the next program: no line half typed, echo on.
void reset();

}  // namespace console
