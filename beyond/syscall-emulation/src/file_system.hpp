// The program's files: a read-only tree, the directory given with FILES=,
// which `make run` packed into the archive under files/. The program sees
// it as its root, /, and its working directory.
//
// No file is ever written: the archive lies in the hypervisor's memory,
// where the program cannot reach, and the calls that would change it fail
// (openat for writing: EROFS).
//
// Plain logic, also compiled and tested on the host.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "cpio.hpp"

struct Node {
    const char* path;  // from the root, no leading '/': "notes/a.txt"; "" is the root
    size_t path_length;
    uint32_t mode;     // as st_mode: S_IFDIR or S_IFREG, and permissions
    uint64_t mtime;
    const uint8_t* data;  // a file's bytes
    uint64_t size;
};

class FileSystem {
public:
    // How many nodes an archive's files/ needs (the root included).
    static size_t count(const uint8_t* archive, size_t size);
    // Read the files/ of an archive into `nodes` (count() of them).
    void load(const uint8_t* archive, size_t size, Node* nodes, size_t capacity);

    // The node at `path`, relative to directory `from` unless it starts
    // with '/': its index, or -ENOENT, -ENOTDIR, -ENAMETOOLONG.
    long lookup(const char* path, size_t from = 0) const;
    const Node& node(size_t index) const { return nodes_[index]; }
    size_t size() const { return count_; }
    static bool is_directory(const Node& node) { return (node.mode & 0170000) == 0040000; }
    // Is node `child` directly in directory `parent`?
    bool in_directory(size_t child, size_t parent) const;

    static constexpr size_t PATH_MAX = 4096;

private:
    long find(const char* path, size_t length) const;
    Node* nodes_ = nullptr;
    size_t count_ = 0;
};
