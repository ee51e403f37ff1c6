/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QEMU's edu device as the IOMMU tests drive it: through VFIO (vfio_edu)
 * or straight through sysfs with no driver (edu_dma).  Registers, one DMA
 * round trip through its buffer, and the two tools' error and number
 * helpers.
 */
#ifndef PKERN_TESTS_EDU_H
#define PKERN_TESTS_EDU_H

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EDU_ID		0x00
#define EDU_LIVE	0x04
#define EDU_IRQ_STATUS	0x24	/* raised, not yet acknowledged */
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_START	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_BUF		0x40000
/* QEMU 7.2's edu rejects a transfer of its whole 4 KiB buffer (off by one) */
#define EDU_XFER	2048

static inline void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static inline uint64_t num(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		die("bad %s '%s': give a number (0x… for hex, K/M/G suffix ok)",
		    what, s);
	switch (*end) {
	case 'K': v <<= 10; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'G': v <<= 30; end++; break;
	}
	if (*end)
		die("bad %s '%s': trailing '%s'", what, s, end);
	return v;
}

/**
 * struct edu - how to reach edu's BAR 0
 * @mmio: BAR 0 mapped (sysfs resource0), or NULL to use @fd
 * @fd: VFIO device fd
 * @off: BAR 0's offset in @fd
 */
struct edu {
	volatile uint8_t *mmio;
	int fd;
	uint64_t off;
};

/* edu answers registers below 0x80 only to 4-byte accesses */
static inline uint64_t edu_rd(const struct edu *e, uint64_t reg)
{
	int sz = reg < EDU_DMA_SRC ? 4 : 8;
	uint64_t v = 0;

	if (e->mmio)
		return sz == 4 ? *(volatile uint32_t *)(e->mmio + reg) :
				 *(volatile uint64_t *)(e->mmio + reg);
	if (pread(e->fd, &v, sz, e->off + reg) != sz)
		die("edu read 0x%" PRIx64 ": %s", reg, strerror(errno));
	return v;
}

static inline void edu_wr(const struct edu *e, uint64_t reg, uint64_t v)
{
	int sz = reg < EDU_DMA_SRC ? 4 : 8;

	if (e->mmio) {
		if (sz == 4)
			*(volatile uint32_t *)(e->mmio + reg) = (uint32_t)v;
		else
			*(volatile uint64_t *)(e->mmio + reg) = v;
		return;
	}
	if (pwrite(e->fd, &v, sz, e->off + reg) != sz)
		die("edu write 0x%" PRIx64 ": %s", reg, strerror(errno));
}

/* One edu DMA; edu runs it from a timer, so poll with a deadline */
static inline void edu_run(const struct edu *e, uint64_t src, uint64_t dst,
			   uint64_t cmd)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	edu_wr(e, EDU_DMA_SRC, src);
	edu_wr(e, EDU_DMA_DST, dst);
	edu_wr(e, EDU_DMA_CNT, EDU_XFER);
	edu_wr(e, EDU_DMA_CMD, cmd | EDU_CMD_START);
	for (int i = 0; i < 1000; i++) {
		if (!(edu_rd(e, EDU_DMA_CMD) & EDU_CMD_START))
			return;
		nanosleep(&ts, NULL);
	}
	die("edu DMA 0x%" PRIx64 " -> 0x%" PRIx64 " did not finish in 10 s",
	    src, dst);
}

/*
 * edu copies EDU_XFER bytes from @iova + @from to @iova + @to through its
 * buffer; @buf maps what @iova maps, and @buf + @to is zeroed first, so
 * the caller can tell a landed copy (equal bytes) from a refused one
 * (still zero).
 */
static inline void edu_round_trip(const struct edu *e, uint8_t *buf,
				  uint64_t iova, uint64_t from, uint64_t to)
{
	memset(buf + to, 0, EDU_XFER);
	edu_run(e, iova + from, EDU_BUF, 0);
	edu_run(e, EDU_BUF, iova + to, EDU_CMD_TO_RAM);
}

static inline bool edu_zero(const uint8_t *p)
{
	for (int i = 0; i < EDU_XFER; i++)
		if (p[i])
			return false;
	return true;
}

#endif /* PKERN_TESTS_EDU_H */
