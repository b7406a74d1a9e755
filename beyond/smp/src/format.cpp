// The formatter behind println; see format.hpp for the placeholder syntax.
#include "format.hpp"

namespace fmt {
namespace {

struct Spec {
    bool hex = false;
    bool prefix = false;  // '#': 0x before hex numbers
    bool zero_pad = false;
    unsigned width = 0;
};

// Parses what stands between "{:" and "}"; returns where it stopped.
const char* parse_spec(const char* p, Spec& spec) {
    if (*p == '#') spec.prefix = true, ++p;
    if (*p == '0') spec.zero_pad = true, ++p;
    while (*p >= '0' && *p <= '9') spec.width = spec.width * 10 + (*p++ - '0');
    if (*p == 'x') spec.hex = true, ++p;
    return p;
}

void pad(Output& out, char fill, size_t length, unsigned width) {
    for (size_t i = length; i < width; i++) out.put(fill);
}

// Strings are left-aligned in their width, numbers right-aligned (as in std::format).
void put_string(Output& out, const char* s, const Spec& spec) {
    size_t length = 0;
    while (s[length] != '\0') length++;
    for (size_t i = 0; i < length; i++) out.put(s[i]);
    pad(out, ' ', length, spec.width);
}

void put_number(Output& out, uint64_t magnitude, bool negative, const Spec& spec) {
    char digits[24];
    size_t n = 0;
    const unsigned base = spec.hex ? 16 : 10;
    do {
        digits[n++] = "0123456789abcdef"[magnitude % base];
        magnitude /= base;
    } while (magnitude != 0);

    const size_t sign_length = (negative ? 1 : 0) + (spec.prefix ? 2 : 0);
    if (!spec.zero_pad) pad(out, ' ', n + sign_length, spec.width);
    if (negative) out.put('-');
    if (spec.prefix) out.put('0'), out.put('x');
    if (spec.zero_pad) pad(out, '0', n + sign_length, spec.width);
    while (n > 0) out.put(digits[--n]);
}

void put_arg(Output& out, const Arg& arg, Spec spec) {
    switch (arg.kind) {
        case Arg::Kind::Signed:
            if (spec.hex) return put_number(out, arg.u, false, spec);
            return put_number(out, arg.s < 0 ? 0 - arg.u : arg.u, arg.s < 0, spec);
        case Arg::Kind::Unsigned:
            return put_number(out, arg.u, false, spec);
        case Arg::Kind::Char:
            return out.put(static_cast<char>(arg.u));
        case Arg::Kind::Bool:
            return put_string(out, arg.u ? "true" : "false", spec);
        case Arg::Kind::String:
            return put_string(out, arg.str != nullptr ? arg.str : "(null)", spec);
        case Arg::Kind::Pointer:
            spec.hex = spec.prefix = true;
            return put_number(out, reinterpret_cast<uintptr_t>(arg.ptr), false, spec);
    }
}

}  // namespace

void format_args(Output& out, const char* format, const Arg* args, size_t count) {
    size_t next = 0;
    for (const char* p = format; *p != '\0'; p++) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            out.put(*p++);
            continue;
        }
        if (*p != '{') {
            out.put(*p);
            continue;
        }
        Spec spec;
        if (p[1] == ':') p = parse_spec(p + 2, spec);
        else p++;
        // p now points at the closing '}' (or wherever a bad spec stopped).
        if (*p != '}') {
            for (const char* bad = "{?bad format}"; *bad != '\0'; bad++) out.put(*bad);
            return;
        }
        if (next < count) put_arg(out, args[next++], spec);
        else for (const char* missing = "{?}"; *missing != '\0'; missing++) out.put(*missing);
    }
}

}  // namespace fmt
