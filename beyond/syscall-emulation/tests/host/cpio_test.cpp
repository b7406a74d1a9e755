// The archive reader (src/cpio.cpp) and the file tree (src/file_system.cpp),
// on an archive written here in the newc format.
// The stage's headers first: the host's C library defines EFAULT, AT_RANDOM...
// as macros, which would garble linux.hpp.
#include "cpio.hpp"
#include "file_system.hpp"

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "check.hpp"

namespace {

void add(std::string& archive, const std::string& name, uint32_t mode, const std::string& data) {
    char header[111];
    std::snprintf(header, sizeof header, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08zx%08x",
                  1u, mode, 0u, 0u, 1u, 1700000000u, static_cast<unsigned>(data.size()), 0u, 0u, 0u, 0u,
                  name.size() + 1, 0u);
    archive += header;
    archive += name;
    archive += '\0';
    while (archive.size() % 4) archive += '\0';
    archive += data;
    while (archive.size() % 4) archive += '\0';
}

}  // namespace

int main() {
    std::string a;
    add(a, "program", 0100755, "\x7f" "ELF...");
    add(a, "files", 040755, "");
    add(a, "files/notes.txt", 0100644, "try catch continue\n");
    add(a, "files/docs", 040755, "");
    add(a, "files/docs/a.txt", 0100644, "a");
    add(a, "filesystem", 0100644, "not under files/");
    add(a, "TRAILER!!!", 0, "");
    const auto* data = reinterpret_cast<const uint8_t*>(a.data());

    CpioReader reader(data, a.size());
    CpioEntry entry;
    CHECK(reader.next(entry) && cpio_name_is(entry, "program") && entry.size == 7);
    CHECK(std::memcmp(entry.data, "\x7f" "ELF", 4) == 0);
    int entries = 1;
    while (reader.next(entry)) entries++;
    CHECK(entries == 6 && reader.error() == nullptr);

    CpioReader bad(reinterpret_cast<const uint8_t*>("070701zz"), 8);
    CHECK(!bad.next(entry) && bad.error() != nullptr);
    std::string cut = a.substr(0, 200);  // an entry that runs past the end
    CpioReader truncated(reinterpret_cast<const uint8_t*>(cut.data()), cut.size());
    while (truncated.next(entry)) {}
    CHECK(truncated.error() != nullptr);

    FileSystem fs;
    const size_t count = FileSystem::count(data, a.size());
    CHECK(count == 4);  // the root, notes.txt, docs, docs/a.txt
    std::vector<Node> nodes(count);
    fs.load(data, a.size(), nodes.data(), count);
    const long notes = fs.lookup("/notes.txt");
    CHECK(notes > 0 && fs.node(notes).size == 19);
    CHECK(fs.lookup("notes.txt") == notes);
    CHECK(fs.lookup("/docs/../notes.txt") == notes);
    CHECK(fs.lookup("/../../notes.txt") == notes);  // above the root is the root
    CHECK(fs.lookup("./docs/./a.txt") > 0);
    CHECK(fs.lookup("a.txt", static_cast<size_t>(fs.lookup("/docs"))) > 0);
    CHECK(fs.lookup("/") == 0);
    CHECK(fs.lookup("/nope") == -2 /* ENOENT */);
    CHECK(fs.lookup("/notes.txt/x") == -20 /* ENOTDIR */);
    CHECK(fs.lookup("/notes.txt/") == -20 /* ENOTDIR */);
    CHECK(fs.lookup("/filesystem") == -2 /* ENOENT */);  // not under files/
    CHECK(fs.lookup(std::string(5000, 'a').c_str()) == -36 /* ENAMETOOLONG */);
    CHECK(fs.in_directory(static_cast<size_t>(notes), 0));
    CHECK(!fs.in_directory(static_cast<size_t>(fs.lookup("/docs/a.txt")), 0));
    CHECK(FileSystem::is_directory(fs.node(static_cast<size_t>(fs.lookup("/docs")))));
    return summary();
}
