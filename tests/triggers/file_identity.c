// New names for a file, and opening a file without a name. Works only
// inside DIR (the test's temporary directory); prints pid=<pid>.
//   file_identity link DIR       linkat(dirfd DIR, "a", dirfd DIR/sub, "hard"): a hard link by dirfds
//   file_identity tmpfile DIR    O_TMPFILE in DIR, then linkat(fd, "", AT_FDCWD, DIR/linked, AT_EMPTY_PATH)
//   file_identity symlink DIR    chdir DIR/sub, symlink("../a", "soft") (relative to the cwd)
//   file_identity handle DIR     name_to_handle_at(DIR/a), then open_by_handle_at(O_WRONLY): a write with no path
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: file_identity link|tmpfile|symlink|handle DIR\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return usage();
	const char *mode = argv[1], *dir = argv[2];
	char path[4096];
	printf("pid=%d mode=%s\n", getpid(), mode);
	fflush(stdout);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return perror(dir), 1;
	int fd = openat(dfd, "a", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return perror("create a"), 1;
	close(fd);
	mkdirat(dfd, "sub", 0755);
	int sub = openat(dfd, "sub", O_RDONLY | O_DIRECTORY);
	if (sub < 0)
		return perror("sub"), 1;
	int r = -1;
	if (!strcmp(mode, "link")) {
		r = linkat(dfd, "a", sub, "hard", 0);
	} else if (!strcmp(mode, "tmpfile")) {
		fd = open(dir, O_TMPFILE | O_WRONLY, 0644);
		if (fd < 0)
			return perror("O_TMPFILE"), 1;
		snprintf(path, sizeof(path), "%s/linked", dir);
		r = linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH);
	} else if (!strcmp(mode, "symlink")) {
		if (fchdir(sub))
			return perror("fchdir"), 1;
		r = symlink("../a", "soft");
	} else if (!strcmp(mode, "handle")) {
		struct file_handle *h = malloc(sizeof(*h) + MAX_HANDLE_SZ);
		h->handle_bytes = MAX_HANDLE_SZ;
		int mount_id;
		if (name_to_handle_at(dfd, "a", h, &mount_id, 0))
			return perror("name_to_handle_at"), 1;
		r = open_by_handle_at(dfd, h, O_WRONLY);
		printf("fd=%d\n", r);
	} else {
		return usage();
	}
	if (r < 0)
		return perror(mode), 1;
	return 0;
}
