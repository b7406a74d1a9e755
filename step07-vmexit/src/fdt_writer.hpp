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

    void property(const char* name, const void* data, size_t size);
    void property(const char* name, const char* string);  // with its '\0'
    void property_empty(const char* name);                // a flag, like "interrupt-controller"
    void property_u32(const char* name, uint32_t value);
    void property_u64_pair(const char* name, uint64_t a, uint64_t b);  // e.g. reg = <base size>
    // A string list, such as "i", "m", "a": the strings one after the other,
    // each with its '\0'.
    void property_strings(const char* name, const char* const* strings, size_t count);

    // Finish the blob; returns its size, or 0 if it did not fit (or nodes
    // were left open).
    size_t finish();

private:
    void put_u32(uint32_t value);
    void put_bytes(const void* data, size_t size);
    uint32_t name_offset(const char* name);

    uint8_t* buffer_;
    size_t capacity_;
    size_t position_;  // end of the structure block so far
    int depth_ = 0;
    bool overflow_ = false;
    static constexpr size_t NAMES_CAPACITY = 512;
    char names_[NAMES_CAPACITY];
    size_t names_size_ = 0;
};
