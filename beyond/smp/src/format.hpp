// A small {}-style formatter, in the spirit of C++20's std::format.
//
//   format(out, "x = {} ({:#x}), name = {}", 42, 42, "hello")
//
// Placeholders: {} prints the argument in its natural form; {:x} in hex;
// {:#x} in hex with a 0x prefix; a width such as {:8} or {:016x} pads
// numbers on the left (with zeros when the width starts with 0) and strings
// on the right. {{ and }} print braces. This file is plain logic with no hardware in it, so it is also
// compiled and unit-tested on the host.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace fmt {

// Where formatted characters go: the console, a buffer in a test, ...
struct Output {
    virtual void put(char c) = 0;
};

// One argument, its type erased so that the formatting code is not a
// template (and so is compiled once, not once per call site).
struct Arg {
    enum class Kind { Signed, Unsigned, Char, String, Pointer, Bool };
    Kind kind;
    union {
        int64_t s;
        uint64_t u;
        const char* str;
        const void* ptr;
    };

    Arg(int v) : kind(Kind::Signed), s(v) {}
    Arg(long v) : kind(Kind::Signed), s(v) {}
    Arg(long long v) : kind(Kind::Signed), s(v) {}
    Arg(unsigned v) : kind(Kind::Unsigned), u(v) {}
    Arg(unsigned long v) : kind(Kind::Unsigned), u(v) {}
    Arg(unsigned long long v) : kind(Kind::Unsigned), u(v) {}
    Arg(char v) : kind(Kind::Char), u(static_cast<unsigned char>(v)) {}
    Arg(bool v) : kind(Kind::Bool), u(v) {}
    Arg(const char* v) : kind(Kind::String), str(v) {}
    Arg(const void* v) : kind(Kind::Pointer), ptr(v) {}
};

void format_args(Output& out, const char* format, const Arg* args, size_t count);

template <typename... Args>
void format(Output& out, const char* format, const Args&... args) {
    const Arg erased[] = {Arg(args)..., Arg(0)};  // the extra one: never empty
    format_args(out, format, erased, sizeof...(args));
}

}  // namespace fmt
