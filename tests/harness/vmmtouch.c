// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmmtouch - act like a VMM on a device-dax namespace inside the test VM.
 *
 *   vmmtouch fill DEV SEED LAYOUT    write a seeded pattern, save the layout
 *   vmmtouch verify DEV SEED LAYOUT  check every byte and the layout
 *   vmmtouch zero DEV                check that every byte is zero
 *   vmmtouch pmemcheck DEV           map it the way libpmem users do
 *   vmmtouch poke DEV OFFSET         invert one 64-bit word (self-tests)
 *   vmmtouch hold DEV SECONDS        keep it mapped, as a running guest does
 *   vmmtouch clock                   print the TSC (counts across kexec)
 *
 * The pattern is a pure function of (seed, word index), so verify needs
 * nothing but the seed.  The layout (size, alignment, physical ranges) is
 * what libdaxctl reports; it must not move across kexec.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <daxctl/libdaxctl.h>
#include <libpmem.h>

#define LAYOUT_MAX 4096

static const char *prog = "vmmtouch";

static int usage(void)
{
	fprintf(stderr,
		"usage: %s fill DEV SEED LAYOUT | verify DEV SEED LAYOUT | zero DEV | pmemcheck DEV | poke DEV OFFSET | hold DEV SECONDS | clock\n",
		prog);
	return 2;
}

/* splitmix64 of the word index: random access, cheap under TCG */
static inline uint64_t pattern(uint64_t seed, uint64_t i)
{
	uint64_t z = seed + (i + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static const char *dev_basename(const char *dev)
{
	const char *s = strrchr(dev, '/');

	return s ? s + 1 : dev;
}

/*
 * Describe DEV as libdaxctl sees it; 0 on success.  DEV may be a link
 * (/dev/pkern/REGION/NAME): what it reaches is the device.
 */
static int describe(const char *dev, char *buf, size_t len, uint64_t *size,
		    unsigned long *align)
{
	char real[PATH_MAX];
	const char *name = dev_basename(realpath(dev, real) ? real : dev);
	struct daxctl_region *region;
	struct daxctl_mapping *map;
	struct daxctl_ctx *ctx;
	struct daxctl_dev *d;
	int rc = -1;

	if (daxctl_new(&ctx)) {
		fprintf(stderr, "%s: libdaxctl init failed; is sysfs mounted?\n",
			prog);
		return -1;
	}
	daxctl_region_foreach(ctx, region) {
		daxctl_dev_foreach(region, d) {
			size_t n;

			if (strcmp(daxctl_dev_get_devname(d), name))
				continue;
			*size = daxctl_dev_get_size(d);
			*align = daxctl_dev_get_align(d);
			n = snprintf(buf, len,
				     "dev %s\nregion %d\nsize %llu\nalign %lu\nresource %#llx\n",
				     name, daxctl_region_get_id(region),
				     daxctl_dev_get_size(d), *align,
				     daxctl_dev_get_resource(d));
			daxctl_mapping_foreach(d, map) {
				if (n >= len)
					break;
				n += snprintf(buf + n, len - n,
					      "mapping %#llx-%#llx\n",
					      daxctl_mapping_get_start(map),
					      daxctl_mapping_get_end(map));
			}
			rc = n < len ? 0 : -1;
			goto out;
		}
	}
	fprintf(stderr,
		"%s: no dax device %s in 'daxctl list'; check the name and that the driver is loaded\n",
		prog, name);
out:
	daxctl_unref(ctx);
	return rc;
}

static uint64_t *map_dev(const char *dev, uint64_t size, int prot)
{
	int fd = open(dev, prot & PROT_WRITE ? O_RDWR : O_RDONLY);
	void *p;

	if (fd < 0) {
		fprintf(stderr, "%s: open %s: %s\n", prog, dev, strerror(errno));
		return NULL;
	}
	p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		fprintf(stderr, "%s: mmap %s (%" PRIu64 " bytes): %s\n", prog,
			dev, size, strerror(errno));
		return NULL;
	}
	return p;
}

static int parse_seed(const char *s, uint64_t *seed)
{
	char *end;

	errno = 0;
	*seed = strtoull(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "%s: bad number '%s': give decimal or 0x hex\n",
			prog, s);
		return -1;
	}
	return 0;
}

static int read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		fprintf(stderr, "%s: open %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

static int write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(s, f) == EOF || fclose(f)) {
		fprintf(stderr, "%s: write %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_fill(const char *dev, const char *seed_s, const char *layout)
{
	char desc[LAYOUT_MAX];
	unsigned long align;
	uint64_t seed, size, i, *p;
	double t;

	if (parse_seed(seed_s, &seed) ||
	    describe(dev, desc, sizeof(desc), &size, &align))
		return 1;
	p = map_dev(dev, size, PROT_READ | PROT_WRITE);
	if (!p)
		return 1;
	t = now();
	for (i = 0; i < size / 8; i++)
		p[i] = pattern(seed, i);
	t = now() - t;
	munmap(p, size);
	if (write_file(layout, desc))
		return 1;
	printf("fill %s: %" PRIu64 " MiB seed %#" PRIx64 " in %.2f s\n",
	       dev_basename(dev), size >> 20, seed, t);
	return 0;
}

static int cmd_verify(const char *dev, const char *seed_s, const char *layout)
{
	char desc[LAYOUT_MAX], saved[LAYOUT_MAX];
	uint64_t seed, size, i, bad = 0, first = 0, *p;
	unsigned long align;
	double t;

	if (parse_seed(seed_s, &seed) ||
	    describe(dev, desc, sizeof(desc), &size, &align) ||
	    read_file(layout, saved, sizeof(saved)))
		return 1;
	if (strcmp(desc, saved)) {
		fprintf(stderr, "%s: %s layout changed:\n--- saved\n%s--- now\n%s",
			prog, dev_basename(dev), saved, desc);
		return 1;
	}
	p = map_dev(dev, size, PROT_READ);
	if (!p)
		return 1;
	t = now();
	for (i = 0; i < size / 8; i++) {
		if (p[i] != pattern(seed, i) && !bad++)
			first = i * 8;
	}
	t = now() - t;
	munmap(p, size);
	if (bad) {
		fprintf(stderr,
			"%s: %s: %" PRIu64 " of %" PRIu64 " words differ, first at offset %#" PRIx64 "\n",
			prog, dev_basename(dev), bad, size / 8, first);
		return 1;
	}
	printf("verify %s: %" PRIu64 " MiB seed %#" PRIx64 " intact, layout same, in %.2f s\n",
	       dev_basename(dev), size >> 20, seed, t);
	return 0;
}

static int cmd_zero(const char *dev)
{
	uint64_t size, i, bad = 0, first = 0, *p;
	char desc[LAYOUT_MAX];
	unsigned long align;

	if (describe(dev, desc, sizeof(desc), &size, &align))
		return 1;
	p = map_dev(dev, size, PROT_READ);
	if (!p)
		return 1;
	for (i = 0; i < size / 8; i++) {
		if (p[i] && !bad++)
			first = i * 8;
	}
	munmap(p, size);
	if (bad) {
		fprintf(stderr,
			"%s: %s not zeroed: %" PRIu64 " non-zero words, first at offset %#" PRIx64 "\n",
			prog, dev_basename(dev), bad, first);
		return 1;
	}
	printf("zero %s: all %" PRIu64 " MiB zero\n", dev_basename(dev),
	       size >> 20);
	return 0;
}

static int cmd_pmemcheck(const char *dev)
{
	char desc[LAYOUT_MAX];
	unsigned long align;
	size_t mapped;
	uint64_t size;
	int is_pmem;
	void *p;

	if (describe(dev, desc, sizeof(desc), &size, &align))
		return 1;
	p = pmem_map_file(dev, 0, 0, 0, &mapped, &is_pmem);
	if (!p) {
		fprintf(stderr, "%s: pmem_map_file %s: %s\n", prog, dev,
			pmem_errormsg());
		return 1;
	}
	if (mapped != size || !is_pmem || !pmem_is_pmem(p, mapped)) {
		fprintf(stderr,
			"%s: libpmem sees %s as %zu bytes, is_pmem %d, pmem_is_pmem %d; expected %" PRIu64 " bytes of pmem\n",
			prog, dev, mapped, is_pmem, pmem_is_pmem(p, mapped),
			size);
		pmem_unmap(p, mapped);
		return 1;
	}
	pmem_unmap(p, mapped);
	printf("pmemcheck %s: libpmem maps %zu bytes, is_pmem 1\n",
	       dev_basename(dev), mapped);
	return 0;
}

static int cmd_poke(const char *dev, const char *off_s)
{
	char desc[LAYOUT_MAX];
	unsigned long align;
	uint64_t size, off, *p;

	if (parse_seed(off_s, &off) ||
	    describe(dev, desc, sizeof(desc), &size, &align))
		return 1;
	if (off % 8 || off >= size) {
		fprintf(stderr, "%s: offset %#" PRIx64 " must be 8-byte aligned and below %#" PRIx64 "\n",
			prog, off, size);
		return 1;
	}
	p = map_dev(dev, size, PROT_READ | PROT_WRITE);
	if (!p)
		return 1;
	p[off / 8] = ~p[off / 8];
	munmap(p, size);
	return 0;
}

static int cmd_hold(const char *dev, const char *secs_s)
{
	volatile uint64_t *p;
	char desc[LAYOUT_MAX];
	unsigned long align;
	uint64_t size, secs;

	if (parse_seed(secs_s, &secs) ||
	    describe(dev, desc, sizeof(desc), &size, &align))
		return 1;
	p = map_dev(dev, size, PROT_READ);
	if (!p)
		return 1;
	(void)p[0];	/* fault it in: a real mapping, not just a VMA */
	printf("hold %s: mapped\n", dev_basename(dev));
	fflush(stdout);
	sleep(secs);
	munmap((void *)p, size);
	return 0;
}

/*
 * The TSC survives kexec (no CPU reset), so it times kexec -e -> ready.
 * Only the counter: a userspace calibration loop is at the mercy of host
 * scheduling under TCG; the caller divides by the kernel's tsc_khz.
 */
static int cmd_clock(void)
{
	printf("%llu\n", (unsigned long long)__rdtsc());
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "fill") && argc == 5)
		return cmd_fill(argv[2], argv[3], argv[4]);
	if (!strcmp(argv[1], "verify") && argc == 5)
		return cmd_verify(argv[2], argv[3], argv[4]);
	if (!strcmp(argv[1], "zero") && argc == 3)
		return cmd_zero(argv[2]);
	if (!strcmp(argv[1], "pmemcheck") && argc == 3)
		return cmd_pmemcheck(argv[2]);
	if (!strcmp(argv[1], "poke") && argc == 4)
		return cmd_poke(argv[2], argv[3]);
	if (!strcmp(argv[1], "hold") && argc == 4)
		return cmd_hold(argv[2], argv[3]);
	if (!strcmp(argv[1], "clock") && argc == 2)
		return cmd_clock();
	return usage();
}
