// SPDX-License-Identifier: GPL-2.0-only
/*
 * --help and "pkdaxctl help CMD": the command's manual page, as ndctl
 * shows it; -h stays the short option list, which needs no man.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkdaxctl.h"

/* Exit status of "man -w PAGE" (only asks where the page is), or -1 */
static int man_where(const char *page)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (!pid) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execlp("man", "man", "-w", page, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int pkd_show_man(const char *cmd)
{
	char page[64];
	int rc;

	snprintf(page, sizeof(page), "pkdaxctl-%s", cmd);
	rc = man_where(page);
	if (rc == 127) {
		pkd_err("cannot show the manual page %s: man is not installed; pkdaxctl %s -h lists the options",
			page, cmd);
		return PKD_EXIT_FAIL;
	}
	if (rc) {
		pkd_err("no manual page %s is installed (make install puts it in place); pkdaxctl %s -h lists the options",
			page, cmd);
		return PKD_EXIT_FAIL;
	}
	fflush(stdout);
	execlp("man", "man", page, (char *)NULL);
	pkd_err("cannot run man: %s; pkdaxctl %s -h lists the options",
		strerror(errno), cmd);
	return PKD_EXIT_FAIL;
}
