/* hello: the smallest ordinary program, printf and all. Its exit status
 * is the number of arguments it was given, so that a test can tell that
 * argc (and the status) made it through. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("Hello, world! I am %s, with %d argument%s.\n", argv[0], argc - 1,
	       argc == 2 ? "" : "s");
	for (int i = 1; i < argc; i++)
		printf("  argv[%d] = \"%s\"\n", i, argv[i]);
	return argc - 1;
}
