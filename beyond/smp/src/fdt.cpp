#include "fdt.hpp"

namespace fdt {
namespace {

constexpr uint32_t MAGIC = 0xd00d'feed;
enum Token : uint32_t { BEGIN_NODE = 1, END_NODE = 2, PROP = 3, NOP = 4, END = 9 };

struct Header {
    uint32_t magic, total_size, off_struct, off_strings;
};

Header header_of(const void* blob) {
    auto* p = static_cast<const uint8_t*>(blob);
    return {read_be32(p), read_be32(p + 4), read_be32(p + 8), read_be32(p + 12)};
}

size_t length(const char* s) {
    size_t n = 0;
    while (s[n] != '\0') n++;
    return n;
}

bool equal(const char* a, const char* b) {
    while (*a != '\0' && *a == *b) a++, b++;
    return *a == *b;
}

// Does node `name` match the path part [part, part_end)?
bool matches(const char* name, const char* part, const char* part_end) {
    const char* n = name;
    for (const char* p = part; p < part_end; p++, n++)
        if (*n != *p) return false;
    return *n == '\0' || *n == '@';
}

size_t align4(size_t n) { return (n + 3) & ~size_t{3}; }

}  // namespace

uint32_t read_be32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

uint64_t read_be64(const uint8_t* p) { return uint64_t{read_be32(p)} << 32 | read_be32(p + 4); }

uint64_t Property::as_number() const {
    if (size == 4) return read_be32(data);
    if (size == 8) return read_be64(data);
    return 0;
}

bool valid(const void* blob) { return blob != nullptr && header_of(blob).magic == MAGIC; }

Property find_property(const void* blob, const char* path, const char* name) {
    if (!valid(blob)) return {};
    const Header header = header_of(blob);
    auto* base = static_cast<const uint8_t*>(blob);
    const uint8_t* p = base + header.off_struct;
    const uint8_t* const end = base + header.total_size;
    const char* strings = reinterpret_cast<const char*>(base + header.off_strings);

    // `part` is the next path component to match; `matched` how many nodes
    // deep the current node agrees with the path; `depth` where we are.
    const char* part = path[0] == '/' ? path + 1 : path;
    int depth = 0, matched = 0;
    while (p + 4 <= end) {
        const uint32_t token = read_be32(p);
        p += 4;
        if (token == BEGIN_NODE) {
            const char* node = reinterpret_cast<const char*>(p);
            p += align4(length(node) + 1);
            depth++;
            if (depth == 1) {  // the root node, named ""
                matched = 1;
                continue;
            }
            const char* part_end = part;
            while (*part_end != '\0' && *part_end != '/') part_end++;
            if (matched == depth - 1 && *part != '\0' && matches(node, part, part_end)) {
                matched = depth;
                part = *part_end == '/' ? part_end + 1 : part_end;
            }
        } else if (token == END_NODE) {
            if (matched == depth) return {};  // left the node we wanted: not there
            depth--;
        } else if (token == PROP) {
            const uint32_t size = read_be32(p);
            const char* prop_name = strings + read_be32(p + 4);
            const uint8_t* value = p + 8;
            p = value + align4(size);
            if (matched == depth && *part == '\0' && equal(prop_name, name))
                return {value, size};
        } else if (token != NOP) {
            break;  // END, or something we do not understand
        }
    }
    return {};
}

}  // namespace fdt
