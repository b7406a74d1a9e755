#include "options.hpp"

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

bool starts_with(const char* text, const char* prefix) {
    while (*prefix != '\0' && *text == *prefix) text++, prefix++;
    return *prefix == '\0';
}

// "64M", "1G", "65536": false unless it is a whole size that does not
// overflow.
bool parse_size(const char* text, uint64_t& size) {
    if (*text < '0' || *text > '9') return false;
    uint64_t value = 0;
    for (; *text >= '0' && *text <= '9'; text++) {
        if (value > (~0ull - 9) / 10) return false;
        value = value * 10 + static_cast<uint64_t>(*text - '0');
    }
    unsigned shift = 0;
    if (*text == 'K') shift = 10, text++;
    else if (*text == 'M') shift = 20, text++;
    else if (*text == 'G') shift = 30, text++;
    if (*text != '\0' || value > (~0ull >> shift)) return false;
    size = value << shift;
    return true;
}

}  // namespace

Options parse_options(char* text) {
    Options options;
    // Is there a `--` word? Until there is, words are ours.
    bool has_separator = false;
    for (char* p = text; *p != '\0'; p++)
        if (p[0] == '-' && p[1] == '-' && (p == text || is_space(p[-1])) &&
            (p[2] == '\0' || is_space(p[2])))
            has_separator = true;
    if (!has_separator) {
        options.guest_command_line = *text != '\0' ? text : nullptr;
        return options;
    }
    char* p = text;
    for (;;) {
        while (is_space(*p)) p++;
        char* word = p;
        while (*p != '\0' && !is_space(*p)) p++;
        const bool last = *p == '\0';
        *p = '\0';
        if (word[0] == '-' && word[1] == '-' && word[2] == '\0') {
            char* rest = last ? p : p + 1;
            while (is_space(*rest)) rest++;
            options.guest_command_line = *rest != '\0' ? rest : nullptr;
            return options;
        }
        if (starts_with(word, "mem=")) {
            if (!parse_size(word + 4, options.guest_ram)) {
                options.error = "mem= wants a size, such as 64M or 1G";
                options.bad_word = word;
                return options;
            }
        } else if (starts_with(word, "control") && word[7] == '\0') {
            options.control = true;
        } else if (*word != '\0') {
            options.error = "unknown option (they are mem=SIZE and control)";
            options.bad_word = word;
            return options;
        }
        if (last) return options;  // unreachable: there is a `--`
        p++;
    }
}
