// SPDX-License-Identifier: GPL-2.0-only
/*
 * daxstash - keep one blob (a QEMU migration stream, a few lines of
 * metadata) in a device-dax namespace so it survives kexec.
 *
 * Device-dax only supports mmap, so the blob is copied through a shared
 * mapping and made durable with libpmem (msync on a plain file).  Layout at OFFSET: one 4 KiB header page, then the data.  The
 * header is cleared and persisted before the data is written and only
 * rewritten (with length and zlib CRCs) once the data is persisted, so a
 * crash mid-put leaves "no stash", never a torn one that looks valid.
 *
 *   daxstash put [-o OFFSET] [-l LIMIT] DEV FILE|-
 *   daxstash get [-o OFFSET] [-l LIMIT] DEV FILE|-
 *   daxstash info [-o OFFSET] [-l LIMIT] DEV
 *
 * DEV is a /dev/daxN.M (size and alignment from libdaxctl) or, for tests
 * without pkern, a regular file.
 */
#include <daxctl/libdaxctl.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libpmem.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

#define HDR_SIZE	4096u
#define STASH_MAGIC	"PKLUSTSH"
#define STASH_VERSION	1u

/* On-media header, little-endian; hdr_crc covers it with hdr_crc = 0. */
struct stash_hdr {
	char magic[8];
	uint32_t version;
	uint32_t hdr_crc;
	uint64_t length;
	uint32_t data_crc;
	uint32_t reserved;
};

struct stash {
	const char *path;
	unsigned char *map;
	size_t maplen;		/* header page + capacity */
	bool dax;		/* device-dax: no fsync, flush CPU caches */
};

static const char *prog = "daxstash";

static int usage(void)
{
	fprintf(stderr,
		"usage: %s put|get [-o OFFSET] [-l LIMIT] DEV FILE|-\n"
		"       %s info [-o OFFSET] [-l LIMIT] DEV\n", prog, prog);
	return 2;
}

/* Size and mapping granularity of a dax char device, via libdaxctl. */
static int dax_geometry(const char *path, dev_t rdev, uint64_t *size,
			uint64_t *align)
{
	struct daxctl_ctx *ctx;
	struct daxctl_region *region;
	struct daxctl_dev *dev;
	int found = 0;

	if (daxctl_new(&ctx) < 0) {
		fprintf(stderr, "%s: cannot initialise libdaxctl\n", prog);
		return -1;
	}
	daxctl_region_foreach(ctx, region) {
		daxctl_dev_foreach(region, dev) {
			if ((unsigned int)daxctl_dev_get_major(dev) !=
			    major(rdev) ||
			    (unsigned int)daxctl_dev_get_minor(dev) !=
			    minor(rdev))
				continue;
			*size = daxctl_dev_get_size(dev);
			*align = daxctl_dev_get_align(dev);
			found = 1;
		}
	}
	daxctl_unref(ctx);
	if (!found) {
		fprintf(stderr, "%s: %s is not a device-dax device known to libdaxctl (check 'daxctl list')\n",
			prog, path);
		return -1;
	}
	if (*align == 0)
		*align = (uint64_t)sysconf(_SC_PAGESIZE);
	return 0;
}

static int stash_open(struct stash *st, const char *path, uint64_t off,
		      uint64_t limit, bool writable)
{
	uint64_t size, align = (uint64_t)sysconf(_SC_PAGESIZE), len;
	struct stat sb;
	int fd;

	st->path = path;
	fd = open(path, writable ? O_RDWR : O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, path,
			strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0)
		goto err_errno;
	st->dax = S_ISCHR(sb.st_mode);
	if (st->dax) {
		if (dax_geometry(path, sb.st_rdev, &size, &align) < 0)
			goto err;
	} else if (S_ISREG(sb.st_mode)) {
		size = (uint64_t)sb.st_size;
	} else {
		fprintf(stderr, "%s: %s is neither a dax device nor a regular file\n",
			prog, path);
		goto err;
	}
	if (off % align || off >= size) {
		fprintf(stderr, "%s: offset %" PRIu64 " must be a multiple of %" PRIu64 " and below the size of %s (%" PRIu64 ")\n",
			prog, off, align, path, size);
		goto err;
	}
	len = size - off;
	if (limit && limit < len)
		len = limit;
	len -= len % align;	/* device-dax maps whole alignment units */
	if (len <= HDR_SIZE) {
		fprintf(stderr, "%s: %s has no room for a stash at offset %" PRIu64 " (limit %" PRIu64 ", alignment %" PRIu64 ")\n",
			prog, path, off, limit, align);
		goto err;
	}
	st->map = mmap(NULL, len, PROT_READ | (writable ? PROT_WRITE : 0),
		       MAP_SHARED, fd, (off_t)off);
	if (st->map == MAP_FAILED)
		goto err_errno;
	st->maplen = len;
	close(fd);
	return 0;

err_errno:
	fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
err:
	close(fd);
	return -1;
}

static uint32_t crc(const void *buf, size_t len)
{
	return (uint32_t)crc32_z(crc32_z(0, Z_NULL, 0), buf, len);
}

static uint32_t hdr_crc(const struct stash_hdr *h)
{
	struct stash_hdr tmp = *h;

	tmp.hdr_crc = 0;
	return crc(&tmp, sizeof(tmp));
}

/*
 * Make [off, off + len) durable.  Device-dax has no fsync (msync fails
 * with EINVAL), so write back the CPU caches with libpmem; on a plain
 * file msync does the job.
 */
static int persist(struct stash *st, size_t off, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t start = off - off % page;

	if (st->dax) {
		pmem_persist(st->map + off, len);
		return 0;
	}
	if (msync(st->map + start, off + len - start, MS_SYNC) < 0) {
		fprintf(stderr, "%s: msync %s: %s\n", prog, st->path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Validate the header and data; return the data length or -1. */
static int64_t stash_check(struct stash *st)
{
	struct stash_hdr h;
	uint64_t len;

	memcpy(&h, st->map, sizeof(h));
	if (memcmp(h.magic, STASH_MAGIC, sizeof(h.magic))) {
		fprintf(stderr, "%s: %s holds no stash (nothing was put there, or a put did not finish)\n",
			prog, st->path);
		return -1;
	}
	if (le32toh(h.version) != STASH_VERSION ||
	    le32toh(h.hdr_crc) != hdr_crc(&h)) {
		fprintf(stderr, "%s: %s: stash header is corrupt (version %u, bad CRC); put it again\n",
			prog, st->path, le32toh(h.version));
		return -1;
	}
	len = le64toh(h.length);
	if (len > st->maplen - HDR_SIZE) {
		fprintf(stderr, "%s: %s: stash claims %" PRIu64 " bytes but only %zu fit; wrong offset or limit?\n",
			prog, st->path, len, st->maplen - HDR_SIZE);
		return -1;
	}
	if (crc(st->map + HDR_SIZE, len) != le32toh(h.data_crc)) {
		fprintf(stderr, "%s: %s: stash data CRC mismatch, the %" PRIu64 " stored bytes are damaged\n",
			prog, st->path, len);
		return -1;
	}
	return (int64_t)len;
}

static int do_put(struct stash *st, const char *file)
{
	size_t cap = st->maplen - HDR_SIZE, len = 0;
	struct stash_hdr h = { .version = htole32(STASH_VERSION) };
	int fd = strcmp(file, "-") ? open(file, O_RDONLY) : STDIN_FILENO;
	ssize_t n;
	char probe;

	if (fd < 0) {
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, file,
			strerror(errno));
		return 1;
	}
	/* Invalidate first: a crash from here on leaves "no stash". */
	memset(st->map, 0, HDR_SIZE);
	if (persist(st, 0, HDR_SIZE) < 0)
		goto err;
	while (len < cap) {
		n = read(fd, st->map + HDR_SIZE + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto err_read;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == cap) {
		do
			n = read(fd, &probe, 1);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			goto err_read;
		if (n > 0) {
			fprintf(stderr, "%s: input is larger than the %zu bytes %s can hold; use a bigger namespace\n",
				prog, cap, st->path);
			goto err;
		}
	}
	if (persist(st, HDR_SIZE, len) < 0)
		goto err;
	memcpy(h.magic, STASH_MAGIC, sizeof(h.magic));
	h.length = htole64(len);
	h.data_crc = htole32(crc(st->map + HDR_SIZE, len));
	h.hdr_crc = htole32(hdr_crc(&h));
	memcpy(st->map, &h, sizeof(h));
	if (persist(st, 0, sizeof(h)) < 0)
		goto err;
	if (fd != STDIN_FILENO)
		close(fd);
	fprintf(stderr, "%s: stored %zu bytes in %s\n", prog, len, st->path);
	return 0;

err_read:
	fprintf(stderr, "%s: reading %s: %s\n", prog, file, strerror(errno));
err:
	if (fd != STDIN_FILENO)
		close(fd);
	return 1;
}

static int do_get(struct stash *st, const char *file)
{
	int64_t len = stash_check(st);
	size_t done = 0;
	ssize_t n;
	int fd;

	if (len < 0)
		return 1;
	fd = strcmp(file, "-") ?
	     open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600) : STDOUT_FILENO;
	if (fd < 0) {
		fprintf(stderr, "%s: cannot create %s: %s\n", prog, file,
			strerror(errno));
		return 1;
	}
	while (done < (size_t)len) {
		n = write(fd, st->map + HDR_SIZE + done, (size_t)len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "%s: writing %s: %s\n", prog, file,
				strerror(errno));
			if (fd != STDOUT_FILENO)
				close(fd);
			return 1;
		}
		done += (size_t)n;
	}
	if (fd != STDOUT_FILENO && close(fd) < 0) {
		fprintf(stderr, "%s: closing %s: %s\n", prog, file,
			strerror(errno));
		return 1;
	}
	return 0;
}

static int parse_u64(const char *s, const char *what, uint64_t *v)
{
	unsigned long long x;
	char *end;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-') {
		fprintf(stderr, "%s: bad %s '%s': give a byte count, optionally with K, M or G\n",
			prog, what, s);
		return -1;
	}
	switch (*end) {
	case 'G': x <<= 10; /* fall through */
	case 'M': x <<= 10; /* fall through */
	case 'K': x <<= 10; end++; break;
	default: break;
	}
	if (*end) {
		fprintf(stderr, "%s: bad %s '%s': give a byte count, optionally with K, M or G\n",
			prog, what, s);
		return -1;
	}
	*v = x;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "offset", required_argument, NULL, 'o' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t off = 0, limit = 0;
	struct stash st;
	const char *cmd;
	int64_t len;
	int c, ret;

	/* GNU getopt permutes, so options may also follow the subcommand */
	while ((c = getopt_long(argc, argv, "o:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (parse_u64(optarg, "offset", &off) < 0)
				return 2;
			break;
		case 'l':
			if (parse_u64(optarg, "limit", &limit) < 0)
				return 2;
			break;
		case 'h':
			usage();
			return 0;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	cmd = argv[optind++];
	if (!strcmp(cmd, "info") && argc - optind == 1) {
		if (stash_open(&st, argv[optind], off, limit, false) < 0)
			return 1;
		len = stash_check(&st);
		if (len >= 0)
			printf("%" PRId64 "\n", len);
		ret = len < 0;
	} else if ((!strcmp(cmd, "put") || !strcmp(cmd, "get")) &&
		   argc - optind == 2) {
		if (stash_open(&st, argv[optind], off, limit,
			       cmd[0] == 'p') < 0)
			return 1;
		ret = cmd[0] == 'p' ? do_put(&st, argv[optind + 1]) :
				      do_get(&st, argv[optind + 1]);
	} else {
		return usage();
	}
	munmap(st.map, st.maplen);
	return ret;
}
