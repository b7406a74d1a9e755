#include "guest_console.hpp"

#include "control.hpp"
#include "sbi.hpp"

namespace guest_console {
namespace {

// The shell's first prompt is held back from the console until the
// snapshot it triggers is taken, so that the controller's answer comes
// first, and the prompt means "ready". Until then, output that may be the
// start of the prompt waits in `held`.
enum class Prompt { Watching, Seen, Passed } prompt = Prompt::Watching;
char held[256];
size_t held_size = 0;  // while Watching: how much of PROMPT the output ends with
bool line_start = true;

void emit(const char* text, size_t size) {
    if (size == 0) return;
    if (control::active()) return control::send('G', text, size);  // a frame, its length ours
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

bool prompt_waiting() { return prompt == Prompt::Seen; }

void release_prompt() {
    release_held();
    prompt = Prompt::Passed;
}

void start_line() {
    if (!line_start) sbi::console_putchar('\n');
    line_start = true;
}

}  // namespace guest_console
