/* alloc: allocates and frees a lot, through all of glibc's malloc: small
 * blocks from the brk heap, large ones with mmap, realloc growing a block
 * with mremap, and memory given back (free, malloc_trim). Every block is
 * filled and checked, so that a page that was lost or shared shows. The
 * totals it prints are the same wherever it runs. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long failures;

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static void check(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7)) {
			failures++;
			return;
		}
}

int main(void)
{
	/* 1. Many small blocks (the brk heap), freed in a scattered order. */
	enum { SMALL = 4000 };
	static unsigned char *small[SMALL];
	unsigned long small_bytes = 0;
	for (int i = 0; i < SMALL; i++) {
		size_t n = 16 + (size_t)(i * 37) % 1000;
		small[i] = malloc(n);
		if (small[i] == NULL)
			return 2;
		fill(small[i], n, (unsigned)i);
		small_bytes += n;
	}
	for (int i = 0; i < SMALL; i++)
		check(small[i], 16 + (size_t)(i * 37) % 1000, (unsigned)i);
	for (int step = 0; step < 7; step++)
		for (int i = step; i < SMALL; i += 7)
			free(small[i]);
	printf("small: %d blocks, %lu bytes, freed\n", SMALL, small_bytes);

	/* 2. Large blocks: each one an mmap of its own, unmapped by free. */
	unsigned long large_bytes = 0;
	for (int round = 0; round < 12; round++) {
		size_t n = (size_t)(round + 1) * 128 * 1024;
		unsigned char *p = malloc(n);
		if (p == NULL)
			return 3;
		fill(p, n, (unsigned)round);
		check(p, n, (unsigned)round);
		large_bytes += n;
		free(p);
	}
	printf("large: 12 blocks, %lu bytes, freed\n", large_bytes);

	/* 3. realloc, growing a large block: mremap moves or grows it, and
	 * its bytes must come along. */
	size_t size = 200 * 1024;
	unsigned char *grown = malloc(size);
	if (grown == NULL)
		return 4;
	fill(grown, size, 99);
	for (int round = 0; round < 5; round++) {
		size_t bigger = size * 2;
		unsigned char *p = realloc(grown, bigger);
		if (p == NULL)
			return 5;
		check(p, size, 99);
		grown = p;
		fill(grown, bigger, 99);
		size = bigger;
	}
	printf("realloc: grew to %zu bytes, contents kept\n", size);
	grown = realloc(grown, 4096);
	check(grown, 4096, 99);
	free(grown);

	/* 4. More than there is: refused, and the program goes on. */
	void *huge = malloc((size_t)1 << 40);
	printf("a terabyte: %s\n", huge == NULL ? "refused" : "granted");
	free(huge);

	malloc_trim(0);
	printf("checks failed: %lu\n", failures);
	return failures == 0 ? 0 : 1;
}
