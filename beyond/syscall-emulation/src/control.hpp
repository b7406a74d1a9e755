// The control channel: how a program (the sandbox library, sandbox/ at the
// top of the repository) hands us Linux programs to run and gets back
// what they printed and how they ended, on a wire of its own.
//
// On the console, the program's output and our own lines share one stream,
// and the firmware adds a \r before each \n: no byte-exact stdout, no way
// to tell stdout from stderr, or our lines from the program's. With
// `control` among our options (before `--` in QEMU's -append; make run
// CONTROL=socket puts it there, and the QEMU device), QEMU gives the
// machine a virtio console of its own, on a Unix socket, and we drive it
// (as beyond/snapshot does). Frames, both ways:
//
//     kind (1 byte), length (4 bytes, little-endian), payload
//
//   to us:    'L'  a program and its files: a cpio archive, as make run
//                  packs it (kept until the next 'L')
//             'R'  run it: u32 length of its standard input, the input,
//                  then its command line, a word each, each ended by '\0'
//   from us:  'O', 'E'  what it wrote to its standard output, its error
//             'X'  it ended: i32 its exit status, or -N if killed by signal N
//             'H'  a line of ours (why it was killed, or a refusal)
//             'W'  waiting for a program (once ready, and after each 'X')
//
// One machine runs program after program: between two, the world is
// reset (memory, files, descriptors, clocks), nothing of one left to the
// next.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace control {

// Find QEMU's virtio console and set it up, its interrupt routed to this
// hart (we sleep until it while no frame comes); false if there is none.
bool start(unsigned hart_id);
bool active();

// A frame out; waits until QEMU has taken it. Our lines (println) go out
// as 'H' frames by themselves once the channel is active.
void send(char kind, const void* data, size_t size);

// The next frame in: its kind and the length of its payload, which take()
// then copies (or skip() drops). Waits for one.
char next_frame(size_t& size);
void take(uint8_t* into, size_t size);
void skip(size_t size);

}  // namespace control
