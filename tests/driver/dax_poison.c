// SPDX-License-Identifier: GPL-2.0-only
/*
 * dax_poison DEV OFFSET poison [COUNT STRIDE]
 * dax_poison DEV OFFSET touch
 * dax_poison DEV OFFSET where
 *
 * The VMM's side of a memory error on a device-dax namespace.  "poison"
 * maps DEV and poisons the page at OFFSET with madvise(MADV_HWPOISON)
 * (then COUNT - 1 more, STRIDE bytes apart); "touch" maps DEV and reads
 * the page at OFFSET.  Prints one line per page: "sigbus BUS_MCEERR_AR",
 * "sigbus BUS_MCEERR_AO", "sigbus code N" or "no signal", and exits 0
 * unless a system call failed.  "where" is "touch" that also prints, after
 * a signal, the offset in DEV of its address and the lsb of its extent:
 * "sigbus BUS_MCEERR_AR at 0x5000 lsb 12".
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile sig_atomic_t code;
static void *volatile addr;
static volatile short lsb;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	code = si->si_code;
	addr = si->si_addr;
	lsb = si->si_addr_lsb;
	siglongjmp(jb, 1);
}

static void die(const char *what)
{
	fprintf(stderr, "dax_poison: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void report(int got, int where, const char *map)
{
	if (!got)
		fputs("no signal", stdout);
	else if (code == BUS_MCEERR_AR)
		fputs("sigbus BUS_MCEERR_AR", stdout);
	else if (code == BUS_MCEERR_AO)
		fputs("sigbus BUS_MCEERR_AO", stdout);
	else
		printf("sigbus code %d", (int)code);
	if (got && where)
		printf(" at %#lx lsb %d", (unsigned long)((char *)addr - map),
		       (int)lsb);
	putchar('\n');
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	/* volatile: live across siglongjmp() */
	volatile unsigned long long off, count = 1, stride = 4096, i;
	unsigned long long len;
	volatile char *p;
	char *volatile map;
	volatile int poison, where;
	int fd;

	if (argc != 4 && argc != 6)
		goto usage;
	poison = !strcmp(argv[3], "poison");
	where = !strcmp(argv[3], "where");
	if (!poison && !where && strcmp(argv[3], "touch"))
		goto usage;
	off = strtoull(argv[2], NULL, 0);
	if (argc == 6) {
		count = strtoull(argv[4], NULL, 0);
		stride = strtoull(argv[5], NULL, 0);
	}
	/* whole 2 MiB blocks: device-dax refuses smaller mappings */
	len = ((off + (count - 1) * stride) | 0x1fffff) + 1;
	fd = open(argv[1], O_RDWR);
	if (fd < 0)
		die(argv[1]);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap");
	if (sigaction(SIGBUS, &sa, NULL))
		die("sigaction");
	for (i = 0; i < count; i++) {
		p = map + off + i * stride;
		if (sigsetjmp(jb, 1)) {
			report(1, where, map);
			continue;
		}
		/* fault the page in first: madvise needs it mapped */
		(void)*p;
		if (poison && madvise((void *)p, 4096, MADV_HWPOISON))
			die("madvise(MADV_HWPOISON)");
		report(0, where, map);
	}
	return 0;
usage:
	fputs("usage: dax_poison DEV OFFSET poison [COUNT STRIDE] | DEV OFFSET touch | DEV OFFSET where\n",
	      stderr);
	return 2;
}
