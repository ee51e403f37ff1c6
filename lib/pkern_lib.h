/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Private helpers shared by the lib/ source files.  Not part of the API:
 * only the lib/ sources include this.
 */
#ifndef PKERN_LIB_H
#define PKERN_LIB_H

#include "pkern_label.h"

#define PK_SB_CRC_LEN	(sizeof(struct pkern_sb) - sizeof(__le32))
#define PK_IDX_CRC_LEN	(sizeof(struct pkern_index) - sizeof(__le32))
#define PK_LBL_CRC_LEN	(sizeof(struct pkern_label) - sizeof(__le32))

/* the bad-page list must fit the index block exactly */
static_assert(sizeof(struct pkern_index) == PKERN_BLOCK_SIZE, "index");
static_assert(sizeof(struct pkern_label) == PKERN_SLOT_SIZE, "label");

static inline bool pk_bit(const u8 *map, u32 n)
{
	return (map[n / 8] >> (n % 8)) & 1;
}

static inline void pk_set_bit(u8 *map, u32 n, bool on)
{
	if (on)
		map[n / 8] |= (u8)(1U << (n % 8));
	else
		map[n / 8] &= (u8)~(1U << (n % 8));
}

/* True for a power-of-two @a; @x rounded up may wrap, callers check. */
static inline u64 pk_round_up(u64 x, u64 a)
{
	return (x + a - 1) & ~(a - 1);
}

static inline bool pk_align_valid(u64 a)
{
	return a == PKERN_ALIGN_4K || a == PKERN_ALIGN_2M || a == PKERN_ALIGN_1G;
}

bool pk_uuid_zero(const u8 *uuid);
bool pk_name_eq(const char *a, const char *b);

/* codec.c */
void pk_sb_decode(const struct pkern_sb *s, struct pkern_sb_info *i);
void pk_index_decode(const struct pkern_index *x,
		     const struct pkern_sb_info *live,
		     struct pkern_index_info *i);
void pk_label_decode(const struct pkern_label *l, u32 slot,
		     struct pkern_ns *ns);
void pk_sb_encode(struct pkern_sb *s, u64 seq, u64 region_size, u32 nslots,
		  const u8 *uuid);
void pk_index_encode(struct pkern_index *x, u64 generation,
		     const struct pkern_sb_info *sb, const u8 *bitmap,
		     const u64 *bad, u32 nr_bad);
void pk_label_encode(struct pkern_label *l,
		     const struct pkern_create_params *p, u64 offset,
		     u64 create_gen);

/* badpages.c */
u32 pk_bad_first(const struct pkern_labels *r, u64 page);
u64 pk_skip_bad(const struct pkern_labels *r, u64 pos);
u64 pk_next_bad(const struct pkern_labels *r, u64 pos, u64 end);
int pk_scrub(const struct pkern_labels *r, u64 off, u64 len);

/* update.c */
int pk_commit_index(struct pkern_labels *r, const u8 *bitmap, const u64 *bad,
		    u32 nr_bad);
int pk_update_failed(struct pkern_labels *r, int err);
bool pk_media_writable(const struct pkern_media *m);

/* media.c */
int pk_read(const struct pkern_labels *r, u64 off, void *buf, u64 len);
int pk_commit(const struct pkern_labels *r, u64 off, const void *buf,
	      u64 len);

/* validate.c */
const struct pkern_sb_info *pk_live_sb(const struct pkern_labels *r);
bool pk_extent_ok(const struct pkern_labels *r, const struct pkern_ns *ns);
bool pk_older(const struct pkern_ns *a, const struct pkern_ns *b);
void pk_validate(struct pkern_labels *r);

/* sort.c */
enum pk_sort_key { PK_BY_OFFSET, PK_BY_NAME, PK_BY_UUID };
int pk_ns_cmp(const struct pkern_labels *r, enum pk_sort_key key, u16 a,
	      u16 b);
void pk_sort_slots(const struct pkern_labels *r, enum pk_sort_key key,
		   u16 *v, u32 n);

/* space.c */
bool pk_overlaps(u64 off_a, u64 size_a, u64 off_b, u64 size_b);
bool pk_range_free(const struct pkern_labels *r, u64 off, u64 size);
int pk_first_fit(const struct pkern_labels *r, u64 size, u64 align,
		 bool avoid_bad, u64 *off);
bool pk_overlaps_older(const struct pkern_labels *r, u32 slot);

#endif /* PKERN_LIB_H */
