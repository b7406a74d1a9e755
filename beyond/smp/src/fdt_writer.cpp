#include "fdt_writer.hpp"

namespace {

constexpr uint32_t MAGIC = 0xd00d'feed;
constexpr uint32_t VERSION = 17, LAST_COMPATIBLE_VERSION = 16;
enum Token : uint32_t { BEGIN_NODE = 1, END_NODE = 2, PROP = 3, END = 9 };

constexpr size_t HEADER_SIZE = 40;
constexpr size_t STRUCTURE_START = HEADER_SIZE + 16;  // after the reservation block's end marker

size_t length(const char* s) {
    size_t n = 0;
    while (s[n] != '\0') n++;
    return n;
}

void write_be32(uint8_t* p, uint32_t value) {
    for (int i = 0; i < 4; i++) p[i] = static_cast<uint8_t>(value >> (24 - 8 * i));
}

}  // namespace

FdtWriter::FdtWriter(uint8_t* buffer, size_t capacity)
    : buffer_(buffer), capacity_(capacity), position_(STRUCTURE_START) {
    overflow_ = capacity_ < STRUCTURE_START;
}

void FdtWriter::put(const void* data, size_t size) {
    const size_t padded = (size + 3) & ~size_t{3};  // tokens are 4-byte aligned
    if (overflow_ || padded > capacity_ - position_) {
        overflow_ = true;
        return;
    }
    const auto* bytes = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < padded; i++) buffer_[position_ + i] = i < size ? bytes[i] : 0;
    position_ += padded;
}

void FdtWriter::put_u32(uint32_t value) {
    uint8_t bytes[4];
    write_be32(bytes, value);
    put(bytes, 4);
}

void FdtWriter::begin_node(const char* name) {
    put_u32(BEGIN_NODE);
    put(name, length(name) + 1);
    depth_++;
}

void FdtWriter::end_node() {
    put_u32(END_NODE);
    depth_--;
}

// A property: its value's size, where its name is in the names block, the value.
void FdtWriter::property(const char* name, const void* data, size_t size) {
    const size_t name_size = length(name) + 1;
    if (name_size > sizeof names_ - names_size_) overflow_ = true;
    if (overflow_) return;
    for (size_t i = 0; i < name_size; i++) names_[names_size_ + i] = name[i];
    put_u32(PROP);
    put_u32(static_cast<uint32_t>(size));
    put_u32(static_cast<uint32_t>(names_size_));
    put(data, size);
    names_size_ += name_size;
}

void FdtWriter::property(const char* name, const char* string) {
    property(name, string, length(string) + 1);
}

void FdtWriter::property_u32(const char* name, uint32_t value) {
    uint8_t bytes[4];
    write_be32(bytes, value);
    property(name, bytes, 4);
}

void FdtWriter::property_u64_pair(const char* name, uint64_t a, uint64_t b) {
    uint8_t bytes[16];
    const uint64_t cells[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        write_be32(bytes + 8 * i, static_cast<uint32_t>(cells[i] >> 32));
        write_be32(bytes + 8 * i + 4, static_cast<uint32_t>(cells[i]));
    }
    property(name, bytes, 16);
}

size_t FdtWriter::finish() {
    put_u32(END);
    const size_t structure_size = position_ - STRUCTURE_START;
    const size_t names_start = position_;
    put(names_, names_size_);
    if (overflow_ || depth_ != 0) return 0;
    const size_t total = names_start + names_size_;

    const uint32_t header[10] = {
        MAGIC,
        static_cast<uint32_t>(total),
        static_cast<uint32_t>(STRUCTURE_START),  // off_dt_struct
        static_cast<uint32_t>(names_start),      // off_dt_strings
        static_cast<uint32_t>(HEADER_SIZE),      // off_mem_rsvmap: empty, just its end marker
        VERSION,
        LAST_COMPATIBLE_VERSION,
        0,                                       // boot_cpuid_phys
        static_cast<uint32_t>(names_size_),      // size_dt_strings
        static_cast<uint32_t>(structure_size),   // size_dt_struct
    };
    for (int i = 0; i < 10; i++) write_be32(buffer_ + 4 * i, header[i]);
    for (size_t i = HEADER_SIZE; i < STRUCTURE_START; i++) buffer_[i] = 0;
    return total;
}
