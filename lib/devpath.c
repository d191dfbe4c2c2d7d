/*
 * devpath.c - follow a device path's symlinks without realpath(3) (see
 * devpath.h for why).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devpath.h"

#define MAX_LINKS 32

/* Remove "//", "/./" and "dir/../" from an absolute path, in place. */
static void normalize(char *p)
{
	char *out = p, *in = p;

	while (*in) {
		while (*in == '/')
			in++;
		char *end = in + strcspn(in, "/");
		size_t n = (size_t)(end - in);
		if (n == 0)
			break;
		if (n == 1 && in[0] == '.') {
			/* nothing */
		} else if (n == 2 && in[0] == '.' && in[1] == '.') {
			while (out > p && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, in, n);
			out += n;
		}
		in = end;
	}
	if (out == p)
		*out++ = '/';
	*out = 0;
}

int hs_devpath_resolve(const char *path, char *out, size_t cap)
{
	char cur[PATH_MAX], target[PATH_MAX], joined[PATH_MAX * 2];

	if (path[0] == '/') {
		if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur))
			return -ENAMETOOLONG;
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		if (snprintf(cur, sizeof(cur), "%s/%s", cwd, path) >= (int)sizeof(cur))
			return -ENAMETOOLONG;
	}
	normalize(cur);
	for (int i = 0;; i++) {
		struct stat st;
		ssize_t n;

		if (lstat(cur, &st) != 0)
			return -errno;
		if (!S_ISLNK(st.st_mode))
			break;
		if (i == MAX_LINKS)
			return -ELOOP;
		if ((n = readlink(cur, target, sizeof(target) - 1)) < 0)
			return -errno;
		target[n] = 0;
		if (target[0] == '/') {
			snprintf(joined, sizeof(joined), "%s", target);
		} else {
			*strrchr(cur, '/') = 0;
			snprintf(joined, sizeof(joined), "%s/%s", cur, target);
		}
		if (strlen(joined) >= sizeof(cur))
			return -ENAMETOOLONG;
		memcpy(cur, joined, strlen(joined) + 1);
		normalize(cur);
	}
	if (strlen(cur) >= cap)
		return -ENAMETOOLONG;
	memcpy(out, cur, strlen(cur) + 1);
	return 0;
}

int hs_devpath_not_dir(const char *path, char *out, size_t cap)
{
	const char *slash = path;

	while ((slash = strchr(slash + 1, '/'))) {
		struct stat st;
		size_t n = (size_t)(slash - path);
		if (n >= cap)
			return -1;
		memcpy(out, path, n);
		out[n] = 0;
		if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode))
			return 0;
	}
	return -1;
}
