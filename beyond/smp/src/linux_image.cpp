#include "linux_image.hpp"

namespace {

constexpr uint64_t MAGIC = 0x0000'0056'4353'4952;  // "RISCV\0\0\0", little-endian
constexpr uint32_t MAGIC2 = 0x0543'5352;           // "RSC\x05", little-endian
constexpr uint64_t ALIGNMENT = 2 * 1024 * 1024;    // RV64 kernels sit on a 2 MiB boundary

}  // namespace

ImageCheck check_image(const uint8_t* file, size_t file_size, uint64_t ram_size) {
    ImageCheck check{nullptr, {}};
    if (file_size < sizeof(ImageHeader)) {
        check.error = "truncated: shorter than the 64-byte Image header";
        return check;
    }
    __builtin_memcpy(&check.header, file, sizeof(ImageHeader));
    const ImageHeader& h = check.header;
    if (h.magic2 != MAGIC2 || h.magic != MAGIC)
        check.error = "bad magic: not a RISC-V Linux Image (expected \"RISCV\" and \"RSC\\x05\")";
    else if (h.flags & 1)
        check.error = "big-endian kernel: this machine is little-endian";
    else if (h.text_offset % ALIGNMENT != 0)
        check.error = "text_offset is not a multiple of 2 MiB";
    else if (h.image_size < file_size)
        check.error = "corrupt: the file is larger than the image_size in its header";
    else if (h.text_offset >= ram_size || h.image_size > ram_size - h.text_offset)
        check.error = "too large: the kernel does not fit in guest RAM";
    return check;
}
