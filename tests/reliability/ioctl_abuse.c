// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioctl_abuse: throw malformed, truncated, oversized and random argument
 * structs at every /dev/pkernN ioctl and check each gets the precise
 * errno, then that the label area is byte-identical (READ_LABELS) and the
 * generation unchanged.  The region must be ready and hold at least one
 * namespace (format must then refuse without FORCE).
 *
 *   ioctl_abuse [--random N] /dev/pkernN     run every case, print a count
 *   ioctl_abuse --eperm FD|/dev/pkernN      caller lacks CAP_SYS_ADMIN:
 *                                           every ioctl (and open) EPERM
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pkern.h>

#define ARG_MAX_BYTES	8192	/* room for argsz past PAGE_SIZE */

static int fd;
static unsigned int cases, failures;
/* page-aligned argument buffer; the struct may start anywhere in it */
static unsigned char *arena;

static const char *errname(int e)
{
	return e ? strerrorname_np(e) : "success";
}

/* expect: run one ioctl on ARG, compare errno (0: success) */
static void expect(const char *what, unsigned long cmd, void *arg, int want)
{
	int rc = ioctl(fd, cmd, arg);
	int got = rc ? errno : 0;

	cases++;
	if (got != want) {
		failures++;
		fprintf(stderr, "FAIL %s: got %s, want %s\n", what,
			errname(got), errname(want));
	}
}

static void read_area(unsigned char *buf, uint64_t len)
{
	struct pkern_read_labels rl = {
		.argsz = sizeof(rl), .length = len,
		.buf = (uintptr_t)buf,
	};

	if (ioctl(fd, PKERN_IOC_READ_LABELS, &rl)) {
		perror("ioctl_abuse: READ_LABELS of the label area");
		exit(2);
	}
}

static void get_info(struct pkern_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	if (ioctl(fd, PKERN_IOC_INFO, info)) {
		perror("ioctl_abuse: INFO");
		exit(2);
	}
}

struct ioc {
	const char *name;
	unsigned long cmd;
	size_t size;
	uint32_t known_flags;
};

static const struct ioc iocs[] = {
	{ "INFO", PKERN_IOC_INFO, sizeof(struct pkern_region_info), 0 },
	{ "FORMAT", PKERN_IOC_FORMAT, sizeof(struct pkern_format),
	  PKERN_FORMAT_FORCE },
	{ "CREATE", PKERN_IOC_CREATE, sizeof(struct pkern_create),
	  PKERN_CREATE_FIXED_OFFSET },
	{ "DESTROY", PKERN_IOC_DESTROY, sizeof(struct pkern_destroy),
	  PKERN_DESTROY_BY_UUID },
	{ "READ_LABELS", PKERN_IOC_READ_LABELS,
	  sizeof(struct pkern_read_labels), 0 },
	{ "REPAIR", PKERN_IOC_REPAIR, sizeof(struct pkern_repair), 0 },
};

#define NIOC (sizeof(iocs) / sizeof(iocs[0]))

/* argsz versioning, flags and pointer cases common to every ioctl */
static void generic_cases(const struct ioc *c)
{
	static const uint32_t short_sz[] = { 0, 1, 4, 7, 8 };
	uint32_t *a = (uint32_t *)arena;
	char what[96];
	unsigned int i, bit;

	for (i = 0; i < sizeof(short_sz) / sizeof(short_sz[0]); i++) {
		memset(arena, 0, ARG_MAX_BYTES);
		a[0] = short_sz[i];
		snprintf(what, sizeof(what), "%s argsz=%u", c->name, a[0]);
		expect(what, c->cmd, arena, EINVAL);
	}
	memset(arena, 0, ARG_MAX_BYTES);
	a[0] = c->size - 1;
	snprintf(what, sizeof(what), "%s argsz=sizeof-1", c->name);
	expect(what, c->cmd, arena, EINVAL);

	/* larger than a page, or absurd: E2BIG before anything is read */
	for (i = 0; i < 3; i++) {
		static const uint32_t big[] = { 4097, 65536, 0xffffffffU };

		memset(arena, 0, ARG_MAX_BYTES);
		a[0] = big[i];
		snprintf(what, sizeof(what), "%s argsz=%u", c->name, big[i]);
		expect(what, c->cmd, arena, E2BIG);
	}
	/* longer struct with a non-zero tail: a request we cannot honour */
	memset(arena, 0, ARG_MAX_BYTES);
	a[0] = c->size + 64;
	arena[c->size + 63] = 1;
	snprintf(what, sizeof(what), "%s non-zero tail", c->name);
	expect(what, c->cmd, arena, E2BIG);

	/* every unknown flag bit alone */
	for (bit = 0; bit < 32; bit++) {
		if (c->known_flags & (1U << bit))
			continue;
		memset(arena, 0, ARG_MAX_BYTES);
		a[0] = c->size;
		a[1] = 1U << bit;
		snprintf(what, sizeof(what), "%s flags bit %u", c->name, bit);
		expect(what, c->cmd, arena, EINVAL);
	}

	/* bad pointers */
	snprintf(what, sizeof(what), "%s NULL arg", c->name);
	expect(what, c->cmd, NULL, EFAULT);
	snprintf(what, sizeof(what), "%s kernel-half arg", c->name);
	expect(what, c->cmd, (void *)0xffff888000000000UL, EFAULT);
	/* struct running off the end of the mapping: argsz reads fine */
	a = (uint32_t *)(arena + ARG_MAX_BYTES - 4);
	*a = c->size;
	snprintf(what, sizeof(what), "%s struct crosses into unmapped page",
		 c->name);
	expect(what, c->cmd, a, EFAULT);
}

static void name_cases(void)
{
	struct pkern_create *cr = (void *)(arena + 3);	/* misaligned */
	struct pkern_destroy *d = (void *)(arena + 5);

	memset(arena, 0, ARG_MAX_BYTES);
	cr->argsz = sizeof(*cr);
	memset(cr->name, 'A', sizeof(cr->name));
	cr->kind = PKERN_KIND_GUEST;
	cr->size = 2 << 20;
	cr->align = 2 << 20;
	expect("CREATE name without NUL (misaligned struct)",
	       PKERN_IOC_CREATE, cr, EINVAL);
	memset(cr->name, 0, sizeof(cr->name));
	expect("CREATE empty name", PKERN_IOC_CREATE, cr, EINVAL);
	strcpy(cr->name, "bad/name");
	expect("CREATE name with '/'", PKERN_IOC_CREATE, cr, EINVAL);
	strcpy(cr->name, "abuse-ok");
	cr->pad = 1;
	expect("CREATE non-zero pad", PKERN_IOC_CREATE, cr, EINVAL);
	cr->pad = 0;
	cr->kind = 99;
	expect("CREATE unknown kind", PKERN_IOC_CREATE, cr, EINVAL);
	cr->kind = PKERN_KIND_GUEST;
	cr->size = 0;
	expect("CREATE size 0", PKERN_IOC_CREATE, cr, EINVAL);
	cr->size = (2 << 20) + 4096;
	expect("CREATE size not multiple of align", PKERN_IOC_CREATE, cr,
	       EINVAL);
	cr->size = 2 << 20;
	cr->align = 3 << 20;
	expect("CREATE align 3 MiB", PKERN_IOC_CREATE, cr, EINVAL);
	cr->align = 0;
	expect("CREATE align 0", PKERN_IOC_CREATE, cr, EINVAL);
	cr->align = 2 << 20;
	cr->size = 1ULL << 62;
	expect("CREATE size 2^62", PKERN_IOC_CREATE, cr, ENOSPC);
	cr->size = ~0ULL & ~((2ULL << 20) - 1);
	expect("CREATE size near 2^64", PKERN_IOC_CREATE, cr, ENOSPC);
	cr->size = 2 << 20;
	cr->flags = PKERN_CREATE_FIXED_OFFSET;
	cr->offset = 0;
	expect("CREATE fixed offset 0 (label area)", PKERN_IOC_CREATE, cr,
	       EINVAL);
	cr->offset = ~0ULL & ~((2ULL << 20) - 1);
	expect("CREATE fixed offset+size wraps", PKERN_IOC_CREATE, cr,
	       EINVAL);
	cr->offset = 1ULL << 40;
	expect("CREATE fixed offset beyond region", PKERN_IOC_CREATE, cr,
	       EINVAL);
	cr->offset = (2 << 20) + 4096;
	expect("CREATE fixed offset misaligned", PKERN_IOC_CREATE, cr,
	       EINVAL);

	memset(arena, 0, ARG_MAX_BYTES);
	d->argsz = sizeof(*d);
	memset(d->name, 'B', sizeof(d->name));
	expect("DESTROY name without NUL (misaligned struct)",
	       PKERN_IOC_DESTROY, d, EINVAL);
	strcpy(d->name, "no-such-namespace");
	expect("DESTROY unknown name", PKERN_IOC_DESTROY, d, ENOENT);
	d->flags = PKERN_DESTROY_BY_UUID;
	memset(d->uuid, 0x5a, sizeof(d->uuid));
	expect("DESTROY unknown uuid", PKERN_IOC_DESTROY, d, ENOENT);
	memset(d->uuid, 0, sizeof(d->uuid));
	expect("DESTROY zero uuid", PKERN_IOC_DESTROY, d, ENOENT);
}

static void format_cases(void)
{
	struct pkern_format *f = (void *)(arena + 1);

	memset(arena, 0, ARG_MAX_BYTES);
	f->argsz = sizeof(*f);
	f->nr_lost = 7;
	expect("FORMAT over live namespaces", PKERN_IOC_FORMAT, f, ENOTEMPTY);
	cases++;
	if (f->nr_lost == 0) {
		failures++;
		fprintf(stderr, "FAIL FORMAT refused but nr_lost is 0\n");
	}
}

/* both superblock copies are current: repair finds nothing to rewrite */
static void repair_cases(void)
{
	struct pkern_repair *rp = (void *)(arena + 3);

	memset(arena, 0, ARG_MAX_BYTES);
	rp->argsz = sizeof(*rp);
	rp->reserved = 1;
	expect("REPAIR non-zero reserved", PKERN_IOC_REPAIR, rp, EINVAL);
	rp->reserved = 0;
	rp->repaired = 7;
	expect("REPAIR of a healthy region", PKERN_IOC_REPAIR, rp, 0);
	cases++;
	if (rp->repaired != 0) {
		failures++;
		fprintf(stderr, "FAIL REPAIR of a healthy region rewrote a copy (repaired %u)\n",
			rp->repaired);
	}
}

static void read_cases(uint64_t limit)
{
	struct pkern_read_labels *rl = (void *)(arena + 6);
	unsigned char *buf = arena + 4096;

	memset(arena, 0, ARG_MAX_BYTES);
	rl->argsz = sizeof(*rl);
	rl->buf = (uintptr_t)buf;
	rl->length = 16;
	expect("READ_LABELS 16 bytes (misaligned struct)",
	       PKERN_IOC_READ_LABELS, rl, 0);
	rl->offset = limit;
	rl->length = 1;
	expect("READ_LABELS first data byte", PKERN_IOC_READ_LABELS, rl,
	       EINVAL);
	rl->offset = limit - 8;
	rl->length = 16;
	expect("READ_LABELS across data_start", PKERN_IOC_READ_LABELS, rl,
	       EINVAL);
	rl->offset = 8;
	rl->length = ~0ULL - 4;
	expect("READ_LABELS offset+length wraps", PKERN_IOC_READ_LABELS, rl,
	       EINVAL);
	rl->offset = ~0ULL;
	rl->length = 0;
	expect("READ_LABELS offset 2^64-1", PKERN_IOC_READ_LABELS, rl,
	       EINVAL);
	rl->offset = 0;
	rl->length = 4096;
	rl->buf = 0;
	expect("READ_LABELS NULL buffer", PKERN_IOC_READ_LABELS, rl, EFAULT);
	rl->buf = 0xffff888000000000ULL;
	expect("READ_LABELS kernel buffer", PKERN_IOC_READ_LABELS, rl,
	       EFAULT);
	rl->buf = (uintptr_t)(arena + ARG_MAX_BYTES - 100);
	expect("READ_LABELS buffer runs into unmapped page",
	       PKERN_IOC_READ_LABELS, rl, EFAULT);
}

/* random bytes with argsz right; must never succeed in changing state */
static void random_cases(unsigned int n)
{
	unsigned int i, j;
	int rc;

	for (i = 0; i < n; i++) {
		const struct ioc *c = &iocs[1 + i % (NIOC - 1)];
		uint32_t *a = (uint32_t *)arena;

		memset(arena, 0, ARG_MAX_BYTES);
		for (j = 0; j < c->size; j++)
			arena[j] = (unsigned char)random();
		a[0] = c->size;
		/* known flags only, never FORCE: stay on the parsing paths */
		a[1] &= c->known_flags & ~PKERN_FORMAT_FORCE;
		if (c->cmd == PKERN_IOC_FORMAT)
			a[1] = 0;
		if (c->cmd == PKERN_IOC_READ_LABELS)
			a[1] = 0;
		rc = ioctl(fd, c->cmd, arena);
		cases++;
		/* reading, and repairing what needs no repair, may succeed */
		if (rc == 0 && c->cmd != PKERN_IOC_READ_LABELS &&
		    c->cmd != PKERN_IOC_REPAIR) {
			failures++;
			fprintf(stderr, "FAIL random %s #%u succeeded\n",
				c->name, i);
		} else if (rc && errno != EINVAL && errno != E2BIG &&
			   errno != ENOSPC && errno != ENOENT &&
			   errno != EEXIST && errno != ENOTEMPTY &&
			   errno != EFAULT) {
			failures++;
			fprintf(stderr, "FAIL random %s #%u: unexpected %s\n",
				c->name, i, errname(errno));
		}
	}
}

static int eperm_mode(const char *arg)
{
	unsigned int i;
	int e;

	/* an fd inherited from a privileged opener, or our own open */
	if (arg[0] >= '0' && arg[0] <= '9') {
		fd = atoi(arg);
	} else {
		fd = open(arg, O_RDWR);
		cases++;
		if (fd >= 0 || errno != EPERM) {
			fprintf(stderr, "FAIL open %s without CAP_SYS_ADMIN: %s, want EPERM\n",
				arg, fd >= 0 ? "success" : errname(errno));
			return 1;
		}
		printf("ioctl_abuse: open without CAP_SYS_ADMIN: EPERM (1 case)\n");
		return 0;
	}
	for (i = 0; i < NIOC; i++) {
		uint32_t *a = (uint32_t *)arena;

		memset(arena, 0, ARG_MAX_BYTES);
		a[0] = iocs[i].size;
		expect(iocs[i].name, iocs[i].cmd, arena, EPERM);
	}
	expect("unknown ioctl", _IO(PKERN_IOC_MAGIC, 99), arena, EPERM);
	e = failures ? 1 : 0;
	printf("ioctl_abuse: %u unprivileged ioctl cases, %u failed\n",
	       cases, failures);
	return e;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "random", required_argument, NULL, 'r' },
		{ "eperm", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int nrandom = 2000, i;
	unsigned char *before, *after;
	struct pkern_region_info i0, i1;
	bool eperm = false;
	int o;

	while ((o = getopt_long(argc, argv, "r:p", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			nrandom = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			eperm = true;
			break;
		default:
			fprintf(stderr, "usage: ioctl_abuse [--random N] [--eperm] DEV|FD\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "ioctl_abuse: give one /dev/pkernN (or, with --eperm, an fd number)\n");
		return 2;
	}
	/* two pages, the second one unmapped: structs that run off the end */
	arena = mmap(NULL, 2 * ARG_MAX_BYTES, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED || munmap(arena + ARG_MAX_BYTES, ARG_MAX_BYTES)) {
		perror("ioctl_abuse: mmap");
		return 2;
	}
	if (eperm)
		return eperm_mode(argv[optind]);

	fd = open(argv[optind], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "ioctl_abuse: open %s: %s\n", argv[optind],
			strerror(errno));
		return 2;
	}
	get_info(&i0);
	if (i0.state != PKERN_STATE_READY || i0.nr_namespaces == 0) {
		fprintf(stderr, "ioctl_abuse: %s must be ready with a namespace (state %u, %u namespaces)\n",
			argv[optind], i0.state, i0.nr_namespaces);
		return 2;
	}
	before = malloc(i0.data_start);
	after = malloc(i0.data_start);
	if (!before || !after)
		return 2;
	read_area(before, i0.data_start);

	srandom(42);
	for (i = 0; i < NIOC; i++)
		generic_cases(&iocs[i]);
	expect("unknown ioctl number", _IO(PKERN_IOC_MAGIC, 99), arena,
	       ENOTTY);
	expect("foreign ioctl magic", _IO('T', 1), arena, ENOTTY);
	name_cases();
	format_cases();
	read_cases(i0.data_start);
	repair_cases();
	random_cases(nrandom);

	get_info(&i1);
	read_area(after, i0.data_start);
	cases++;
	if (memcmp(before, after, i0.data_start) ||
	    i1.generation != i0.generation ||
	    i1.nr_namespaces != i0.nr_namespaces) {
		failures++;
		fprintf(stderr, "FAIL label area changed (generation %llu -> %llu)\n",
			(unsigned long long)i0.generation,
			(unsigned long long)i1.generation);
	}
	printf("ioctl_abuse: %u cases (%u random), %u failed; label area (%llu bytes) unchanged: %s\n",
	       cases, nrandom, failures, (unsigned long long)i0.data_start,
	       memcmp(before, after, i0.data_start) ? "no" : "yes");
	return failures ? 1 : 0;
}
