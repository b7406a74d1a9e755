#include "fdt_writer.hpp"

namespace {

constexpr uint32_t MAGIC = 0xd00d'feed;
constexpr uint32_t VERSION = 17;
constexpr uint32_t LAST_COMPATIBLE_VERSION = 16;
enum Token : uint32_t { BEGIN_NODE = 1, END_NODE = 2, PROP = 3, END = 9 };

constexpr size_t HEADER_SIZE = 40;
constexpr size_t RESERVATION_BLOCK_SIZE = 16;  // just the terminating empty entry
constexpr size_t STRUCTURE_START = HEADER_SIZE + RESERVATION_BLOCK_SIZE;

size_t length(const char* s) {
    size_t n = 0;
    while (s[n] != '\0') n++;
    return n;
}

void write_be32(uint8_t* p, uint32_t value) {
    p[0] = value >> 24;
    p[1] = value >> 16;
    p[2] = value >> 8;
    p[3] = value;
}

}  // namespace

FdtWriter::FdtWriter(uint8_t* buffer, size_t capacity)
    : buffer_(buffer), capacity_(capacity), position_(STRUCTURE_START) {
    if (capacity_ < STRUCTURE_START) overflow_ = true;
}

void FdtWriter::put_bytes(const void* data, size_t size) {
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
    put_bytes(bytes, 4);
}

uint32_t FdtWriter::name_offset(const char* name) {
    const size_t size = length(name) + 1;
    for (size_t at = 0; at < names_size_; at += length(names_ + at) + 1) {
        const char* a = names_ + at;
        const char* b = name;
        while (*a != '\0' && *a == *b) a++, b++;
        if (*a == *b) return at;  // already there: share it
    }
    if (size > NAMES_CAPACITY - names_size_) {
        overflow_ = true;
        return 0;
    }
    const size_t at = names_size_;
    for (size_t i = 0; i < size; i++) names_[at + i] = name[i];
    names_size_ += size;
    return at;
}

void FdtWriter::begin_node(const char* name) {
    put_u32(BEGIN_NODE);
    put_bytes(name, length(name) + 1);
    depth_++;
}

void FdtWriter::end_node() {
    put_u32(END_NODE);
    depth_--;
}

void FdtWriter::property(const char* name, const void* data, size_t size) {
    put_u32(PROP);
    put_u32(size);
    put_u32(name_offset(name));
    put_bytes(data, size);
}

void FdtWriter::property(const char* name, const char* string) {
    property(name, string, length(string) + 1);
}

void FdtWriter::property_empty(const char* name) { property(name, nullptr, 0); }

void FdtWriter::property_u32(const char* name, uint32_t value) {
    uint8_t bytes[4];
    write_be32(bytes, value);
    property(name, bytes, 4);
}

void FdtWriter::property_u64_pair(const char* name, uint64_t a, uint64_t b) {
    uint8_t bytes[16];
    write_be32(bytes, a >> 32);
    write_be32(bytes + 4, a);
    write_be32(bytes + 8, b >> 32);
    write_be32(bytes + 12, b);
    property(name, bytes, 16);
}

void FdtWriter::property_strings(const char* name, const char* const* strings, size_t count) {
    uint8_t bytes[256];
    size_t size = 0;
    for (size_t i = 0; i < count; i++) {
        const size_t n = length(strings[i]) + 1;
        if (n > sizeof bytes - size) {
            overflow_ = true;
            return;
        }
        for (size_t j = 0; j < n; j++) bytes[size + j] = strings[i][j];
        size += n;
    }
    property(name, bytes, size);
}

size_t FdtWriter::finish() {
    put_u32(END);
    const size_t structure_size = position_ - STRUCTURE_START;
    const size_t names_start = position_;
    put_bytes(names_, names_size_);
    if (overflow_ || depth_ != 0) return 0;
    const size_t total = names_start + names_size_;

    const uint32_t header[10] = {
        MAGIC,
        static_cast<uint32_t>(total),
        static_cast<uint32_t>(STRUCTURE_START),           // off_dt_struct
        static_cast<uint32_t>(names_start),               // off_dt_strings
        static_cast<uint32_t>(HEADER_SIZE),               // off_mem_rsvmap
        VERSION,
        LAST_COMPATIBLE_VERSION,
        0,                                                // boot_cpuid_phys
        static_cast<uint32_t>(names_size_),               // size_dt_strings
        static_cast<uint32_t>(structure_size),            // size_dt_struct
    };
    for (int i = 0; i < 10; i++) write_be32(buffer_ + 4 * i, header[i]);
    for (size_t i = HEADER_SIZE; i < STRUCTURE_START; i++) buffer_[i] = 0;
    return total;
}
