#include "console.hpp"

#include "clock.hpp"
#include "control.hpp"
#include "sbi.hpp"

namespace console {
namespace {

constexpr char CTRL_C = 0x03, CTRL_D = 0x04, BACKSPACE = 0x08, DELETE = 0x7f;
constexpr size_t LINE_MAX = 4096;  // Linux's N_TTY_BUF_SIZE: a longer line is cut there

char line[LINE_MAX];
size_t line_length = 0;  // typed so far, or ready to be read
size_t taken = 0;        // of a finished line, what read() has taken
bool line_ready = false;
bool end_of_input = false;  // Ctrl-D at the start of a line
bool echoing = true;

void echo_text(const char* text, size_t size) {
    if (echoing) sbi::console_write(text, size);
}

// The next key; waits for one, the hart asleep between looks.
char next_key() {
    for (;;) {
        const long key = sbi::console_getchar();
        if (key >= 0) return static_cast<char>(key);
        clock::wait_until(clock::now() + clock::TICKS_PER_SECOND / 1000);
    }
}

// Collect keys until a line is finished. False if Ctrl-C was pressed.
bool type_line() {
    while (!line_ready && !end_of_input) {
        char key = next_key();
        if (key == '\r') key = '\n';  // Enter, on a terminal in raw mode
        if (key == CTRL_C) {
            echo_text("^C\n", 3);
            line_length = 0;
            return false;
        }
        if (key == CTRL_D) {
            if (line_length == 0) end_of_input = true;
            else line_ready = true;  // what is there, without a newline
        } else if (key == BACKSPACE || key == DELETE) {
            if (line_length > 0) {
                line_length--;
                echo_text("\b \b", 3);
            }
        } else {
            line[line_length++] = key;
            echo_text(&key, 1);
            line_ready = key == '\n' || line_length == LINE_MAX;
        }
    }
    return true;
}

}  // namespace

void write(Stream stream, const uint8_t* data, size_t size) {
    if (control::active()) return control::send(stream == ERROR ? 'E' : 'O', data, size);
    sbi::console_write(reinterpret_cast<const char*>(data), size);
}

Input read(uint8_t* to, size_t capacity) {
    if (!type_line()) return {0, true};
    if (end_of_input) {
        end_of_input = false;  // as on a terminal: the next read waits again
        return {0, false};
    }
    size_t n = line_length - taken;
    if (n > capacity) n = capacity;
    __builtin_memcpy(to, line + taken, n);
    taken += n;
    if (taken == line_length) line_length = taken = 0, line_ready = false;
    return {n, false};
}

void set_echo(bool on) { echoing = on; }
bool echo() { return echoing; }

void reset() {
    line_length = taken = 0;
    line_ready = end_of_input = false;
    echoing = true;
}

}  // namespace console
