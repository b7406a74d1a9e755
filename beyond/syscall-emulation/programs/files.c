/* files: lists directories and prints files. For each path given: a
 * directory is listed, one entry a line, sorted, with a '/' after the
 * directories; a file is printed with its size, line count and first
 * lines. A path that cannot be read is reported as ls and cat report it,
 * and makes the exit status 1. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list(const char *path)
{
	DIR *dir = opendir(path);
	if (dir == NULL)
		return -1;
	char *names[1024];
	int count = 0;
	struct dirent *entry;
	while ((entry = readdir(dir)) != NULL && count < 1024) {
		if (entry->d_name[0] == '.')
			continue;
		size_t length = strlen(entry->d_name);
		names[count] = malloc(length + 2);
		memcpy(names[count], entry->d_name, length + 1);
		if (entry->d_type == DT_DIR)
			strcpy(names[count] + length, "/");
		count++;
	}
	closedir(dir);
	qsort(names, (size_t)count, sizeof names[0], by_name);
	printf("%s: %d entries\n", path, count);
	for (int i = 0; i < count; i++) {
		printf("  %s\n", names[i]);
		free(names[i]);
	}
	return 0;
}

static int show(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -1;
	off_t end = lseek(fd, 0, SEEK_END);
	lseek(fd, 0, SEEK_SET);
	FILE *file = fdopen(fd, "r");
	char line[256];
	int lines = 0;
	printf("%s: %lld bytes (lseek says %lld)\n", path, (long long)st.st_size, (long long)end);
	while (fgets(line, sizeof line, file) != NULL) {
		if (lines < 3)
			printf("  | %s%s", line, strchr(line, '\n') ? "" : "\n");
		lines++;
	}
	printf("  %d lines\n", lines);
	fclose(file);
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: files PATH...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int r = stat(argv[i], &st);
		if (r == 0)
			r = S_ISDIR(st.st_mode) ? list(argv[i]) : show(argv[i]);
		if (r != 0) {
			printf("files: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
