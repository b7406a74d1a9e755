// Unit tests of the formatter (src/format.cpp), compiled for the host.
#include <cstdio>
#include <cstring>
#include <string>

#include "format.hpp"

namespace {

struct StringOutput : fmt::Output {
    std::string text;
    void put(char c) override { text += c; }
};

int passed = 0, failed = 0;

template <typename... Args>
void check(const char* expected, const char* format, const Args&... args) {
    StringOutput out;
    fmt::format(out, format, args...);
    if (out.text == expected) {
        passed++;
    } else {
        failed++;
        std::printf("FAIL: format(\"%s\") gave \"%s\", expected \"%s\"\n", format,
                    out.text.c_str(), expected);
    }
}

}  // namespace

int main() {
    check("plain text", "plain text");
    check("0 1 -1", "{} {} {}", 0, 1, -1);
    check("-9223372036854775808", "{}", static_cast<long>(-9223372036854775807L - 1));
    check("18446744073709551615", "{}", ~0ul);
    check("ff 0xff", "{:x} {:#x}", 255, 255);
    check("0x00000000cafe", "{:#014x}", 0xcafe);
    check("[   7] [0007] [ab  ]", "[{:4}] [{:04}] [{:4}]", 7, 7, "ab");
    check("c true false", "{} {} {}", 'c', true, false);
    check("0x1000", "{}", reinterpret_cast<const void*>(0x1000));
    check("(null)", "{}", static_cast<const char*>(nullptr));
    check("{} {x}", "{{}} {{x}}");
    check("a {?}", "{} {}", "a");  // fewer arguments than placeholders
    check("{?bad format}", "{:q}", 1);
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
