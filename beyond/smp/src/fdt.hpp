// Reading a flattened device tree (FDT), the machine description that
// firmware hands to the next stage in a1.
//
// The hypervisor reads a few things from its own device tree: where RAM is
// (/memory, reg), and, from step05 on, where QEMU loaded the file given
// with -initrd, our guest's kernel image (/chosen/linux,initrd-start and
// linux,initrd-end). The format: a header, then a stream of big-endian
// tokens (begin node, property, end node), and a table of property names.
//
// Plain logic, also compiled and tested on the host.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace fdt {

struct Property {
    const uint8_t* data = nullptr;  // nullptr: not found
    uint32_t size = 0;

    bool found() const { return data != nullptr; }
    // A 1- or 2-cell number (big-endian 32 or 64 bits).
    uint64_t as_number() const;
};

// Is this a device tree blob we can read?
bool valid(const void* blob);

// Property `name` of the node at `path` (such as "/chosen"). A path part
// without '@' also matches a node name with a unit address ("memory" matches
// "memory@80000000").
Property find_property(const void* blob, const char* path, const char* name);

uint32_t read_be32(const uint8_t* p);
uint64_t read_be64(const uint8_t* p);

}  // namespace fdt
