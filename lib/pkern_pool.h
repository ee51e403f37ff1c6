/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * pkern IOMMU page-table pool: on-media layout and operations.
 *
 * An `iommu` namespace is a pool of 4 KiB pages handed out one at a time
 * (page-table pages for persistent IOMMU domains).  The pool must still
 * know which pages are in use after kexec, so its allocation state lives
 * in the pool itself:
 *
 *   0x0000      struct pkern_pool_hdr, padded to 2 KiB
 *   0x0800      handoff area, 2 KiB: the kernel's IOMMU driver describes
 *               there, at kexec, the translation it kept running (see
 *               drivers/iommu/README.md); the pool code never reads it
 *   0x1000      allocation bitmap: little-endian 64-bit words, bit i of
 *               word w set = data page w * 64 + i is in use
 *   data_off    nr_pages allocatable 4 KiB pages
 *
 * The geometry is a pure function of the namespace size (see
 * pkern_pool_geometry()), so it can be recomputed without trusting the
 * header.
 *
 * Crash consistency: every allocation or free changes exactly one bit,
 * written as one naturally aligned 64-bit store followed by a persist of
 * those 8 bytes.  An aligned 8-byte store is single-copy atomic on every
 * CPU this runs on and never straddles a cache line, the unit in which
 * data reaches memory, so after a crash or kexec the word holds either
 * the old or the new value.  Allocation zeroes and persists the page
 * before setting its bit: a crash in between leaves a free, zeroed page;
 * a crash after it leaves a page marked in use (at worst a leak the owner
 * reconciles), never a page handed out twice.
 *
 * The header is written once, on first open of a freshly created (hence
 * zeroed) namespace, after the bitmap has been cleared and persisted.  A
 * header that does not validate is rewritten only if the whole bitmap is
 * zero (no page can be in use then); otherwise the pool is refused.
 *
 * The caller serialises all calls on one pool (the kernel uses a
 * spinlock, since IOMMU code allocates page tables in atomic context).
 */
#ifndef PKERN_POOL_H
#define PKERN_POOL_H

#include "pkern_label.h"

#define PKERN_POOL_MAGIC	"PKERNPL"	/* 8 bytes with the NUL */
#define PKERN_POOL_MAJOR	1
#define PKERN_POOL_MINOR	0
#define PKERN_POOL_PAGE		4096ULL
#define PKERN_POOL_BITMAP_OFF	PKERN_POOL_PAGE
/* The IOMMU driver's kexec handoff record: second half of the header page */
#define PKERN_POOL_HANDOFF_OFF	2048ULL
#define PKERN_POOL_HANDOFF_LEN	2048ULL
/* Data pages one bitmap page describes */
#define PKERN_POOL_BITS_PER_PAGE	(PKERN_POOL_PAGE * 8)

/**
 * struct pkern_pool_hdr - pool header, at offset 0 of an iommu namespace
 * @magic: "PKERNPL\0"
 * @major: incompatible format version; unknown majors are refused
 * @minor: compatible revision
 * @hdr_size: bytes covered by @crc (sizeof(struct pkern_pool_hdr))
 * @pool_size: size of the namespace this pool was laid out for
 * @page_size: allocation unit, 4096
 * @nr_pages: number of allocatable pages
 * @bitmap_off: offset of the allocation bitmap (4096)
 * @data_off: offset of the first allocatable page
 * @ns_uuid: UUID of the namespace label this pool belongs to
 * @reserved: zero
 * @crc: CRC-32 of the preceding bytes of this structure
 */
struct pkern_pool_hdr {
	u8 magic[8];
	__le16 major;
	__le16 minor;
	__le32 hdr_size;
	__le64 pool_size;
	__le64 page_size;
	__le64 nr_pages;
	__le64 bitmap_off;
	__le64 data_off;
	u8 ns_uuid[PKERN_UUID_LEN];
	u8 reserved[180];
	__le32 crc;
};

/**
 * struct pkern_pool_media - a pool's memory as seen by the pool code
 * @base: the whole namespace, mapped writable and cacheable
 * @size: namespace size in bytes
 * @persist: make [addr, addr + len) durable; must not sleep
 * @ctx: passed to @persist
 */
struct pkern_pool_media {
	void *base;
	u64 size;
	void (*persist)(void *ctx, const void *addr, u64 len);
	void *ctx;
};

/**
 * struct pkern_pool_state - in-memory view of an open pool
 * @m: the media
 * @nr_pages: allocatable pages
 * @bitmap_off: offset of the bitmap
 * @data_off: offset of page 0
 * @in_use: pages whose bit is set
 * @next: word index where the next search starts (spreads the scans)
 */
struct pkern_pool_state {
	struct pkern_pool_media m;
	u64 nr_pages;
	u64 bitmap_off;
	u64 data_off;
	u64 in_use;
	u64 next;
};

int pkern_pool_geometry(u64 size, u64 *nr_pages, u64 *bitmap_off,
			u64 *data_off);
int pkern_pool_open(struct pkern_pool_state *s,
		    const struct pkern_pool_media *m, const u8 *ns_uuid,
		    bool *initialized);
int pkern_pool_alloc(struct pkern_pool_state *s, u64 *off);
int pkern_pool_free(struct pkern_pool_state *s, u64 off);
int pkern_pool_take(struct pkern_pool_state *s, u64 off);
bool pkern_pool_page_in_use(const struct pkern_pool_state *s, u64 off);

#endif /* PKERN_POOL_H */
