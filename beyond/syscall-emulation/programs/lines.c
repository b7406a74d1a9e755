/* lines: a line-oriented filter. Reads its standard input a line at a
 * time, answers each line at once (its number, its length, the line
 * reversed), and at the end of input prints how many lines, words and
 * bytes it read. Exit status: 0, or 1 if a line was empty. */
#include <stdio.h>
#include <string.h>

int main(void)
{
	char line[4096];
	unsigned long lines = 0, words = 0, bytes = 0;
	int empty = 0;
	while (fgets(line, sizeof line, stdin) != NULL) {
		size_t length = strlen(line);
		bytes += length;
		if (length > 0 && line[length - 1] == '\n')
			line[--length] = '\0';
		lines++;
		int in_word = 0;
		for (size_t i = 0; i < length; i++) {
			int space = line[i] == ' ' || line[i] == '\t';
			if (!space && !in_word)
				words++;
			in_word = !space;
		}
		if (length == 0)
			empty = 1;
		printf("%lu: %zu bytes, reversed: ", lines, length);
		for (size_t i = length; i > 0; i--)
			putchar(line[i - 1]);
		putchar('\n');
		fflush(stdout);
	}
	printf("%lu lines, %lu words, %lu bytes\n", lines, words, bytes);
	return empty;
}
