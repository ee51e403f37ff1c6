// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkbench: the measuring half of make bench, run inside the test VM.
 *
 *   pkbench touch anon|anon-4K|hugetlb-2M|hugetlb-1G|FILE SIZE
 *	map SIZE bytes (FILE: a /dev/daxN.M, shared), write every byte
 *	once, print "minflt=N majflt=N ns=N" (getrusage deltas, monotonic
 *	clock): the page faults it took to populate the mapping.  anon may
 *	get transparent huge pages; anon-4K asks for none (MADV_NOHUGEPAGE).
 *   pkbench memset FILE|anon SIZE
 *	populate first, then time one more memset of every byte:
 *	"bytes=N ns=N" (userspace zeroing bandwidth, faults excluded).
 *   pkbench create /dev/pkernN NAME SIZE ALIGN
 *   pkbench destroy /dev/pkernN NAME
 *	one PKERN_IOC_CREATE (guest namespace) or PKERN_IOC_DESTROY,
 *	print "ns=N": the ioctl alone, without pkdaxctl's exec and scan.
 *   pkbench time CMD [ARG...]
 *	run CMD, print "ns=N" (its wall time on CLOCK_MONOTONIC) on
 *	stderr; exit with CMD's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/pkern.h>

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'K': v <<= 10; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end || !v)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* map SIZE bytes of WHAT; NULL (message printed) on failure */
static void *map(const char *what, size_t size)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS, fd;
	void *p;

	if (!strcmp(what, "anon") || !strcmp(what, "anon-4K")) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
		if (p != MAP_FAILED && what[4] &&
		    madvise(p, size, MADV_NOHUGEPAGE)) {
			perror("pkbench: madvise(MADV_NOHUGEPAGE)");
			munmap(p, size);
			return NULL;
		}
	} else if (!strcmp(what, "hugetlb-2M") || !strcmp(what, "hugetlb-1G")) {
		flags |= MAP_HUGETLB |
			 ((what[8] == '2' ? 21 : 30) << MAP_HUGE_SHIFT);
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
	} else {
		fd = open(what, O_RDWR);
		if (fd < 0) {
			fprintf(stderr, "pkbench: cannot open %s: %s\n", what,
				strerror(errno));
			return NULL;
		}
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
	}
	if (p == MAP_FAILED) {
		fprintf(stderr, "pkbench: cannot map %zu bytes of %s: %s (for hugetlb, reserve pages in /proc/sys/vm/nr_hugepages first)\n",
			size, what, strerror(errno));
		return NULL;
	}
	return p;
}

static int cmd_touch(const char *what, size_t size)
{
	struct rusage r0, r1;
	uint64_t t0, t1;
	char *p = map(what, size);

	if (!p)
		return 1;
	getrusage(RUSAGE_SELF, &r0);
	t0 = now_ns();
	memset(p, 0x5a, size);
	t1 = now_ns();
	getrusage(RUSAGE_SELF, &r1);
	printf("minflt=%ld majflt=%ld ns=%llu\n", r1.ru_minflt - r0.ru_minflt,
	       r1.ru_majflt - r0.ru_majflt, (unsigned long long)(t1 - t0));
	munmap(p, size);
	return 0;
}

static int cmd_memset(const char *what, size_t size)
{
	uint64_t t0, t1;
	char *p = map(what, size);

	if (!p)
		return 1;
	memset(p, 1, size);
	t0 = now_ns();
	memset(p, 0, size);
	t1 = now_ns();
	/* keep the compiler from dropping a store it thinks nobody reads */
	if (p[size - 1])
		return 1;
	printf("bytes=%zu ns=%llu\n", size, (unsigned long long)(t1 - t0));
	munmap(p, size);
	return 0;
}

static int cmd_time(char **argv)
{
	uint64_t t0 = now_ns(), t1;
	int st;
	pid_t pid = fork();

	if (pid < 0) {
		perror("pkbench: fork");
		return 1;
	}
	if (!pid) {
		execvp(argv[0], argv);
		fprintf(stderr, "pkbench: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0) {
		perror("pkbench: waitpid");
		return 1;
	}
	t1 = now_ns();
	fprintf(stderr, "ns=%llu\n", (unsigned long long)(t1 - t0));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* one control ioctl on REGION (a /dev/pkernN), timed */
static int ctl(const char *region, unsigned long req, void *arg,
	       const char *name)
{
	uint64_t t0, t1;
	int fd = open(region, O_RDWR), ret;

	if (fd < 0) {
		fprintf(stderr, "pkbench: cannot open %s: %s\n", region,
			strerror(errno));
		return 1;
	}
	t0 = now_ns();
	ret = ioctl(fd, req, arg);
	t1 = now_ns();
	if (ret) {
		fprintf(stderr, "pkbench: %s of namespace %s on %s failed: %s\n",
			req == PKERN_IOC_CREATE ? "create" : "destroy", name,
			region, strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	printf("ns=%llu\n", (unsigned long long)(t1 - t0));
	return 0;
}

static int set_name(char *dst, const char *name)
{
	if (strlen(name) >= PKERN_NAME_LEN) {
		fprintf(stderr, "pkbench: name '%s' is longer than %d bytes\n",
			name, PKERN_NAME_LEN - 1);
		return -1;
	}
	strcpy(dst, name);
	return 0;
}

static int cmd_create(char **argv)
{
	struct pkern_create c = { .argsz = sizeof(c),
				  .kind = PKERN_KIND_GUEST };
	size_t size, align;

	if (parse_size(argv[2], &size) || parse_size(argv[3], &align)) {
		fprintf(stderr, "pkbench: bad size '%s' or alignment '%s': give bytes with an optional K/M/G suffix\n",
			argv[2], argv[3]);
		return 2;
	}
	if (set_name(c.name, argv[1]))
		return 2;
	c.size = size;
	c.align = align;
	return ctl(argv[0], PKERN_IOC_CREATE, &c, argv[1]);
}

static int cmd_destroy(char **argv)
{
	struct pkern_destroy d = { .argsz = sizeof(d) };

	if (set_name(d.name, argv[1]))
		return 2;
	return ctl(argv[0], PKERN_IOC_DESTROY, &d, argv[1]);
}

static int usage(void)
{
	fprintf(stderr, "usage: pkbench touch|memset anon|anon-4K|hugetlb-2M|hugetlb-1G|FILE SIZE\n"
		"       pkbench create /dev/pkernN NAME SIZE ALIGN | pkbench destroy /dev/pkernN NAME\n"
		"       pkbench time CMD [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	size_t size;

	if (argc >= 3 && !strcmp(argv[1], "time"))
		return cmd_time(argv + 2);
	if (argc == 6 && !strcmp(argv[1], "create"))
		return cmd_create(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "destroy"))
		return cmd_destroy(argv + 2);
	if (argc != 4)
		return usage();
	if (parse_size(argv[3], &size)) {
		fprintf(stderr, "pkbench: bad size '%s': give bytes with an optional K/M/G suffix\n",
			argv[3]);
		return 2;
	}
	if (!strcmp(argv[1], "touch"))
		return cmd_touch(argv[2], size);
	if (!strcmp(argv[1], "memset"))
		return cmd_memset(argv[2], size);
	return usage();
}
