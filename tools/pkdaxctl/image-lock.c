// SPDX-License-Identifier: GPL-2.0-only
/*
 * The image lock: lib's update protocol assumes one writer, so concurrent
 * pkdaxctl runs on one image take turns for the whole command (flock,
 * exclusive for a writer, shared for a reader).  A run that has to wait
 * longer than a moment says once what it waits for, naming the holder
 * when /proc/locks tells it, so a command that seems to hang explains
 * itself; with --timeout it gives up instead of waiting for good.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "backend.h"
#include "pkdaxctl.h"

/* Waits shorter than this (another run's update) pass without a word */
#define NOTICE_MS	1000
#define POLL_MS		20

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* /proc/PID/comm, made printable so the message stays one line */
static void read_comm(int pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	comm[0] = '\0';
	f = fopen(path, "re");
	if (f) {
		if (!fgets(comm, (int)len, f))
			comm[0] = '\0';
		fclose(f);
	}
	comm[strcspn(comm, "\n")] = '\0';
	for (char *c = comm; *c; c++)
		if (!isprint((unsigned char)*c))
			*c = '?';
}

/*
 * "pid 1234 (pkdaxctl)" for a process holding a flock on @fd's file,
 * from /proc/locks; "another process" when it cannot be told (no procfs,
 * a holder in another PID namespace).
 */
static void lock_holder(int fd, char *buf, size_t len)
{
	unsigned int maj, min;
	unsigned long long ino;
	char line[256], comm[64];
	struct stat st;
	FILE *f;
	int pid;

	snprintf(buf, len, "another process");
	if (fstat(fd, &st))
		return;
	f = fopen("/proc/locks", "re");
	if (!f)
		return;
	/* "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; waiters say "->" */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*d: FLOCK %*s %*s %d %x:%x:%llu",
			   &pid, &maj, &min, &ino) != 4)
			continue;
		if (pid <= 0 || maj != major(st.st_dev) ||
		    min != minor(st.st_dev) || ino != (unsigned long long)st.st_ino)
			continue;
		read_comm(pid, comm, sizeof(comm));
		if (comm[0])
			snprintf(buf, len, "pid %d (%s)", pid, comm);
		else
			snprintf(buf, len, "pid %d", pid);
		break;
	}
	fclose(f);
}

int pkd_lock_image(int fd, const struct pkd_target *t)
{
	int op = t->readonly ? LOCK_SH : LOCK_EX;
	long long start = now_ms();
	bool told = false;
	char holder[128];

	for (;;) {
		long long waited;

		if (!flock(fd, op | LOCK_NB))
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			goto err;
		waited = now_ms() - start;
		if (t->has_timeout && waited >= (long long)t->timeout * 1000)
			break;
		if (!told && waited >= NOTICE_MS) {
			lock_holder(fd, holder, sizeof(holder));
			pkd_err("waiting for the lock on image %s: %s is %s it%s",
				t->image, holder,
				t->readonly ? "changing" : "using",
				t->has_timeout ? "" : " (--timeout SECONDS gives up)");
			told = true;
			if (!t->has_timeout)
				break;
		}
		sleep_ms(POLL_MS);
	}
	if (!t->has_timeout) {
		while (flock(fd, op))
			if (errno != EINTR)
				goto err;
		return 0;
	}
	lock_holder(fd, holder, sizeof(holder));
	pkd_err("gave up after %u s waiting for the lock on image %s: %s still holds it; nothing was done",
		t->timeout, t->image, holder);
	return -1;
err:
	pkd_err("cannot lock image %s: %s", t->image, strerror(errno));
	return -1;
}
