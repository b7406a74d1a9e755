// Reading a cpio archive in the "newc" format, the one Linux's initramfs
// uses: for each file a 110-byte header of hexadecimal fields (its mode,
// size, name length...), its name, its bytes, each padded to 4 bytes; a
// last entry named TRAILER!!! ends it.
//
// `make run` packs what the program needs into one such archive, which
// QEMU loads next to the hypervisor (-initrd): the program (`program`), the
// file given as its standard input (`stdin`, with STDIN=), and the
// directory given as its file system (`files/...`, with FILES=).
//
// Plain logic, also compiled and tested on the host.
#pragma once
#include <stddef.h>
#include <stdint.h>

struct CpioEntry {
    const char* name;  // as archived, "./" taken off the front; not '\0'-terminated
    size_t name_length;
    uint32_t mode;      // file type and permissions, as st_mode
    uint64_t mtime;     // seconds since 1970
    const uint8_t* data;
    uint64_t size;
};

class CpioReader {
public:
    CpioReader(const uint8_t* archive, size_t size) : at_(archive), end_(archive + size) {}

    // The next entry; false at the trailer, or at an error (see error()).
    bool next(CpioEntry& entry);
    const char* error() const { return error_; }

private:
    const uint8_t* at_;
    const uint8_t* end_;
    const char* error_ = nullptr;
};

// Is the entry's name `name`?
bool cpio_name_is(const CpioEntry& entry, const char* name);
