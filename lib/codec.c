// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Encoding, decoding and checksums of the three on-media structures
 * (the index block carries the bad-page list).
 *
 * Decoding only classifies what a structure says about itself (magic,
 * checksum, version, geometry, bitmap); the policy that combines copies
 * lives in load.c and validate.c.
 */
#include "pkern_lib.h"

bool pk_uuid_zero(const u8 *uuid)
{
	int i;

	for (i = 0; i < PKERN_UUID_LEN; i++)
		if (uuid[i])
			return false;
	return true;
}

/* Both names are NUL-terminated within PKERN_NAME_LEN. */
bool pk_name_eq(const char *a, const char *b)
{
	int i;

	for (i = 0; i < PKERN_NAME_LEN; i++) {
		if (a[i] != b[i])
			return false;
		if (!a[i])
			return true;
	}
	return true;
}

static bool sb_geometry_ok(const struct pkern_sb *s)
{
	u32 nslots = le32_to_cpu(s->nslots);
	u64 data_start = le64_to_cpu(s->data_start);
	u64 region_size = le64_to_cpu(s->region_size);

	if (le32_to_cpu(s->sb_size) != sizeof(*s) ||
	    le64_to_cpu(s->granule) != PKERN_GRANULE ||
	    le32_to_cpu(s->slot_size) != PKERN_SLOT_SIZE ||
	    le64_to_cpu(s->index_off[0]) != PKERN_INDEX_OFF(0) ||
	    le64_to_cpu(s->index_off[1]) != PKERN_INDEX_OFF(1) ||
	    le64_to_cpu(s->slot_off) != PKERN_SLOT_OFF)
		return false;
	if (nslots < PKERN_MIN_SLOTS || nslots > PKERN_MAX_SLOTS || nslots % 8)
		return false;
	if (le64_to_cpu(s->label_size) > data_start ||
	    data_start != pkern_label_area_size(nslots))
		return false;
	return data_start < region_size && !(region_size % PKERN_GRANULE);
}

/**
 * pk_sb_decode() - decode and classify one superblock copy
 * @s: raw copy as read from media
 * @i: result; @i->problem is NONE, SB_NONE (blank), SB_CRC, SB_VERSION or
 *	SB_GEOMETRY
 */
void pk_sb_decode(const struct pkern_sb *s, struct pkern_sb_info *i)
{
	memset(i, 0, sizeof(*i));
	if (memcmp(s->magic, PKERN_SB_MAGIC, sizeof(s->magic))) {
		i->problem = PKERN_P_SB_NONE;
		return;
	}
	i->major = le16_to_cpu(s->major);
	i->minor = le16_to_cpu(s->minor);
	i->seq = le64_to_cpu(s->seq);
	i->region_size = le64_to_cpu(s->region_size);
	i->label_size = le64_to_cpu(s->label_size);
	i->data_start = le64_to_cpu(s->data_start);
	i->granule = le64_to_cpu(s->granule);
	i->slot_size = le32_to_cpu(s->slot_size);
	i->nslots = le32_to_cpu(s->nslots);
	memcpy(i->uuid, s->uuid, PKERN_UUID_LEN);

	if (pkern_crc32(s, PK_SB_CRC_LEN) != le32_to_cpu(s->crc))
		i->problem = PKERN_P_SB_CRC;
	else if (i->major != PKERN_MAJOR)
		i->problem = PKERN_P_SB_VERSION;
	else if (!sb_geometry_ok(s))
		i->problem = PKERN_P_SB_GEOMETRY;
	else
		i->problem = PKERN_P_NONE;
}

static bool index_bitmap_ok(const struct pkern_index *x, u32 nslots)
{
	u32 n, used = 0;

	/* nslots is a multiple of 8, so whole bytes past it must be zero */
	for (n = nslots / 8; n < PKERN_BITMAP_BYTES; n++)
		if (x->bitmap[n])
			return false;
	for (n = 0; n < nslots; n++)
		used += pk_bit(x->bitmap, n);
	return used == le32_to_cpu(x->nr_used);
}

/*
 * Recorded pages: strictly ascending (so no duplicates), inside the data
 * area of the superblock the block is bound to, unused entries zero.
 */
static bool index_badlist_ok(const struct pkern_index *x,
			     const struct pkern_sb_info *live)
{
	u32 n, nr = le32_to_cpu(x->nr_bad);
	u64 first = live->data_start / PKERN_GRANULE;
	u64 end = live->region_size / PKERN_GRANULE, prev = 0, page;

	if (nr > PKERN_MAX_BAD)
		return false;
	for (n = 0; n < PKERN_MAX_BAD; n++) {
		page = le64_to_cpu(x->bad[n]);
		if (n >= nr) {
			if (page)
				return false;
			continue;
		}
		if (page < first || page >= end || (n && page <= prev))
			return false;
		prev = page;
	}
	return true;
}

/**
 * pk_index_decode() - decode and classify one index block
 * @x: raw block as read from media
 * @live: the live superblock, or NULL if there is none
 * @i: result; @i->problem is NONE, IDX_NONE (blank or bound to another
 *	superblock), IDX_CRC, IDX_BITMAP or IDX_BADLIST.  @i->generation is kept for any
 *	block whose checksum is good, so a format can outnumber it.
 */
void pk_index_decode(const struct pkern_index *x,
		     const struct pkern_sb_info *live,
		     struct pkern_index_info *i)
{
	memset(i, 0, sizeof(*i));
	if (memcmp(x->magic, PKERN_INDEX_MAGIC, sizeof(x->magic))) {
		i->problem = PKERN_P_IDX_NONE;
		return;
	}
	if (pkern_crc32(x, PK_IDX_CRC_LEN) != le32_to_cpu(x->crc)) {
		i->problem = PKERN_P_IDX_CRC;
		return;
	}
	i->generation = le64_to_cpu(x->generation);
	i->sb_seq = le64_to_cpu(x->sb_seq);
	i->nslots = le32_to_cpu(x->nslots);
	i->nr_used = le32_to_cpu(x->nr_used);
	i->nr_bad = le32_to_cpu(x->nr_bad);

	if (!live || i->sb_seq != live->seq ||
	    memcmp(x->sb_uuid, live->uuid, PKERN_UUID_LEN))
		i->problem = PKERN_P_IDX_NONE;
	else if (i->nslots != live->nslots || !index_bitmap_ok(x, i->nslots))
		i->problem = PKERN_P_IDX_BITMAP;
	else if (!index_badlist_ok(x, live))
		i->problem = PKERN_P_IDX_BADLIST;
	else
		i->problem = PKERN_P_NONE;
}

/**
 * pk_label_decode() - decode a label slot into a namespace record
 * @l: raw label as read from media
 * @slot: slot number it came from
 * @ns: result; the self-contained checks (checksum, UUID, name) are done
 *	here because they need the raw bytes, the rest in pk_validate()
 */
void pk_label_decode(const struct pkern_label *l, u32 slot,
		     struct pkern_ns *ns)
{
	memset(ns, 0, sizeof(*ns));
	memcpy(ns->uuid, l->uuid, PKERN_UUID_LEN);
	memcpy(ns->name, l->name, PKERN_NAME_LEN);
	/* keep the copy printable even when the label is not */
	ns->name[PKERN_NAME_LEN - 1] = '\0';
	ns->kind = le32_to_cpu(l->kind);
	ns->flags = le32_to_cpu(l->flags);
	ns->offset = le64_to_cpu(l->offset);
	ns->size = le64_to_cpu(l->size);
	ns->align = le64_to_cpu(l->align);
	ns->create_gen = le64_to_cpu(l->create_gen);
	ns->slot = slot;

	if (pkern_crc32(l, PK_LBL_CRC_LEN) != le32_to_cpu(l->crc))
		ns->problem = PKERN_P_LBL_CRC;
	else if (pk_uuid_zero(l->uuid))
		ns->problem = PKERN_P_LBL_UUID;
	else if (!pkern_name_valid(l->name))
		ns->problem = PKERN_P_LBL_NAME;
	else
		ns->problem = PKERN_P_NONE;
}

/**
 * pk_sb_encode() - build a version 1 superblock
 * @s: destination
 * @seq: format sequence
 * @region_size: region size in bytes
 * @nslots: label slots
 * @uuid: region UUID
 */
void pk_sb_encode(struct pkern_sb *s, u64 seq, u64 region_size, u32 nslots,
		  const u8 *uuid)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->magic, PKERN_SB_MAGIC, sizeof(s->magic));
	s->major = cpu_to_le16(PKERN_MAJOR);
	s->minor = cpu_to_le16(PKERN_MINOR);
	s->sb_size = cpu_to_le32(sizeof(*s));
	s->seq = cpu_to_le64(seq);
	s->region_size = cpu_to_le64(region_size);
	s->label_size = cpu_to_le64(PKERN_SLOT_OFF +
				    (u64)nslots * PKERN_SLOT_SIZE);
	s->data_start = cpu_to_le64(pkern_label_area_size(nslots));
	s->granule = cpu_to_le64(PKERN_GRANULE);
	s->index_off[0] = cpu_to_le64(PKERN_INDEX_OFF(0));
	s->index_off[1] = cpu_to_le64(PKERN_INDEX_OFF(1));
	s->slot_off = cpu_to_le64(PKERN_SLOT_OFF);
	s->slot_size = cpu_to_le32(PKERN_SLOT_SIZE);
	s->nslots = cpu_to_le32(nslots);
	memcpy(s->uuid, uuid, PKERN_UUID_LEN);
	s->crc = cpu_to_le32(pkern_crc32(s, PK_SB_CRC_LEN));
}

/**
 * pk_index_encode() - build an index block bound to a superblock
 * @x: destination
 * @generation: index generation
 * @sb: superblock the block belongs to (seq, uuid, nslots)
 * @bitmap: used-slot bitmap, PKERN_BITMAP_BYTES long
 * @bad: recorded bad pages, ascending (see struct pkern_index)
 * @nr_bad: entries in @bad, at most PKERN_MAX_BAD
 */
void pk_index_encode(struct pkern_index *x, u64 generation,
		     const struct pkern_sb_info *sb, const u8 *bitmap,
		     const u64 *bad, u32 nr_bad)
{
	u32 n, used = 0;

	memset(x, 0, sizeof(*x));
	memcpy(x->magic, PKERN_INDEX_MAGIC, sizeof(x->magic));
	x->generation = cpu_to_le64(generation);
	x->sb_seq = cpu_to_le64(sb->seq);
	memcpy(x->sb_uuid, sb->uuid, PKERN_UUID_LEN);
	x->nslots = cpu_to_le32(sb->nslots);
	memcpy(x->bitmap, bitmap, PKERN_BITMAP_BYTES);
	for (n = 0; n < sb->nslots; n++)
		used += pk_bit(bitmap, n);
	x->nr_used = cpu_to_le32(used);
	x->nr_bad = cpu_to_le32(nr_bad);
	for (n = 0; n < nr_bad && n < PKERN_MAX_BAD; n++)
		x->bad[n] = cpu_to_le64(bad[n]);
	x->crc = cpu_to_le32(pkern_crc32(x, PK_IDX_CRC_LEN));
}

/**
 * pk_label_encode() - build a label from validated create parameters
 * @l: destination
 * @p: parameters (name already checked to be terminated and valid)
 * @offset: placement chosen for the namespace
 * @create_gen: index generation that will make the label live
 */
void pk_label_encode(struct pkern_label *l,
		     const struct pkern_create_params *p, u64 offset,
		     u64 create_gen)
{
	int n;

	memset(l, 0, sizeof(*l));
	memcpy(l->uuid, p->uuid, PKERN_UUID_LEN);
	for (n = 0; n < PKERN_NAME_LEN - 1 && p->name[n]; n++)
		l->name[n] = p->name[n];
	l->kind = cpu_to_le32(p->kind);
	l->offset = cpu_to_le64(offset);
	l->size = cpu_to_le64(p->size);
	l->align = cpu_to_le64(p->align);
	l->create_gen = cpu_to_le64(create_gen);
	l->crc = cpu_to_le32(pkern_crc32(l, PK_LBL_CRC_LEN));
}
