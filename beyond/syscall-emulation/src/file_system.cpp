#include "file_system.hpp"

#include "linux.hpp"

namespace {

constexpr char PREFIX[] = "files";  // where the archive keeps the program's files
constexpr size_t PREFIX_LENGTH = sizeof PREFIX - 1;

// Is this archive entry under files/ (or files itself)? Its path below it.
bool below_prefix(const CpioEntry& entry, const char*& path, size_t& length) {
    if (entry.name_length < PREFIX_LENGTH || __builtin_memcmp(entry.name, PREFIX, PREFIX_LENGTH) != 0)
        return false;
    if (entry.name_length == PREFIX_LENGTH) {
        path = entry.name + PREFIX_LENGTH;
        length = 0;
        return true;
    }
    if (entry.name[PREFIX_LENGTH] != '/') return false;
    path = entry.name + PREFIX_LENGTH + 1;
    length = entry.name_length - PREFIX_LENGTH - 1;
    return true;
}

}  // namespace

size_t FileSystem::count(const uint8_t* archive, size_t size) {
    CpioReader reader(archive, size);
    CpioEntry entry;
    size_t n = 1;  // the root, archived or not
    const char* path;
    size_t length;
    while (reader.next(entry))
        if (below_prefix(entry, path, length) && length > 0) n++;
    return n;
}

void FileSystem::load(const uint8_t* archive, size_t size, Node* nodes, size_t capacity) {
    nodes_ = nodes;
    nodes_[0] = {"", 0, linux::S_IFDIR | 0755, 0, nullptr, 0};
    count_ = 1;
    CpioReader reader(archive, size);
    CpioEntry entry;
    const char* path;
    size_t length;
    while (count_ < capacity && reader.next(entry)) {
        if (!below_prefix(entry, path, length)) continue;
        if (length == 0) {
            nodes_[0].mtime = entry.mtime;
            continue;
        }
        nodes_[count_++] = {path, length, entry.mode, entry.mtime, entry.data, entry.size};
    }
}

long FileSystem::find(const char* path, size_t length) const {
    for (size_t i = 0; i < count_; i++)
        if (nodes_[i].path_length == length && __builtin_memcmp(nodes_[i].path, path, length) == 0)
            return static_cast<long>(i);
    return -linux::ENOENT;
}

bool FileSystem::in_directory(size_t child, size_t parent) const {
    const Node& c = nodes_[child];
    const Node& p = nodes_[parent];
    if (child == 0) return false;  // the root is in no directory
    size_t start = 0;
    if (p.path_length > 0) {
        if (c.path_length <= p.path_length + 1 || c.path[p.path_length] != '/' ||
            __builtin_memcmp(c.path, p.path, p.path_length) != 0)
            return false;
        start = p.path_length + 1;
    }
    for (size_t i = start; i < c.path_length; i++)
        if (c.path[i] == '/') return false;  // deeper down
    return true;
}

long FileSystem::lookup(const char* path, size_t from) const {
    // Build the path from the root, a component at a time, checking that
    // each one on the way is a directory, as Linux's path walk does.
    char full[PATH_MAX];
    size_t length = 0;
    if (path[0] != '/') {
        if (nodes_[from].path_length >= PATH_MAX) return -linux::ENAMETOOLONG;
        __builtin_memcpy(full, nodes_[from].path, nodes_[from].path_length);
        length = nodes_[from].path_length;
    }
    long current = path[0] == '/' ? 0 : static_cast<long>(from);
    const char* p = path;
    while (*p != '\0') {
        while (*p == '/') p++;
        const char* name = p;
        while (*p != '\0' && *p != '/') p++;
        const size_t name_length = static_cast<size_t>(p - name);
        if (name_length == 0 || (name_length == 1 && name[0] == '.')) continue;
        if (!is_directory(nodes_[current])) return -linux::ENOTDIR;
        if (name_length == 2 && name[0] == '.' && name[1] == '.') {
            while (length > 0 && full[length - 1] != '/') length--;  // up one: "/.." is "/"
            if (length > 0) length--;
        } else {
            if (length + 1 + name_length >= PATH_MAX) return -linux::ENAMETOOLONG;
            if (length > 0) full[length++] = '/';
            __builtin_memcpy(full + length, name, name_length);
            length += name_length;
        }
        current = find(full, length);
        if (current < 0) return current;
    }
    // "dir/" names a directory, and only a directory.
    if (p > path && p[-1] == '/' && !is_directory(nodes_[current])) return -linux::ENOTDIR;
    return current;
}
