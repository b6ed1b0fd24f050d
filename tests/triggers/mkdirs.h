// mkdirs creates path and its missing parents (mode 0755), like mkdir -p;
// shared by the triggers that build directory trees.
#ifndef TRIGGER_MKDIRS_H
#define TRIGGER_MKDIRS_H

#include <stdio.h>
#include <sys/stat.h>

static void mkdirs(const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(buf, 0755);
			*p = '/';
		}
	}
	mkdir(buf, 0755);
}

#endif
