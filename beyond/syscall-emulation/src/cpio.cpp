#include "cpio.hpp"

namespace {

constexpr size_t HEADER_SIZE = 110;

// Eight hexadecimal digits; false if they are not.
bool hex8(const uint8_t* p, uint64_t& value) {
    value = 0;
    for (int i = 0; i < 8; i++) {
        const uint8_t c = p[i];
        unsigned digit;
        if (c >= '0' && c <= '9') digit = c - '0';
        else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        else return false;
        value = value << 4 | digit;
    }
    return true;
}

size_t pad4(size_t n) { return (n + 3) & ~size_t{3}; }

}  // namespace

bool CpioReader::next(CpioEntry& entry) {
    if (error_ != nullptr) return false;
    const size_t left = static_cast<size_t>(end_ - at_);
    if (left < HEADER_SIZE || __builtin_memcmp(at_, "070701", 6) != 0) {
        error_ = "not a cpio archive in the newc format (or it is cut short)";
        return false;
    }
    // The fields after the magic: ino, mode, uid, gid, nlink, mtime,
    // filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check.
    uint64_t field[13];
    for (int i = 0; i < 13; i++)
        if (!hex8(at_ + 6 + 8 * i, field[i])) {
            error_ = "corrupt cpio header: a field is not hexadecimal";
            return false;
        }
    const uint64_t name_size = field[11], data_size = field[6];
    const size_t name_end = pad4(HEADER_SIZE + name_size);
    if (name_size == 0 || name_size > left - HEADER_SIZE || name_end > left ||
        data_size > left - name_end || pad4(name_end + data_size) > left + 3) {
        error_ = "corrupt cpio archive: an entry runs past its end";
        return false;
    }
    const char* name = reinterpret_cast<const char*>(at_ + HEADER_SIZE);
    size_t length = name_size - 1;  // without its '\0'
    if (__builtin_memcmp(name, "TRAILER!!!", length < 10 ? length : 10) == 0 && length == 10)
        return false;
    if (length >= 2 && name[0] == '.' && name[1] == '/') name += 2, length -= 2;
    entry = {name, length, static_cast<uint32_t>(field[1]), field[5], at_ + name_end, data_size};
    const size_t step = pad4(name_end + data_size);
    at_ = step <= left ? at_ + step : end_;
    return true;
}

bool cpio_name_is(const CpioEntry& entry, const char* name) {
    size_t i = 0;
    for (; i < entry.name_length; i++)
        if (name[i] != entry.name[i]) return false;
    return name[i] == '\0';
}
