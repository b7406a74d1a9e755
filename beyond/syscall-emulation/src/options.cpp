#include "options.hpp"

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

bool starts_with(const char* text, const char* prefix) {
    while (*prefix != '\0' && *text == *prefix) text++, prefix++;
    return *prefix == '\0';
}

bool equal(const char* a, const char* b) {
    while (*b != '\0' && *a == *b) a++, b++;
    return *a == *b;
}

// "64M", "1G", "65536": false unless it is a whole size that does not
// overflow. `units` allows the K, M, G suffixes.
bool parse_size(const char* text, uint64_t& size, bool units = true) {
    if (*text < '0' || *text > '9') return false;
    uint64_t value = 0;
    for (; *text >= '0' && *text <= '9'; text++) {
        if (value > (~0ull - 9) / 10) return false;
        value = value * 10 + static_cast<uint64_t>(*text - '0');
    }
    unsigned shift = 0;
    if (units && *text == 'K') shift = 10, text++;
    else if (units && *text == 'M') shift = 20, text++;
    else if (units && *text == 'G') shift = 30, text++;
    if (*text != '\0' || value > (~0ull >> shift)) return false;
    size = value << shift;
    return true;
}

// The next word of `p`, cut out with '\0'; nullptr at the end.
char* next_word(char*& p) {
    while (is_space(*p)) p++;
    if (*p == '\0') return nullptr;
    char* word = p;
    while (*p != '\0' && !is_space(*p)) p++;
    if (*p != '\0') *p++ = '\0';
    return word;
}

Options fail(Options& options, const char* error, const char* word) {
    options.error = error;
    options.bad_word = word;
    return options;
}

}  // namespace

Options parse_options(char* text) {
    Options options;
    char* p = text;
    bool ours = true;  // before the `--`
    for (char* word; (word = next_word(p)) != nullptr;) {
        if (!ours) {
            if (options.argc == Options::MAX_ARGS) return fail(options, "more than 64 arguments", word);
            options.argv[options.argc++] = word;
        } else if (equal(word, "--")) {
            ours = false;
        } else if (starts_with(word, "mem=")) {
            if (!parse_size(word + 4, options.guest_ram))
                return fail(options, "mem= wants a size, such as 64M or 1G", word);
        } else if (starts_with(word, "timeout=")) {
            if (!parse_size(word + 8, options.timeout, false) || options.timeout > 1'000'000'000)
                return fail(options, "timeout= wants a number of seconds (0: no limit)", word);
        } else if (equal(word, "quiet")) {
            options.quiet = true;
        } else if (equal(word, "control")) {
            options.control = true;
        } else {
            return fail(options, "unknown option (there are mem=SIZE, timeout=SECONDS, quiet and "
                                 "control)", word);
        }
    }
    if (options.argc == 0 && !options.control) return fail(options, "no program name after `--`", "--");
    return options;
}
