// SPDX-License-Identifier: GPL-2.0-only
/*
 * hmpc - a minimal client for QEMU's human monitor on a unix socket.
 *
 *   hmpc [-t SECS] SOCK CMD...
 *	run each command in turn and print its output
 *   hmpc [-t SECS] [-i MS] -w TEXT [-f TEXT] SOCK CMD
 *	repeat CMD every MS milliseconds until its output contains the -w
 *	text (exit 0), contains a -f text (exit 1), or SECS pass (exit 1)
 *
 * Connecting is retried until the timeout, so callers wait for the
 * socket to appear instead of sleeping a fixed time.  Exit 3 when the
 * monitor cannot be reached.  QEMU closing the connection (after
 * "quit") ends a command's output normally.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PROMPT "(qemu) "
#define BUFSZ (256 * 1024)

static const char *prog = "hmpc";
static char buf[BUFSZ];
static double deadline;
static bool hung_up;	/* QEMU closed the monitor: quit, or it died */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int connect_monitor(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "%s: socket path too long: %s\n", prog, path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			break;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		close(fd);
		if ((errno != ENOENT && errno != ECONNREFUSED) ||
		    now() > deadline)
			break;
		nap(20);
	}
	fprintf(stderr, "%s: cannot reach the QEMU monitor at %s: %s\n",
		prog, path, strerror(errno));
	return -1;
}

/*
 * Read until the prompt ends the buffer or QEMU hangs up; return the
 * text before the prompt, NUL-terminated in buf, or NULL on timeout.
 */
static char *read_reply(int fd)
{
	size_t len = 0, plen = strlen(PROMPT);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int ms;

	for (;;) {
		if (len >= plen && !memcmp(buf + len - plen, PROMPT, plen)) {
			buf[len - plen] = '\0';
			return buf;
		}
		ms = (int)((deadline - now()) * 1000);
		if (ms <= 0 || poll(&p, 1, ms) <= 0) {
			fprintf(stderr, "%s: timed out waiting for the monitor\n",
				prog);
			return NULL;
		}
		n = read(fd, buf + len, BUFSZ - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {		/* hung up: e.g. after quit */
			hung_up = true;
			buf[len] = '\0';
			return buf;
		}
		len += (size_t)n;
		if (len == BUFSZ - 1) {	/* keep the tail, where the prompt is */
			memmove(buf, buf + len - plen, plen);
			len = plen;
		}
	}
}

/* Send one command; return its output without the echoed command line. */
static char *run(int fd, const char *cmd)
{
	size_t len = strlen(cmd);
	char *out, *nl;

	if (write(fd, cmd, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		fprintf(stderr, "%s: sending '%s': %s\n", prog, cmd,
			strerror(errno));
		return NULL;
	}
	out = read_reply(fd);
	if (out && (nl = strchr(out, '\n')))
		out = nl + 1;
	return out;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: %s [-t SECS] SOCK CMD...\n"
		"       %s [-t SECS] [-i MS] -w TEXT [-f TEXT]... SOCK CMD\n",
		prog, prog);
	return 2;
}

int main(int argc, char **argv)
{
	const char *want = NULL, *fail[8];
	int nfail = 0, interval = 20, c, fd, i;
	double timeout = 10;
	char *out;

	while ((c = getopt(argc, argv, "+t:i:w:f:")) != -1) {
		switch (c) {
		case 't':
			timeout = atof(optarg);
			break;
		case 'i':
			interval = atoi(optarg);
			break;
		case 'w':
			want = optarg;
			break;
		case 'f':
			if (nfail == (int)(sizeof(fail) / sizeof(fail[0])))
				return usage();
			fail[nfail++] = optarg;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind < 2 || timeout <= 0 || interval <= 0 ||
	    (want && argc - optind != 2))
		return usage();
	deadline = now() + timeout;
	signal(SIGPIPE, SIG_IGN);	/* a vanished QEMU is an error, not a kill */
	fd = connect_monitor(argv[optind]);
	if (fd < 0 || !read_reply(fd))	/* the banner */
		return 3;

	if (!want) {
		for (i = optind + 1; i < argc; i++) {
			out = run(fd, argv[i]);
			if (!out)
				return 1;
			fputs(out, stdout);
		}
		return 0;
	}
	for (;;) {
		out = run(fd, argv[optind + 1]);
		if (!out)
			return 1;
		if (strstr(out, want))
			return 0;
		for (i = 0; i < nfail; i++) {
			if (strstr(out, fail[i])) {
				fputs(out, stderr);
				return 1;
			}
		}
		if (hung_up) {
			fprintf(stderr, "%s: QEMU closed the monitor before '%s' reported '%s'\n",
				prog, argv[optind + 1], want);
			return 1;
		}
		if (now() > deadline) {
			fprintf(stderr, "%s: '%s' never reported '%s'; last output:\n%s",
				prog, argv[optind + 1], want, out);
			return 1;
		}
		nap(interval);
	}
}
