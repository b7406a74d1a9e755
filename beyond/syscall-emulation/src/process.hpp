// The process: what a Linux kernel keeps about a running program, as far
// as a single-threaded static program can ask for it. Each system call the
// program makes is a VM exit that lands in `system_call`, which answers it
// from this state, the way the kernel would.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "file_system.hpp"
#include "guest_memory.hpp"
#include "linux.hpp"
#include "vcpu.hpp"

// An open file: the console, a file or a directory of the program's tree,
// or the file given as its standard input (STDIN=).
struct Descriptor {
    enum class Kind : uint8_t { Closed, Console, File } kind = Kind::Closed;
    const Node* node = nullptr;  // Kind::File
    size_t index = 0;            // the node's index in the tree (directories: for getdents);
                                 // Console: which stream (console::OUTPUT or ERROR)
    uint64_t offset = 0;         // where read, lseek and getdents64 are
};

struct Process {
    Process(GuestMemory& memory, const FileSystem& files) : memory(memory), files(files) {}

    GuestMemory& memory;
    const FileSystem& files;

    static constexpr int MAX_FILES = 64;  // RLIMIT_NOFILE
    Descriptor fds[MAX_FILES];

    uint64_t brk_start = 0, brk = 0;  // the heap: [brk_start, brk)

    // Recorded, never used: there is one thread, and no signal is delivered.
    uint64_t clear_child_tid = 0;  // set_tid_address
    uint64_t robust_list = 0;      // set_robust_list
    uint64_t rseq = 0;             // rseq: the area the kernel would keep up to date
    linux::Sigaction actions[linux::SIGNALS + 1] = {};
    uint64_t signal_mask = 0;

    // How it ended: exit_group(status), or killed by a signal.
    bool ended = false;
    int exit_status = 0;
    int signal = 0;  // 0: it exited by itself

    void exit(int status) { ended = true, exit_status = status & 0xff; }
    void kill(int number) { ended = true, signal = number; }
};

// The arguments of a call: a0..a5.
struct Arguments {
    uint64_t a[6];
};

// Answer the system call the program made with ecall (number in a7): its
// result goes to a0 (a negative errno for an error), and the program goes
// on after the ecall, unless it ended.
void system_call(Process& process, Vcpu& vcpu);

// The handlers, by subject, answering with a result or -errno.
long sys_files(Process& p, uint64_t number, const Arguments& args);    // sys_files.cpp
long sys_memory(Process& p, uint64_t number, const Arguments& args);   // sys_memory.cpp
long sys_process(Process& p, uint64_t number, const Arguments& args);  // sys_process.cpp
long sys_time(Process& p, uint64_t number, const Arguments& args);     // sys_time.cpp

// Each says which numbers it answers (for the dispatch).
bool is_file_call(uint64_t number);
bool is_memory_call(uint64_t number);
bool is_process_call(uint64_t number);
bool is_time_call(uint64_t number);

// The exit table: how many calls of each number the program made, and
// which were not emulated.
void print_system_calls();
