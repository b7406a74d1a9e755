// Unit tests of the device tree reader (fdt.cpp) and the Image header check
// (linux_image.cpp), on the host.
//   usage: loader_test TEST.dtb LINUX_IMAGE
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fdt.hpp"
#include "linux_image.hpp"

namespace {

int passed = 0, failed = 0;

void check(bool ok, const std::string& what) {
    if (ok) {
        passed++;
    } else {
        failed++;
        std::printf("FAIL: %s\n", what.c_str());
    }
}

std::vector<uint8_t> read_file(const char* path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void test_fdt(const std::vector<uint8_t>& dtb) {
    const void* blob = dtb.data();
    check(fdt::valid(blob), "the blob is a valid FDT");
    check(!fdt::valid("not a device tree"), "random bytes are not an FDT");
    check(fdt::find_property(blob, "/chosen", "linux,initrd-start").as_number() == 0x88200000,
          "one-cell number");
    check(fdt::find_property(blob, "/chosen", "linux,initrd-end").as_number() == 0x88400000,
          "two-cell number");
    auto bootargs = fdt::find_property(blob, "/chosen", "bootargs");
    check(bootargs.found() && std::strcmp(reinterpret_cast<const char*>(bootargs.data),
                                          "console=hvc0") == 0, "string property");
    auto reg = fdt::find_property(blob, "/memory", "reg");
    check(reg.size == 16 && fdt::read_be32(reg.data + 4) == 0x80000000,
          "path part without unit address matches memory@80000000");
    check(fdt::find_property(blob, "/cpus/cpu@0", "status").found(), "nested path");
    check(fdt::find_property(blob, "/", "model").found(), "property of the root");
    check(!fdt::find_property(blob, "/chosen", "nothing").found(), "missing property");
    check(!fdt::find_property(blob, "/nowhere", "reg").found(), "missing node");
    check(!fdt::find_property(blob, "/cpus", "reg").found(),
          "a child's property is not its parent's");
}

void test_image(std::vector<uint8_t> image) {
    constexpr uint64_t RAM = 64 << 20;
    ImageCheck ok = check_image(image.data(), image.size(), RAM);
    check(ok.error == nullptr, std::string("the real kernel passes: ") + (ok.error ? ok.error : ""));
    check(ok.header.text_offset == 0x200000, "text offset of the real kernel is 2 MiB");

    auto refused = [&](std::vector<uint8_t> bytes, uint64_t ram, const char* reason) {
        ImageCheck c = check_image(bytes.data(), bytes.size(), ram);
        check(c.error != nullptr && std::strstr(c.error, reason) == c.error,
              std::string("refused as '") + reason + "', got: " + (c.error ? c.error : "accepted"));
    };
    auto patched = [&](size_t offset, const void* value, size_t size) {
        auto copy = image;
        std::memcpy(copy.data() + offset, value, size);
        return copy;
    };
    refused({image.begin(), image.begin() + 63}, RAM, "truncated");
    refused({}, RAM, "truncated");
    refused(patched(0x30, "RISCX", 5), RAM, "bad magic");
    refused(patched(0x38, "RSC\x06", 4), RAM, "bad magic");
    const uint64_t one = 1, odd = 0x1000, huge = ~0ull, tiny = 16;
    refused(patched(0x18, &one, 8), RAM, "big-endian");
    refused(patched(0x08, &odd, 8), RAM, "text_offset");
    refused(patched(0x10, &tiny, 8), RAM, "corrupt");
    refused(patched(0x10, &huge, 8), RAM, "too large");  // must not wrap around
    refused(image, ok.header.image_size, "too large");   // RAM just too small
    check(check_image(image.data(), image.size(), 0x200000 + ok.header.image_size).error == nullptr,
          "a kernel that exactly fits is accepted");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s TEST.dtb LINUX_IMAGE\n", argv[0]);
        return 2;
    }
    test_fdt(read_file(argv[1]));
    test_image(read_file(argv[2]));
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
