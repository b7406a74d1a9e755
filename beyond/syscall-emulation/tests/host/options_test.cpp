// The options (src/options.cpp): ours before `--`, the program's argv after.
// The stage's headers first: the host's C library defines EFAULT, AT_RANDOM...
// as macros, which would garble linux.hpp.
#include "options.hpp"

#include <cstring>
#include <string>

#include "check.hpp"

namespace {

Options parse(const char* text) {
    static char buffer[1024];
    std::strcpy(buffer, text);
    return parse_options(buffer);
}

}  // namespace

int main() {
    Options o = parse("quiet timeout=5 mem=16M -- hello a  b");
    CHECK(o.error == nullptr && o.quiet && o.timeout == 5 && o.guest_ram == 16 << 20);
    CHECK(o.argc == 3 && std::string(o.argv[0]) == "hello" && std::string(o.argv[2]) == "b");
    o = parse("-- hello");
    CHECK(o.error == nullptr && !o.quiet && o.timeout == ~0ull && o.guest_ram == 0 && o.argc == 1);
    o = parse("timeout=0 -- x -- y");  // a second `--` is the program's
    CHECK(o.error == nullptr && o.timeout == 0 && o.argc == 3 && std::string(o.argv[1]) == "--");
    CHECK(parse("").error != nullptr);
    CHECK(parse("quiet").error != nullptr);  // no program
    CHECK(parse("speed=9 -- x").error != nullptr);
    CHECK(parse("timeout=1M -- x").error != nullptr);  // seconds, no units
    CHECK(parse("mem=12Q -- x").error != nullptr);
    CHECK(parse("mem=99999999999999999999 -- x").error != nullptr);
    std::string many = "--";
    for (int i = 0; i < 70; i++) many += " a";
    CHECK(parse(many.c_str()).error != nullptr);
    return summary();
}
