// Writing a flattened device tree (FDT): the description of the machine
// that Linux reads at boot, from the address in a1.
//
// The blob is a header, an (empty) memory reservation block, a structure
// block of big-endian tokens (begin node, property, end node) and a block
// of property names. We write the structure block as we go and keep the
// names aside, then glue everything together in finish().
//
// Plain logic, also compiled and tested on the host (and checked by dtc).
#pragma once
#include <stddef.h>
#include <stdint.h>

class FdtWriter {
public:
    FdtWriter(uint8_t* buffer, size_t capacity);

    void begin_node(const char* name);
    void end_node();

    void property(const char* name, const void* data, size_t size);  // size 0: a flag
    void property(const char* name, const char* string);             // with its '\0'
    void property_u32(const char* name, uint32_t value);
    void property_u64_pair(const char* name, uint64_t a, uint64_t b);  // e.g. reg = <base size>

    // Finish the blob; returns its size, or 0 if it did not fit (or nodes
    // were left open).
    size_t finish();

private:
    void put(const void* data, size_t size);  // into the structure block, padded to 4 bytes
    void put_u32(uint32_t value);

    uint8_t* buffer_;
    size_t capacity_;
    size_t position_;  // end of the structure block so far
    int depth_ = 0;
    bool overflow_ = false;
    char names_[1024];  // the names block: each property's name, '\0'-terminated
    size_t names_size_ = 0;
};
