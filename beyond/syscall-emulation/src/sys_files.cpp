// The file system calls: the console, and the read-only tree from FILES=.
#include "console.hpp"
#include "linux.hpp"
#include "process.hpp"
#include "user_memory.hpp"

using namespace linux;
using Kind = Descriptor::Kind;

namespace {

constexpr uint64_t STDIN_INODE = 0x10000;  // the STDIN= file is in no directory
constexpr uint64_t F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4,
                   F_DUPFD_CLOEXEC = 1030;
constexpr uint64_t W_OK = 2;
constexpr uint64_t O_CLOEXEC = 0x80000;  // dup3's one flag (we exec nothing: it changes nothing)
constexpr long ERANGE = 34, EINTR = 4;

Descriptor* descriptor(Process& p, uint64_t fd) {
    return fd < Process::MAX_FILES && p.fds[fd].kind != Kind::Closed ? &p.fds[fd] : nullptr;
}

bool is_directory(const Descriptor& d) {
    return d.kind == Kind::File && FileSystem::is_directory(*d.node);
}

long new_descriptor(Process& p, const Descriptor& d, uint64_t lowest = 0) {
    for (uint64_t fd = lowest; fd < Process::MAX_FILES; fd++)
        if (p.fds[fd].kind == Kind::Closed) {
            p.fds[fd] = d;
            return static_cast<long>(fd);
        }
    return -EMFILE;
}

// The program's path argument, looked up from `dirfd` as openat does:
// the node's index, or -errno.
long look_up(Process& p, int64_t dirfd, uint64_t path_address, bool empty_allowed = false) {
    char path[FileSystem::PATH_MAX];
    const long length = user::read_string(p.memory, path, path_address, sizeof path);
    if (length < 0) return length;
    size_t from = 0;  // the working directory is the root
    if (path[0] != '/' && dirfd != AT_FDCWD) {
        const Descriptor* d = descriptor(p, static_cast<uint64_t>(dirfd));
        if (d == nullptr) return -EBADF;
        if (!is_directory(*d)) return -ENOTDIR;
        from = d->index;
        if (length == 0 && empty_allowed) return static_cast<long>(from);
    }
    if (length == 0) return -ENOENT;
    return p.files.lookup(path, from);
}

long open_at(Process& p, const Arguments& a) {
    const uint64_t flags = a.a[2];
    const bool writing = (flags & O_ACCMODE) != 0 || (flags & (O_CREAT | O_TRUNC | O_APPEND));
    const long index = look_up(p, static_cast<int64_t>(a.a[0]), a.a[1]);
    if (index == -ENOENT && (flags & O_CREAT)) return -EROFS;  // nothing can be created
    if (index < 0) return index;
    const Node& node = p.files.node(static_cast<size_t>(index));
    if (writing) return FileSystem::is_directory(node) ? -EISDIR : -EROFS;
    if ((flags & O_DIRECTORY) && !FileSystem::is_directory(node)) return -ENOTDIR;
    return new_descriptor(p, {Kind::File, &node, static_cast<size_t>(index), 0});
}

// read() of a descriptor into the program's [buffer, buffer + count).
long read_into(Process& p, Descriptor& d, uint64_t buffer, uint64_t count) {
    if (!p.memory.accessible(buffer, count, prot::WRITE)) return -EFAULT;
    if (count == 0) return 0;
    if (d.kind == Kind::Console) {
        uint8_t typed[4096];
        const console::Input input = console::read(typed, count < sizeof typed ? count : sizeof typed);
        if (input.interrupted) {
            p.kill(2);  // SIGINT: Ctrl-C kills it, as the terminal driver would
            return -EINTR;
        }
        return user::write(p.memory, buffer, typed, input.size) ? static_cast<long>(input.size) : -EFAULT;
    }
    if (is_directory(d)) return -EISDIR;
    const uint64_t left = d.offset < d.node->size ? d.node->size - d.offset : 0;
    const uint64_t n = count < left ? count : left;
    if (!user::write(p.memory, buffer, d.node->data + d.offset, n)) return -EFAULT;
    d.offset += n;
    return static_cast<long>(n);
}

// write() of the program's [buffer, buffer + count): only the console
// takes it (the files are opened read-only).
long write_from(Process& p, Descriptor& d, uint64_t buffer, uint64_t count) {
    if (d.kind != Kind::Console) return -EBADF;
    const auto stream = static_cast<console::Stream>(d.index);
    const bool ok = user::for_each_piece(p.memory, buffer, count, prot::READ,
                                         [stream](const uint8_t* piece, uint64_t n) {
                                             console::write(stream, piece, n);
                                         });
    return ok ? static_cast<long>(count) : -EFAULT;
}

// readv and writev: the same, for each of `count` (address, length) pairs.
template <typename Each>
long vectored(Process& p, uint64_t iov, uint64_t count, uint32_t access, Each each) {
    constexpr uint64_t IOV_MAX = 1024;
    if (count > IOV_MAX) return -EINVAL;
    struct Iovec {
        uint64_t base, length;
    };
    uint64_t total = 0;
    for (uint64_t i = 0; i < count; i++) {  // all checked before any is done
        Iovec v;
        if (!user::read(p.memory, v, iov + i * sizeof v)) return -EFAULT;
        if (v.length > (1ull << 62) - total) return -EINVAL;
        total += v.length;
        if (!p.memory.accessible(v.base, v.length, access)) return -EFAULT;
    }
    long done = 0;
    for (uint64_t i = 0; i < count; i++) {
        Iovec v;
        user::read(p.memory, v, iov + i * sizeof v);
        const long n = each(v.base, v.length);
        if (n < 0) return done > 0 ? done : n;
        done += n;
        if (static_cast<uint64_t>(n) < v.length) break;  // a short read: stop there
    }
    return done;
}

Stat stat_of(const Node* node, uint64_t inode) {
    Stat st{};
    st.ino = inode;
    if (node == nullptr) {  // the console, as Linux shows /dev/console
        st.mode = S_IFCHR | 0600;
        st.rdev = 5 << 8 | 1;
        st.blksize = 1024;
        st.nlink = 1;
        return st;
    }
    st.mode = node->mode;
    st.nlink = FileSystem::is_directory(*node) ? 2 : 1;
    st.size = static_cast<int64_t>(node->size);
    st.blksize = 4096;
    st.blocks = static_cast<int64_t>((node->size + 511) / 512);
    st.atime = st.mtime = st.ctime = {static_cast<int64_t>(node->mtime), 0};
    return st;
}

long stat_descriptor(Process& p, const Descriptor& d, uint64_t buffer) {
    const uint64_t inode = d.kind == Kind::Console ? 1 : d.node == nullptr ? 0
                           : d.index == static_cast<size_t>(-1) ? STDIN_INODE : d.index + 1;
    const Stat st = stat_of(d.kind == Kind::Console ? nullptr : d.node, inode);
    return user::write(p.memory, buffer, st) ? 0 : -EFAULT;
}

long stat_at(Process& p, const Arguments& a) {
    const bool empty_path = a.a[3] & AT_EMPTY_PATH;
    char first = 0;
    if (!user::read(p.memory, first, a.a[1])) return -EFAULT;
    if (first == '\0' && empty_path) {  // fstat(fd) is this, in glibc
        const Descriptor* d = descriptor(p, a.a[0]);
        if (d == nullptr) return static_cast<int64_t>(a.a[0]) == AT_FDCWD ? stat_descriptor(p, {Kind::File, &p.files.node(0), 0, 0}, a.a[2]) : -EBADF;
        return stat_descriptor(p, *d, a.a[2]);
    }
    const long index = look_up(p, static_cast<int64_t>(a.a[0]), a.a[1]);
    if (index < 0) return index;
    const Stat st = stat_of(&p.files.node(static_cast<size_t>(index)), static_cast<uint64_t>(index) + 1);
    return user::write(p.memory, a.a[2], st) ? 0 : -EFAULT;
}

// One record of getdents64: inode, next offset, length, type, name.
long put_dirent(Process& p, uint64_t at, uint64_t room, uint64_t inode, uint64_t next,
                uint32_t mode, const char* name, size_t name_length) {
    const uint64_t length = (19 + name_length + 1 + 7) & ~7ull;
    if (length > room) return 0;
    uint8_t record[19 + 256 + 8] = {};
    if (name_length > 255) return -EINVAL;
    __builtin_memcpy(record, &inode, 8);
    __builtin_memcpy(record + 8, &next, 8);
    const uint16_t record_length = static_cast<uint16_t>(length);
    __builtin_memcpy(record + 16, &record_length, 2);
    record[18] = static_cast<uint8_t>(mode >> 12);  // DT_DIR 4, DT_REG 8...: the S_IFMT bits
    __builtin_memcpy(record + 19, name, name_length);
    return user::write(p.memory, at, record, length) ? static_cast<long>(length) : -EFAULT;
}

// A directory's offset counts its entries: 0 is ".", 1 "..", then the
// nodes of the tree from index offset - 2 on, those in this directory.
long get_dents(Process& p, const Arguments& a) {
    Descriptor* d = descriptor(p, a.a[0]);
    if (d == nullptr) return -EBADF;
    if (!is_directory(*d)) return -ENOTDIR;
    const uint64_t buffer = a.a[1], count = a.a[2];
    if (!p.memory.accessible(buffer, count, prot::WRITE)) return -EFAULT;
    uint64_t used = 0;
    for (;;) {
        long n = 0;
        if (d->offset == 0) {
            n = put_dirent(p, buffer + used, count - used, d->index + 1, 1, S_IFDIR, ".", 1);
        } else if (d->offset == 1) {
            const long parent = p.files.lookup("..", d->index);
            n = put_dirent(p, buffer + used, count - used, static_cast<uint64_t>(parent) + 1, 2,
                           S_IFDIR, "..", 2);
        } else {
            size_t i = d->offset - 2;
            while (i < p.files.size() && !p.files.in_directory(i, d->index)) i++;
            if (i == p.files.size()) break;  // the end
            d->offset = i + 2;
            const Node& node = p.files.node(i);
            size_t start = node.path_length;
            while (start > 0 && node.path[start - 1] != '/') start--;
            n = put_dirent(p, buffer + used, count - used, i + 1, i + 3, node.mode,
                           node.path + start, node.path_length - start);
        }
        if (n < 0) return n;
        if (n == 0) {  // no room for this one: the next call gets it
            if (used == 0) return -EINVAL;  // not even for one: as Linux says
            break;
        }
        used += static_cast<uint64_t>(n);
        d->offset++;
    }
    return static_cast<long>(used);
}

long seek(Process& p, const Arguments& a) {
    Descriptor* d = descriptor(p, a.a[0]);
    if (d == nullptr) return -EBADF;
    if (d->kind == Kind::Console) return -ESPIPE;
    const int64_t offset = static_cast<int64_t>(a.a[1]);
    int64_t base;
    switch (a.a[2]) {
        case 0: base = 0; break;                                         // SEEK_SET
        case 1: base = static_cast<int64_t>(d->offset); break;          // SEEK_CUR
        case 2: base = static_cast<int64_t>(d->node->size); break;       // SEEK_END
        default: return -EINVAL;
    }
    if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0) return -EINVAL;
    d->offset = static_cast<uint64_t>(base + offset);
    return static_cast<long>(d->offset);
}

long terminal_control(Process& p, const Arguments& a) {
    const Descriptor* d = descriptor(p, a.a[0]);
    if (d == nullptr) return -EBADF;
    if (d->kind != Kind::Console) return -ENOTTY;
    switch (a.a[1]) {
        case TCGETS: {  // what Linux's console says: canonical mode, echo...
            Termios t{};
            t.iflag = 0000400 | 0002000;            // ICRNL, IXON
            t.oflag = 0000001 | 0000004;            // OPOST, ONLCR
            t.cflag = 0000017 | 0000060 | 0000200;  // B38400, CS8, CREAD
            t.lflag = 0000001 | ICANON | 0000020 | 0000040 | 0001000 | 0004000 | 0100000;
            if (console::echo()) t.lflag |= ECHO;  // ISIG ECHOE ECHOK ECHOCTL ECHOKE IEXTEN above
            const uint8_t cc[] = {3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16};
            __builtin_memcpy(t.cc, cc, sizeof cc);
            return user::write(p.memory, a.a[2], t) ? 0 : -EFAULT;
        }
        case TCSETS:
        case TCSETSW:
        case TCSETSF: {
            Termios t;
            if (!user::read(p.memory, t, a.a[2])) return -EFAULT;
            console::set_echo(t.lflag & ECHO);  // the one setting we honour
            return 0;
        }
        case TIOCGWINSZ: {  // Linux's console has no size: 0 by 0
            const uint16_t size[4] = {0, 0, 0, 0};
            return user::write(p.memory, a.a[2], size) ? 0 : -EFAULT;
        }
        default: return -ENOTTY;
    }
}

long file_control(Process& p, const Arguments& a) {
    const Descriptor* d = descriptor(p, a.a[0]);
    if (d == nullptr) return -EBADF;
    switch (a.a[1]) {
        case F_DUPFD:
        case F_DUPFD_CLOEXEC:
            if (a.a[2] >= Process::MAX_FILES) return -EINVAL;
            return new_descriptor(p, *d, a.a[2]);
        case F_GETFD:
        case F_SETFD:
        case F_SETFL: return 0;
        case F_GETFL: return d->kind == Kind::Console ? 2 : 0;  // O_RDWR, O_RDONLY
        default: return -EINVAL;
    }
}

}  // namespace

bool is_file_call(uint64_t number) {
    switch (number) {
        case OPENAT: case CLOSE: case READ: case WRITE: case READV: case WRITEV: case PREAD64:
        case LSEEK: case GETDENTS64: case FSTAT: case NEWFSTATAT: case IOCTL: case READLINKAT:
        case FCNTL: case FACCESSAT: case GETCWD: case DUP: case DUP3:
            return true;
        default:
            return false;
    }
}

long sys_files(Process& p, uint64_t number, const Arguments& a) {
    if (number == OPENAT) return open_at(p, a);
    if (number == NEWFSTATAT) return stat_at(p, a);
    if (number == GETDENTS64) return get_dents(p, a);
    if (number == LSEEK) return seek(p, a);
    if (number == IOCTL) return terminal_control(p, a);
    if (number == FCNTL) return file_control(p, a);
    if (number == GETCWD) {
        if (a.a[1] < 2) return -ERANGE;
        return user::write(p.memory, a.a[0], "/", 2) ? 2 : -EFAULT;
    }
    if (number == READLINKAT) {  // there are no symbolic links
        if (static_cast<int64_t>(a.a[3]) <= 0) return -EINVAL;
        if (!p.memory.accessible(a.a[2], a.a[3], prot::WRITE)) return -EFAULT;
        const long index = look_up(p, static_cast<int64_t>(a.a[0]), a.a[1]);
        return index < 0 ? index : -EINVAL;
    }
    if (number == FACCESSAT) {
        const long index = look_up(p, static_cast<int64_t>(a.a[0]), a.a[1]);
        return index < 0 ? index : (a.a[2] & W_OK) ? -EROFS : 0;
    }

    Descriptor* d = descriptor(p, a.a[0]);
    if (d == nullptr) return -EBADF;
    switch (number) {
        case CLOSE: *d = {}; return 0;
        case DUP: return new_descriptor(p, *d);  // glibc's perror asks for one
        case DUP3: {
            const uint64_t to = a.a[1];
            if (to >= Process::MAX_FILES) return -EBADF;
            if (to == a.a[0] || (a.a[2] & ~O_CLOEXEC) != 0) return -EINVAL;
            p.fds[to] = *d;
            return static_cast<long>(to);
        }
        case READ: return read_into(p, *d, a.a[1], a.a[2]);
        case WRITE: return write_from(p, *d, a.a[1], a.a[2]);
        case READV:
            return vectored(p, a.a[1], a.a[2], prot::WRITE,
                            [&](uint64_t base, uint64_t n) { return read_into(p, *d, base, n); });
        case WRITEV:
            return vectored(p, a.a[1], a.a[2], prot::READ,
                            [&](uint64_t base, uint64_t n) { return write_from(p, *d, base, n); });
        case PREAD64: {
            if (d->kind == Kind::Console) return -ESPIPE;
            if (static_cast<int64_t>(a.a[3]) < 0) return -EINVAL;
            Descriptor at = *d;  // pread does not move the offset
            at.offset = a.a[3];
            return read_into(p, at, a.a[1], a.a[2]);
        }
        case FSTAT: return stat_descriptor(p, *d, a.a[1]);
        default: return -ENOSYS;
    }
}
