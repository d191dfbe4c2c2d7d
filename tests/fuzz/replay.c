/*
 * replay.c - the main() a harness gets when built without libFuzzer: it
 * runs every file named (folders: every file in them, in name order)
 * through LLVMFuzzerTestOneInput once, so `make check` proves that each
 * input ever found to crash stays fixed, with the normal compiler and,
 * under SANITIZE=1, ASan and UBSan. A broken invariant aborts; the
 * replay then fails and tests/fuzz/replay.sh names the file.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

static size_t replayed;

static void replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		perror(path);
		exit(2);
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if (!(buf = realloc(buf, cap)))
				abort();
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	replayed++;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void replay_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	int n;

	if (stat(path, &st) != 0) {
		perror(path);
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	if ((n = scandir(path, &names, NULL, by_name)) < 0) {
		perror(path);
		exit(2);
	}
	for (int i = 0; i < n; i++) {
		char file[4096];
		if (names[i]->d_name[0] != '.') {
			snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
			if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
				replay_file(file);
		}
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		replay_path(argv[i]);
	printf("%zu inputs replayed\n", replayed);
	return 0;
}
