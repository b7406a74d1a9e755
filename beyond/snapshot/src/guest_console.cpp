#include "guest_console.hpp"

#include "mem.hpp"
#include "riscv.hpp"
#include "sbi.hpp"

namespace guest_console {
namespace {

// The keys the guest has not read yet, oldest first, in a ring.
uint8_t queue[QUEUE_SIZE];
size_t first = 0, count = 0;
uint64_t dropped_keys = 0;

// When the guest last asked for keys (`time`). A guest that is reading
// will make room in a full queue: its keys wait in the UART meanwhile, and
// in QEMU behind it, none lost. One that has not asked for a second may
// never ask again (it spins, or it was restored to before its read): we
// read on, dropping its keys, so that the controller's commands get through.
uint64_t last_read = 0;
constexpr uint64_t READER_PATIENCE = 10'000'000;  // ticks of the 10 MHz `time`: 1 s

bool guest_reads() { return riscv::read_time() - last_read < READER_PATIENCE; }

bool escaped = false;  // the last key was Ctrl-]: the next one is a command
char command = 0;      // a command read and not carried out yet

// The shell's first prompt is held back from the console until the
// snapshot it triggers is taken, so that the controller's answer comes
// first, and the prompt means "ready". Until then, output that may be the
// start of the prompt waits in `held`.
enum class Prompt { Watching, Seen, Passed } prompt = Prompt::Watching;
char held[256];
size_t held_size = 0;  // while Watching: how much of PROMPT the output ends with
bool line_start = true;

void enqueue(uint8_t key) {
    if (count == QUEUE_SIZE) {  // a guest that does not read: its keys go, ours never do
        dropped_keys++;
        return;
    }
    queue[(first + count++) % QUEUE_SIZE] = key;
}

uint8_t dequeue() {
    const uint8_t key = queue[first];
    first = (first + 1) % QUEUE_SIZE;
    count--;
    return key;
}

void emit(const char* text, size_t size) {
    if (size == 0) return;
    sbi::console_write(text, size);
    line_start = text[size - 1] == '\n';
}

void release_held() {
    emit(held, held_size);
    held_size = 0;
}

// Output before the prompt has passed: one character at a time, ordinary
// characters collected in `out` and printed a buffer at a time.
struct Batch {
    char bytes[128];
    size_t size = 0;
    void flush() {
        emit(bytes, size);
        size = 0;
    }
    void put(char c) {
        if (size == sizeof bytes) flush();
        bytes[size++] = c;
    }
};

void watch(char c, Batch& out) {
    if (prompt == Prompt::Seen) {  // after the prompt, before its snapshot: behind it
        if (held_size == sizeof held) out.flush(), release_held();
        held[held_size++] = c;
        return;
    }
    if (c == PROMPT[held_size]) {
        out.flush();  // what came before, then (maybe) the prompt
        held[held_size++] = c;
        if (PROMPT[held_size] == '\0') prompt = Prompt::Seen;
        return;
    }
    if (held_size > 0) {  // it was not the prompt after all
        out.flush();
        release_held();
        if (c == PROMPT[0]) return watch(c, out);  // PROMPT has no repeated prefix
    }
    out.put(c);
}

}  // namespace

void write(const char* text, size_t size) {
    if (prompt == Prompt::Passed) return emit(text, size);
    Batch out;
    for (size_t i = 0; i < size; i++) watch(text[i], out);
    out.flush();
}

void put(char c) { write(&c, 1); }

void poll() {
    while (command == 0) {
        if (count == QUEUE_SIZE && guest_reads()) return;  // room comes: leave keys in the UART
        const long key = sbi::console_getchar();
        if (key < 0) return;
        if (escaped) {
            escaped = false;
            if (key == ESCAPE) enqueue(ESCAPE);
            else command = static_cast<char>(key);  // stop here: see the header
        } else if (key == ESCAPE) {
            escaped = true;
        } else {
            enqueue(static_cast<uint8_t>(key));
        }
    }
}

long getchar() {
    last_read = riscv::read_time();
    poll();
    return count == 0 ? -1 : dequeue();
}

size_t read(uint8_t* buffer, size_t size) {
    last_read = riscv::read_time();
    poll();
    size_t got = 0;
    for (; got < size && count > 0; got++) buffer[got] = dequeue();
    return got;
}

char take_command() {
    const char taken = command;
    command = 0;
    return taken;
}

bool command_waiting() { return command != 0; }

bool prompt_waiting() { return prompt == Prompt::Seen; }

void release_prompt() {
    release_held();
    prompt = Prompt::Passed;
}

void start_line() {
    if (!line_start) sbi::console_putchar('\n');
    line_start = true;
}

uint64_t dropped() { return dropped_keys; }

void save(Queue& saved) {
    for (size_t i = 0; i < count; i++) saved.keys[i] = queue[(first + i) % QUEUE_SIZE];
    saved.count = count;
}

void load(const Queue& saved) {
    memcpy(queue, saved.keys, saved.count);
    first = 0;
    count = saved.count;
}

}  // namespace guest_console
