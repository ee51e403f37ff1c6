/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * pkern on-media label format, version 1.
 *
 * Everything here is little-endian on media.  Region layout (offsets from
 * the start of the reserved range):
 *
 *   0x0000  superblock copy 0                      (4 KiB block)
 *   0x1000  superblock copy 1                      (4 KiB block)
 *   0x2000  index block 0                          (4 KiB)
 *   0x3000  index block 1                          (4 KiB)
 *   0x4000  label slots, nslots * 256 bytes
 *   data_start = round_up(0x4000 + nslots * 256, 4 KiB) .. region_size:
 *           namespace data
 *
 * Crash consistency: nothing live is rewritten in place.  A namespace
 * update writes a label into a slot that the live index does not
 * reference, then writes the inactive index block with generation + 1.
 * A (re)format writes the inactive index block bound to the new superblock
 * sequence first, then the inactive superblock copy, then the same bytes
 * into the other copy, so both copies stay alike; each copy is written
 * body first and its 8-byte magic last.  Load takes the valid superblock
 * with the highest sequence and, among the index blocks bound to it, the
 * valid one with the highest generation.  A torn write therefore always
 * leaves a CRC failure in a block that is not yet live, or a block that
 * is still blank.  A copy with the magic but no valid copy at all means
 * damage, not an unformatted region.
 *
 * Minor 1 adds the bad-page list to the index block, in bytes minor 0
 * left zero, so a minor 0 region loads with an empty list.  Recording or
 * forgetting a page is an index update like any other.  A minor 0 writer
 * would drop the list with its next update (it writes those bytes zero).
 */
#ifndef PKERN_FORMAT_H
#define PKERN_FORMAT_H

#include "pkern_compat.h"

#define PKERN_SB_MAGIC		"PKERNSB"	/* 8 bytes with the NUL */
#define PKERN_INDEX_MAGIC	"PKERNIX"
#define PKERN_MAJOR		1
#define PKERN_MINOR		1

#define PKERN_BLOCK_SIZE	4096ULL
#define PKERN_SB_OFF(i)		((u64)(i) * PKERN_BLOCK_SIZE)
#define PKERN_INDEX_OFF(i)	(2 * PKERN_BLOCK_SIZE + (u64)(i) * PKERN_BLOCK_SIZE)
#define PKERN_SLOT_OFF		(4 * PKERN_BLOCK_SIZE)
#define PKERN_SLOT_SIZE		256U
#define PKERN_GRANULE		4096ULL

#define PKERN_MIN_SLOTS		64U
#define PKERN_MAX_SLOTS		1024U
#define PKERN_DEFAULT_SLOTS	512U
#define PKERN_BITMAP_BYTES	(PKERN_MAX_SLOTS / 8)

/*
 * Bad pages: one 8-byte entry per recorded 4 KiB page, in the index
 * block's formerly reserved tail, so the capacity is what fits there.
 */
#define PKERN_BAD_ENTRY_SIZE	8U
#define PKERN_MAX_BAD		487U

/* PKERN_NAME_LEN, the name field including its NUL, is the uapi one */
#define PKERN_UUID_LEN		16

/* A label's kind is a uapi PKERN_KIND_* value (pkern_compat.h) */

/* Label flags: bits 0-15 must be understood to use the label */
#define PKERN_LABEL_INCOMPAT_MASK	0x0000ffffU

#define PKERN_ALIGN_4K		0x1000ULL
#define PKERN_ALIGN_2M		0x200000ULL
#define PKERN_ALIGN_1G		0x40000000ULL

/**
 * struct pkern_sb - superblock, one copy in each of the first two blocks
 * @magic: "PKERNSB\0"
 * @major: incompatible format version; a reader refuses unknown majors
 * @minor: compatible revision; unknown minors are read as this one
 * @sb_size: bytes covered by @crc (sizeof(struct pkern_sb))
 * @seq: format sequence; the valid copy with the highest value is live
 * @region_size: size of the region this label area was formatted for
 * @label_size: bytes at the start of the region used by labels
 * @data_start: first byte of the data area (>= @label_size)
 * @granule: allocation granule of the data area (4 KiB in v1)
 * @index_off: offsets of the two index blocks
 * @slot_off: offset of the first label slot
 * @slot_size: bytes per label slot
 * @nslots: number of label slots (the namespace limit)
 * @uuid: region UUID, also stamped into every index block
 * @reserved: zero
 * @crc: CRC-32 of the preceding bytes of this structure
 */
struct pkern_sb {
	u8 magic[8];
	__le16 major;
	__le16 minor;
	__le32 sb_size;
	__le64 seq;
	__le64 region_size;
	__le64 label_size;
	__le64 data_start;
	__le64 granule;
	__le64 index_off[2];
	__le64 slot_off;
	__le32 slot_size;
	__le32 nslots;
	u8 uuid[PKERN_UUID_LEN];
	u8 reserved[148];
	__le32 crc;
};

/**
 * struct pkern_index - index block; the live one says which slots are used
 * @magic: "PKERNIX\0"
 * @generation: bumped by one on every update; highest valid block is live
 * @sb_seq: superblock sequence this block belongs to
 * @sb_uuid: region UUID this block belongs to
 * @nslots: copy of the superblock's slot count
 * @nr_used: number of bits set in @bitmap (redundant, checked on load)
 * @nr_bad: entries used in @bad (minor 1; zero in minor 0 blocks)
 * @reserved0: zero
 * @bitmap: bit n set means label slot n holds a live label
 * @bad: recorded bad pages, as region offset / 4 KiB, strictly ascending,
 *	each inside the data area; entries past @nr_bad are zero
 * @reserved1: zero
 * @crc: CRC-32 of the preceding bytes of this block
 */
struct pkern_index {
	u8 magic[8];
	__le64 generation;
	__le64 sb_seq;
	u8 sb_uuid[PKERN_UUID_LEN];
	__le32 nslots;
	__le32 nr_used;
	__le32 nr_bad;
	u8 reserved0[12];
	u8 bitmap[PKERN_BITMAP_BYTES];
	__le64 bad[PKERN_MAX_BAD];
	u8 reserved1[4];
	__le32 crc;
};

/**
 * struct pkern_label - one namespace, stored in a label slot
 * @uuid: namespace UUID, never all zero, unique in the region
 * @name: NUL-terminated name, 1..63 characters, unique in the region
 * @kind: PKERN_KIND_GUEST or PKERN_KIND_IOMMU (the uapi values); unknown
 *	kinds are kept but never exposed
 * @flags: bits in PKERN_LABEL_INCOMPAT_MASK must be known to use the label
 * @offset: start of the namespace, from the start of the region
 * @size: length in bytes, a multiple of @align
 * @align: 4 KiB, 2 MiB or 1 GiB; @offset is a multiple of it
 * @create_gen: index generation that first made this label live
 * @reserved: zero
 * @crc: CRC-32 of the preceding bytes of this structure
 */
struct pkern_label {
	u8 uuid[PKERN_UUID_LEN];
	char name[PKERN_NAME_LEN];
	__le32 kind;
	__le32 flags;
	__le64 offset;
	__le64 size;
	__le64 align;
	__le64 create_gen;
	u8 reserved[132];
	__le32 crc;
};

#endif /* PKERN_FORMAT_H */
