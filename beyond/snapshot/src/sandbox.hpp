// The sandbox: a guest that its controller can put back, in a millisecond,
// the way it was.
//
// The controller is whoever drives the guest: a person at the console, or
// the program that runs an AI agent's commands in it and wants the clean
// machine back after each attempt. It speaks in-band, on the console
// (host_console.hpp), with Ctrl-] and a key:
//
//     s   take a snapshot (again: the new one replaces the old)
//     r   restore it: copy back the pages written since
//     f   restore it with a full copy of guest RAM (the reference)
//     i   its size and age
//
// and gets one line back for each, of a fixed form a program can parse:
//
//     [snapshot] taken pages=16384 copied=16384 us=61234
//     [snapshot] restored pages=312 us=870 copy=dirty
//     [snapshot] status pages=16384 dirty=57 restores=3 age_ms=5230
//     [snapshot] status none
//     [snapshot] refused reason=no-snapshot
//     [snapshot] refused reason=unknown-command key=0x78
//
// The first snapshot is taken by itself, when the shell first prints its
// prompt (guest_console::PROMPT), and its answer comes before the prompt:
// a controller that sees the prompt has a sandbox to reset. The guest's
// first console read would be no such sign: Linux polls the console from
// the moment it opens it, before the shell even runs.
//
// Guest kernels (bare-metal tests) have the same through a hypercall, SBI
// extension 0x0A004856: in the firmware-specific space, whose ids end with
// the SBI implementation's (ours is 0x4856). A guest's user programs cannot
// reach it: their ecall goes to the guest's kernel (hedeleg).
//
//     function 0  take: a0 = 0 and a1 = 0; when a restore resumes the guest
//                 from this snapshot, the same call returns again, with
//                 a1 = 1 (like fork, or setjmp)
//     function 1  restore: does not return (the guest resumes in take)
//     function 2  how many pages a restore would copy back now
//     function 3  how many restores since the snapshot was taken
//
// Without a snapshot, functions 1 to 3 answer SBI_ERR_INVALID_STATE (-10).
//
// Snapshots and restores happen between two exits, when the guest stands
// still (its registers saved, no exit half handled): between_exits().
#pragma once
#include <stdint.h>

#include "guest_memory.hpp"
#include "print.hpp"
#include "snapshot.hpp"
#include "vcpu.hpp"

class Sandbox {
public:
    Sandbox(GuestMemory& memory, const Devices& devices) : snapshot_(memory, devices) {}

    // The guest called sbi::Extension::Snapshot: answer it (a0, a1, pc).
    void hypercall(Vcpu& vcpu);

    // Take or restore what was asked for since the last exit, if anything.
    void between_exits(Vcpu& vcpu);

private:
    enum class Asked { Nothing, Take, Restore };  // by the guest

    void obey(Vcpu& vcpu, char key);
    void take(Vcpu& vcpu, bool by_guest);
    void restore(Vcpu& vcpu, bool full, bool by_guest);
    bool answer(bool by_guest);  // false: not printed (a guest asking too often)
    void verify();

    Snapshot snapshot_;
    Asked asked_ = Asked::Nothing;
    // The guest may ask in a loop: its answers are counted, not all printed.
    LogLimit guest_answers_{"snapshot hypercalls"};
};
