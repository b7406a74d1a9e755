// The control channel: a wire between the hypervisor and the program that
// drives the sandbox (the sandbox library, sandbox/ at the top of the
// repository), which the guest can neither touch nor imitate.
//
// On the console, the guest's bytes and ours share one stream: a guest
// that prints "[snapshot] restored pages=1 us=1 copy=dirty" prints a line
// no reader can tell from ours. With `control` among our options (before
// `--` in QEMU's -append; the library puts it there, and so does `make run
// CONTROL=socket`), QEMU gives the machine a virtio console of its own, on
// a socket the library reads, and the hypervisor is its driver (as
// host_disk drives a disk in beyond/virtio-blk). On it, everything travels
// in frames:
//
//     kind (1 byte), length (4 bytes, little-endian), payload
//
//   to us:    'K'  keys for the guest (any byte: Ctrl-] is not special)
//             'C'  a command for the sandbox, one key: s, r, f or i
//   from us:  'G'  what the guest printed, on any of its consoles
//             'H'  a line of ours: "[snapshot] taken ...", "[hypervisor]
//                  the guest powered off", ...
//
// The guest's bytes only ever travel inside 'G' frames, whose length we
// write: no sequence of them can end one and start an 'H'.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "format.hpp"

namespace control {

// Find QEMU's virtio console and set it up, its interrupt routed to this
// hart through the machine's PLIC; false if there is none.
bool start(uint64_t hart_id);
bool active();
unsigned interrupt_source();  // its line on the machine's PLIC

// Its interrupt: frames in. Keys go to host_console's queue; a command
// stops the reading until it is carried out (resume()). poll() reads on
// (after each exit: the queue may have room again).
void on_interrupt();
void poll();
void resume();

// A frame out; waits until QEMU has taken it.
void send(char kind, const void* data, size_t size);

// A line of ours for the controller: an 'H' frame when there is a control
// channel, else a line of its own on the console, as println prints.
template <typename... Args>
void report(const char* format, const Args&... args);

// ---- the machinery behind it ----

struct Line : fmt::Output {
    char text[256] = {};  // '\0'-terminated
    size_t size = 0;
    void put(char c) override {
        if (size < sizeof text - 1) text[size++] = c;
    }
};
void report_line(const Line& line);

template <typename... Args>
void report(const char* format, const Args&... args) {
    Line line;
    fmt::format(line, format, args...);
    report_line(line);
}

}  // namespace control
