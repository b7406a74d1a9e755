// A guest that overwrites memory: its whole RAM ("fill-ram") or its own
// image and stack ("overwrite-self"), all but the one page of code that
// does it (survivor.S), then makes SBI calls and checks the answers.
//
// Guest RAM is backed by host memory of its own, apart from the
// hypervisor's: "fill-ram" also looks through all of it, before the
// fill, for the hypervisor's banner, which would be there if any guest
// page were the hypervisor's own memory.
#include "guest.hpp"

extern "C" char __image_start[], __image_end[];  // linker.ld
extern "C" [[noreturn]] void survive(uint64_t start, uint64_t end);  // survivor.S

namespace {

// "Hello from the hypervisor!", each byte + 1, so that this guest's image
// does not contain the banner it looks for.
constexpr char SHIFTED_BANNER[] = "Ifmmp!gspn!uif!izqfswjtps\"";
constexpr size_t BANNER_LENGTH = sizeof SHIFTED_BANNER - 1;

bool banner_at(const volatile char* p) {
    for (size_t i = 0; i < BANNER_LENGTH; i++)
        if (p[i] != SHIFTED_BANNER[i] - 1) return false;
    return true;
}

uint64_t find_banner(uint64_t start, uint64_t end) {
    for (uint64_t address = start; address + BANNER_LENGTH <= end; address++)
        if (banner_at(reinterpret_cast<const volatile char*>(address))) return address;
    return 0;
}

}  // namespace

extern "C" void guest_main(uint64_t, uint64_t) {
    if (action_is("fill-ram")) {
        const uint64_t found = find_banner(RAM_BASE, RAM_BASE + RAM_SIZE);
        if (found != 0) say("FAIL fill: the hypervisor's banner is in guest RAM at {}", found);
        else say("fill: the hypervisor's banner is nowhere in guest RAM");
        say("fill: overwriting guest RAM {}..{}", RAM_BASE, RAM_BASE + RAM_SIZE);
        survive(RAM_BASE, RAM_BASE + RAM_SIZE);
    } else if (action_is("overwrite-self")) {
        const auto start = reinterpret_cast<uint64_t>(__image_start);
        const auto end = reinterpret_cast<uint64_t>(__image_end);
        say("fill: overwriting our image and stack {}..{}", start, end);
        survive(start, end);
    }
    fail("fill: unknown action");
}
