// SPDX-License-Identifier: GPL-2.0-only
/*
 * Format, create, destroy, placement, free space, lookups, write and
 * scrub ordering, and the in-memory state matching a reload after each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/pkern.h>

#include "helpers.h"

#define KIB	(1ULL << 10)
#define MIB	(1ULL << 20)
#define GIB	(1ULL << 30)
#define ANY	PKERN_OFFSET_ANY

/* The in-memory region must equal what a reload finds. */
static void assert_reload_same(struct timg *t)
{
	struct snap *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	const struct pkern_ns *ns;
	u64 fa, fb, la, lb;
	u32 used = 0;

	assert_non_null(a);
	assert_non_null(b);
	snap_take(a, t->r);
	fa = pkern_free_bytes(t->r, PKERN_ALIGN_4K, &la);
	pkern_for_each_ns(t->r, ns)
		used++;
	assert_int_equal(used, t->r->nr_used);
	assert_int_equal(pkern_load(t->r, &t->m), t->r->status);
	snap_take(b, t->r);
	fb = pkern_free_bytes(t->r, PKERN_ALIGN_4K, &lb);
	assert_true(snap_eq(a, b));
	assert_int_equal(fa, fb);
	assert_int_equal(la, lb);
	free(a);
	free(b);
}

static void test_area_size(void **state)
{
	(void)state;
	assert_int_equal(pkern_label_area_size(64), 0x8000);
	assert_int_equal(pkern_label_area_size(72), 0x9000);
	assert_int_equal(pkern_label_area_size(256), 80 * KIB);
	assert_int_equal(pkern_label_area_size(512), 144 * KIB);
	assert_int_equal(pkern_label_area_size(1024), 272 * KIB);
	assert_int_equal(sizeof(struct pkern_sb), 256);
	assert_int_equal(sizeof(struct pkern_index), PKERN_BLOCK_SIZE);
	assert_int_equal(sizeof(struct pkern_label), PKERN_SLOT_SIZE);
}

static void test_format(void **state)
{
	struct timg *t = timg_new(16 * MIB);
	struct pkern_format_params p = { .nslots = 0 };
	const struct pkern_sb *s;

	(void)state;
	make_uuid(p.uuid, "r");
	assert_int_equal(pkern_format(t->r, &t->m, &p), 0);
	assert_int_equal(t->r->status, 0);
	assert_int_equal(t->r->sb[0].nslots, PKERN_DEFAULT_SLOTS);
	assert_int_equal(t->r->sb[0].data_start, 144 * KIB);
	assert_int_equal(t->r->sb[0].region_size, 16 * MIB);
	assert_int_equal(t->r->sb[0].seq, 1);
	assert_int_equal(t->r->generation, 1);
	assert_memory_equal(t->r->sb[0].uuid, p.uuid, PKERN_UUID_LEN);
	/*
	 * each write persisted: index block 0, copy 0 (the commit), then the
	 * same bytes into copy 1; each copy body first, its magic last
	 */
	assert_int_equal(t->mm.nlog, 10);
	assert_int_equal(t->mm.log[0].type, 'W');
	assert_int_equal(t->mm.log[0].off, PKERN_INDEX_OFF(0));
	assert_int_equal(t->mm.log[1].type, 'P');
	assert_int_equal(t->mm.log[2].off, PKERN_SB_OFF(0) + 8);
	assert_int_equal(t->mm.log[3].type, 'P');
	assert_int_equal(t->mm.log[4].off, PKERN_SB_OFF(0));
	assert_int_equal(t->mm.log[4].len, 8);
	assert_int_equal(t->mm.log[6].off, PKERN_SB_OFF(1) + 8);
	assert_int_equal(t->mm.log[8].off, PKERN_SB_OFF(1));
	assert_int_equal(t->mm.log[9].type, 'P');
	assert_memory_equal(raw_sb(t, 0), raw_sb(t, 1), sizeof(*s));
	s = raw_sb(t, 0);
	assert_memory_equal(s->magic, "PKERNSB", 8);
	assert_int_equal(le64toh(s->label_size), 0x4000 + 512 * 256);
	assert_int_equal(pkern_free_bytes(t->r, PKERN_ALIGN_4K, NULL),
			 16 * MIB - 144 * KIB);
	/* an empty region can be reformatted without force */
	assert_int_equal(timg_format(t, 256, false), 0);
	assert_int_equal(t->r->active_index, 1);
	assert_int_equal(t->r->sb[0].seq, 2);
	assert_int_equal(t->r->sb[1].seq, 2);
	assert_int_equal(t->r->generation, 2);
	assert_int_equal(t->r->sb[1].data_start, 80 * KIB);
	assert_memory_equal(raw_sb(t, 0), raw_sb(t, 1), sizeof(*s));
	timg_free(t);
}

static void test_format_invalid(void **state)
{
	struct timg *t = timg_new(1 * MIB);
	struct pkern_format_params p = { .nslots = 64 };

	(void)state;
	assert_int_equal(pkern_format(t->r, &t->m, &p), -PKERN_E_INVAL);
	make_uuid(p.uuid, "r");
	p.nslots = 56;
	assert_int_equal(pkern_format(t->r, &t->m, &p), -PKERN_E_INVAL);
	p.nslots = 1032;
	assert_int_equal(pkern_format(t->r, &t->m, &p), -PKERN_E_INVAL);
	p.nslots = 100;
	assert_int_equal(pkern_format(t->r, &t->m, &p), -PKERN_E_INVAL);
	assert_int_equal(pkern_format(t->r, &t->m, NULL), -PKERN_E_INVAL);
	/* label area plus one granule is the minimum */
	p.nslots = 64;
	t->mm.size = t->m.size = 0x8000;
	assert_int_equal(pkern_format(t->r, &t->m, &p), -PKERN_E_TOO_SMALL);
	t->mm.size = t->m.size = 0x9000 - 512;
	assert_int_equal(pkern_format(t->r, &t->m, &p), -PKERN_E_INVAL);
	t->mm.size = t->m.size = 0x9000;
	assert_int_equal(pkern_format(t->r, &t->m, &p), 0);
	assert_int_equal(pkern_free_bytes(t->r, PKERN_ALIGN_4K, NULL), 0x1000);
	assert_int_equal(timg_create(t, "one", 0x1000, PKERN_ALIGN_4K, ANY), 0);
	assert_int_equal(timg_create(t, "two", 0x1000, PKERN_ALIGN_4K, ANY),
			 -PKERN_E_NOSPC);
	timg_free(t);
}

static void test_format_refuse(void **state)
{
	struct timg *t = timg_new(8 * MIB);

	(void)state;
	assert_int_equal(timg_format(t, 64, false), 0);
	assert_int_equal(timg_create(t, "vm1", 2 * MIB, PKERN_ALIGN_2M, ANY), 0);
	assert_int_equal(timg_format(t, 64, false), -PKERN_E_HAS_LABELS);
	/* r still describes what is there, and the media is unchanged */
	assert_int_equal(t->r->nr_used, 1);
	assert_int_equal(t->mm.nwrites, 0);
	assert_non_null(pkern_find_name(t->r, "vm1"));
	assert_int_equal(timg_format(t, 64, true), 0);
	assert_int_equal(t->r->nr_used, 0);
	assert_null(pkern_find_name(t->r, "vm1"));
	assert_int_equal(t->r->sb[1].seq, 2);

	/* corrupt: both index blocks bad */
	raw_index(t, 0)->crc ^= 1;
	raw_index(t, 1)->crc ^= 1;
	assert_int_equal(timg_load(t), -PKERN_E_CORRUPT);
	assert_int_equal(timg_format(t, 64, false), -PKERN_E_HAS_LABELS);
	assert_int_equal(timg_format(t, 64, true), 0);
	assert_int_equal(t->r->sb[0].seq, 3);
	assert_int_equal(t->r->active_sb, 0);

	/* unknown version */
	raw_sb(t, 0)->major = htole16(9);
	raw_sb_fix_crc(raw_sb(t, 0));
	assert_int_equal(timg_format(t, 64, false), -PKERN_E_HAS_LABELS);
	assert_int_equal(timg_format(t, 64, true), 0);
	assert_int_equal(t->r->sb[0].seq, 4);
	assert_int_equal(t->r->sb[1].seq, 4);

	/* size changed with a namespace: refuse, then reformat at new size */
	assert_int_equal(timg_create(t, "vm1", 2 * MIB, PKERN_ALIGN_2M, ANY), 0);
	t->mm.size = t->m.size = 4 * MIB;
	assert_int_equal(timg_format(t, 64, false), -PKERN_E_HAS_LABELS);
	assert_int_equal(t->r->status, -PKERN_E_SIZE_CHANGED);
	assert_int_equal(t->r->nr_used, 1);
	assert_int_equal(timg_format(t, 64, true), 0);
	assert_int_equal(t->r->sb[t->r->active_sb].region_size, 4 * MIB);
	timg_free(t);
}

/* Generation and sequence outnumber every checksum-valid block. */
static void test_format_numbers(void **state)
{
	struct timg *t = timg_new(4 * MIB);

	(void)state;
	assert_int_equal(timg_format(t, 64, false), 0);
	/* a stale index block far ahead, bound to nothing current */
	raw_index(t, 1)->generation = htole64(500);
	memcpy(raw_index(t, 1)->magic, "PKERNIX", 8);
	raw_index_fix_crc(raw_index(t, 1));
	/* and a geometry-bad superblock copy with a high sequence */
	*raw_sb(t, 1) = *raw_sb(t, 0);
	raw_sb(t, 1)->seq = htole64(70);
	raw_sb(t, 1)->granule = 0;
	raw_sb_fix_crc(raw_sb(t, 1));
	assert_int_equal(timg_load(t), 0);
	assert_int_equal(timg_format(t, 64, false), 0);
	assert_int_equal(t->r->sb[0].seq, 71);
	assert_int_equal(t->r->sb[1].seq, 71);
	assert_int_equal(t->r->generation, 501);
	timg_free(t);
}

/* Counters at their limit: refuse rather than wrap and lose. */
static void test_exhausted(void **state)
{
	struct timg *t = timg_new(4 * MIB);
	u8 uuid[PKERN_UUID_LEN];

	(void)state;
	assert_int_equal(timg_format(t, 64, false), 0);
	memcpy(uuid, raw_sb(t, 0)->uuid, PKERN_UUID_LEN);
	raw_index(t, 0)->generation = htole64(~0ULL);
	raw_index_fix_crc(raw_index(t, 0));
	assert_int_equal(timg_load(t), 0);
	assert_int_equal(timg_create(t, "a", 0x1000, PKERN_ALIGN_4K, ANY),
			 -PKERN_E_STATE);
	assert_int_equal(pkern_destroy(t->r, 0), -PKERN_E_STATE);
	assert_int_equal(timg_format(t, 64, false), -PKERN_E_STATE);
	raw_index(t, 0)->generation = htole64(1);
	raw_index_fix_crc(raw_index(t, 0));
	raw_sb(t, 0)->seq = htole64(~0ULL);
	raw_sb_fix_crc(raw_sb(t, 0));
	raw_index(t, 0)->sb_seq = htole64(~0ULL);
	raw_index_fix_crc(raw_index(t, 0));
	assert_int_equal(timg_load(t), 0);
	assert_int_equal(timg_format(t, 64, false), -PKERN_E_STATE);
	assert_int_equal(t->mm.nwrites, 0);
	assert_memory_equal(raw_sb(t, 0)->uuid, uuid, PKERN_UUID_LEN);
	timg_free(t);
}

static void test_create(void **state)
{
	struct timg *t = timg_new(64 * MIB);
	struct pkern_create_params p = {
		.name = "vm1", .kind = PKERN_KIND_GUEST, .size = 4 * MIB,
		.align = PKERN_ALIGN_2M, .offset = ANY,
	};
	const struct pkern_ns *ns = NULL;
	struct pkern_label raw;

	(void)state;
	assert_int_equal(pkern_create(t->r, &p, &ns), -PKERN_E_STATE);
	assert_int_equal(timg_format(t, 64, false), 0);
	make_uuid(p.uuid, "vm1");
	mm_reset(&t->mm);
	assert_int_equal(pkern_create(t->r, &p, &ns), 0);
	assert_non_null(ns);
	assert_string_equal(ns->name, "vm1");
	assert_int_equal(ns->offset, 2 * MIB);	/* first 2M boundary after 32K */
	assert_int_equal(ns->size, 4 * MIB);
	assert_int_equal(ns->slot, 0);
	assert_int_equal(ns->create_gen, 2);
	assert_int_equal(t->r->generation, 2);
	assert_int_equal(t->r->active_index, 1);
	assert_true(pkern_ns_usable(ns));
	assert_ptr_equal(pkern_find_name(t->r, "vm1"), ns);
	assert_ptr_equal(pkern_find_uuid(t->r, p.uuid), ns);
	assert_null(pkern_find_name(t->r, "vm2"));
	assert_null(pkern_find_name(t->r, NULL));
	assert_null(pkern_find_uuid(t->r, NULL));
	assert_null(pkern_find_uuid(t->r, (const u8 *)"0123456789abcdef"));
	/* scrub, label write + persist, index write + persist */
	assert_int_equal(t->mm.nlog, 5);
	assert_int_equal(t->mm.log[0].type, 'S');
	assert_int_equal(t->mm.log[0].off, 2 * MIB);
	assert_int_equal(t->mm.log[0].len, 4 * MIB);
	assert_int_equal(t->mm.log[1].type, 'W');
	assert_int_equal(t->mm.log[1].off, PKERN_SLOT_OFF);
	assert_int_equal(t->mm.log[1].len, PKERN_SLOT_SIZE);
	assert_int_equal(t->mm.log[2].type, 'P');
	assert_int_equal(t->mm.log[3].off, PKERN_INDEX_OFF(1));
	assert_int_equal(t->mm.log[4].type, 'P');
	/* what went to media, read back independently */
	raw_get_label(t, 0, &raw);
	assert_string_equal(raw.name, "vm1");
	assert_int_equal(le64toh(raw.offset), 2 * MIB);
	assert_int_equal(le32toh(raw.kind), PKERN_KIND_GUEST);
	assert_int_equal(raw_index(t, 1)->bitmap[0], 1);
	assert_int_equal(le32toh(raw_index(t, 1)->nr_used), 1);
	assert_reload_same(t);

	/* duplicates */
	p.name = "vm2";
	assert_int_equal(pkern_create(t->r, &p, NULL), -PKERN_E_EXIST);
	p.name = "vm1";
	make_uuid(p.uuid, "vm2");
	assert_int_equal(pkern_create(t->r, &p, NULL), -PKERN_E_EXIST);
	/* bad parameters */
	p.name = "vm2";
	p.kind = 3;
	assert_int_equal(pkern_create(t->r, &p, NULL), -PKERN_E_INVAL);
	p.kind = PKERN_KIND_IOMMU;
	p.align = 8192;
	assert_int_equal(pkern_create(t->r, &p, NULL), -PKERN_E_INVAL);
	p.align = PKERN_ALIGN_2M;
	p.size = 0;
	assert_int_equal(pkern_create(t->r, &p, NULL), -PKERN_E_INVAL);
	p.size = 3 * MIB;
	assert_int_equal(pkern_create(t->r, &p, NULL), -PKERN_E_INVAL);
	p.size = 2 * MIB;
	p.name = "-x";
	assert_int_equal(pkern_create(t->r, &p, NULL), -PKERN_E_INVAL);
	p.name = NULL;
	assert_int_equal(pkern_create(t->r, &p, NULL), -PKERN_E_INVAL);
	assert_int_equal(pkern_create(t->r, NULL, NULL), -PKERN_E_INVAL);
	p.name = "vm2";
	memset(p.uuid, 0, sizeof(p.uuid));
	assert_int_equal(pkern_create(t->r, &p, NULL), -PKERN_E_INVAL);
	make_uuid(p.uuid, "vm2");
	assert_int_equal(t->mm.nwrites, 2);	/* nothing written by failures */
	assert_int_equal(pkern_create(t->r, &p, &ns), 0);
	assert_int_equal(ns->offset, 6 * MIB);
	assert_int_equal(ns->kind, PKERN_KIND_IOMMU);
	assert_int_equal(ns->slot, 1);
	assert_reload_same(t);
	timg_free(t);
}

static void test_placement(void **state)
{
	/* a 4 GiB region backed by 1 MiB: reads past the buffer are zero */
	struct timg *t = timg_new(1 * MIB);
	const struct pkern_ns *ns;
	u64 largest;

	(void)state;
	t->mm.size = t->m.size = 4 * GIB;
	assert_int_equal(timg_format(t, 64, false), 0);
	assert_int_equal(timg_create(t, "a", 0x1000, PKERN_ALIGN_4K, ANY), 0);
	assert_int_equal(pkern_find_name(t->r, "a")->offset, 0x8000);
	assert_int_equal(timg_create(t, "g", GIB, PKERN_ALIGN_1G, ANY), 0);
	assert_int_equal(pkern_find_name(t->r, "g")->offset, GIB);
	assert_int_equal(timg_create(t, "m", 2 * MIB, PKERN_ALIGN_2M, ANY), 0);
	assert_int_equal(pkern_find_name(t->r, "m")->offset, 2 * MIB);
	assert_int_equal(timg_create(t, "b", 0x1000, PKERN_ALIGN_4K, ANY), 0);
	assert_int_equal(pkern_find_name(t->r, "b")->offset, 0x9000);
	/* exact offsets */
	assert_int_equal(timg_create(t, "x", 0x1000, PKERN_ALIGN_4K, 0xa000), 0);
	assert_int_equal(timg_create(t, "y", 0x1000, PKERN_ALIGN_4K, 0xa000),
			 -PKERN_E_NOSPC);
	assert_int_equal(timg_create(t, "y", 2 * MIB, PKERN_ALIGN_2M, GIB),
			 -PKERN_E_NOSPC);
	assert_int_equal(timg_create(t, "y", 0x1000, PKERN_ALIGN_4K, 0xb800),
			 -PKERN_E_INVAL);
	assert_int_equal(timg_create(t, "y", 0x1000, PKERN_ALIGN_4K, 0x7000),
			 -PKERN_E_INVAL);
	assert_int_equal(timg_create(t, "y", 0x2000, PKERN_ALIGN_4K,
				     4 * GIB - 0x1000), -PKERN_E_INVAL);
	assert_int_equal(timg_create(t, "y", 0x2000, PKERN_ALIGN_4K,
				     ~0xfffULL), -PKERN_E_INVAL);
	assert_int_equal(timg_create(t, "y", 0x1000, PKERN_ALIGN_4K,
				     4 * GIB - 0x1000), 0);
	/* free space: 4G - 32K - (4K*3 + 2M + 1G + 4K) */
	assert_int_equal(pkern_free_bytes(t->r, PKERN_ALIGN_4K, &largest),
			 4 * GIB - 0x8000 - 0x4000 - 2 * MIB - GIB);
	/* largest 1G-aligned: [2G, 4G-4K) rounds down to 1G */
	pkern_free_bytes(t->r, PKERN_ALIGN_1G, &largest);
	assert_int_equal(largest, GIB);
	pkern_free_bytes(t->r, PKERN_ALIGN_2M, &largest);
	assert_int_equal(largest, 2 * GIB - 2 * MIB);
	pkern_free_bytes(t->r, PKERN_ALIGN_4K, &largest);
	assert_int_equal(largest, 2 * GIB - 0x1000);
	assert_int_equal(pkern_free_bytes(t->r, 12345, &largest), 0);
	assert_int_equal(timg_create(t, "big", 2 * GIB, PKERN_ALIGN_2M, ANY),
			 -PKERN_E_NOSPC);
	assert_int_equal(timg_create(t, "big", GIB, PKERN_ALIGN_1G, ANY), 0);
	ns = pkern_find_name(t->r, "big");
	assert_int_equal(ns->offset, 2 * GIB);
	assert_reload_same(t);
	/* destroy returns the space; the freed 1G is found again */
	assert_int_equal(pkern_destroy(t->r, pkern_find_name(t->r, "g")->slot), 0);
	assert_null(pkern_find_name(t->r, "g"));
	assert_int_equal(timg_create(t, "g2", GIB, PKERN_ALIGN_1G, ANY), 0);
	assert_int_equal(pkern_find_name(t->r, "g2")->offset, GIB);
	assert_reload_same(t);
	timg_free(t);
}

/* place_align: stricter placement than the label's page alignment. */
static void test_place_align(void **state)
{
	struct timg *t = timg_new(1 * MIB);
	struct pkern_create_params p = {
		.name = "g4k", .uuid = { 7 }, .kind = PKERN_KIND_GUEST,
		.size = 2 * MIB, .align = PKERN_ALIGN_4K,
		.offset = PKERN_OFFSET_ANY, .place_align = PKERN_ALIGN_2M,
	};
	const struct pkern_ns *ns;

	(void)state;
	t->mm.size = t->m.size = 64 * MIB;
	assert_int_equal(timg_format(t, 64, false), 0);
	assert_int_equal(pkern_create(t->r, &p, &ns), 0);
	assert_int_equal(ns->offset, 2 * MIB);
	assert_int_equal(ns->align, PKERN_ALIGN_4K);
	/* without it, 4 KiB placement right after the label area */
	assert_int_equal(timg_create(t, "pool", 0x1000, PKERN_ALIGN_4K, ANY), 0);
	assert_int_equal(pkern_find_name(t->r, "pool")->offset, 0x8000);
	/* exact offsets must honour it; bad values are refused */
	p.name = "x";
	p.uuid[0] = 8;
	p.offset = 0x9000;
	assert_int_equal(pkern_create(t->r, &p, NULL), -PKERN_E_INVAL);
	p.offset = 6 * MIB;
	assert_int_equal(pkern_create(t->r, &p, &ns), 0);
	assert_int_equal(ns->offset, 6 * MIB);
	p.name = "y";
	p.uuid[0] = 9;
	p.offset = PKERN_OFFSET_ANY;
	p.place_align = 3 * MIB;
	assert_int_equal(pkern_create(t->r, &p, NULL), -PKERN_E_INVAL);
	/* a weaker placement than the page alignment changes nothing */
	p.align = PKERN_ALIGN_2M;
	p.size = 2 * MIB;
	p.place_align = PKERN_ALIGN_4K;
	assert_int_equal(pkern_create(t->r, &p, &ns), 0);
	assert_int_equal(ns->offset, 4 * MIB);
	assert_reload_same(t);
	timg_free(t);
}

/* 512 namespaces fill the default label area, and the region. */
static void test_fill_512(void **state)
{
	u64 ds = pkern_label_area_size(512);
	struct timg *t = timg_new(ds + 512 * 0x1000);
	char name[16];
	int i;

	(void)state;
	assert_int_equal(timg_format(t, 512, false), 0);
	for (i = 0; i < 512; i++) {
		snprintf(name, sizeof(name), "ns%d", i);
		assert_int_equal(timg_create(t, name, 0x1000, PKERN_ALIGN_4K,
					     ANY), 0);
	}
	assert_int_equal(t->r->nr_used, 512);
	assert_int_equal(pkern_free_bytes(t->r, PKERN_ALIGN_4K, NULL), 0);
	assert_int_equal(timg_create(t, "more", 0x1000, PKERN_ALIGN_4K, ANY),
			 -PKERN_E_NOSLOT);
	assert_reload_same(t);
	for (i = 0; i < 512; i++) {
		snprintf(name, sizeof(name), "ns%d", i);
		assert_int_equal(pkern_find_name(t->r, name)->offset,
				 ds + (u64)i * 0x1000);
	}
	/* a freed slot in the middle is reused, with its extent */
	assert_int_equal(pkern_destroy(t->r, 300), 0);
	assert_int_equal(timg_create(t, "more", 0x1000, PKERN_ALIGN_4K, ANY), 0);
	assert_int_equal(pkern_find_name(t->r, "more")->slot, 300);
	assert_int_equal(pkern_find_name(t->r, "more")->offset,
			 ds + 300 * 0x1000);
	assert_reload_same(t);
	timg_free(t);
}

static void test_noslot_nospc(void **state)
{
	struct timg *t = timg_new(0x8000 + 64 * 0x1000 + 0x1000);
	char name[16];
	int i;

	(void)state;
	assert_int_equal(timg_format(t, 64, false), 0);
	assert_int_equal(timg_create(t, "huge", 0x42000, PKERN_ALIGN_4K, ANY),
			 -PKERN_E_NOSPC);
	for (i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		assert_int_equal(timg_create(t, name, 0x1000, PKERN_ALIGN_4K,
					     ANY), 0);
	}
	assert_int_equal(timg_create(t, "x", 0x1000, PKERN_ALIGN_4K, ANY),
			 -PKERN_E_NOSLOT);
	assert_int_equal(pkern_free_bytes(t->r, PKERN_ALIGN_4K, NULL), 0x1000);
	timg_free(t);
}

static void test_destroy(void **state)
{
	struct timg *t = timg_new(8 * MIB);
	const struct pkern_ns *ns;
	u32 slot;

	(void)state;
	assert_int_equal(timg_format(t, 64, false), 0);
	assert_int_equal(pkern_destroy(t->r, 0), -PKERN_E_NOENT);
	assert_int_equal(pkern_destroy(t->r, 64), -PKERN_E_NOENT);
	assert_int_equal(pkern_destroy(t->r, ~0U), -PKERN_E_NOENT);
	assert_int_equal(timg_create(t, "a", MIB, PKERN_ALIGN_4K, ANY), 0);
	assert_int_equal(timg_create(t, "b", MIB, PKERN_ALIGN_4K, ANY), 0);
	ns = pkern_find_name(t->r, "a");
	slot = ns->slot;
	memset(t->buf + ns->offset, 0xaa, MIB);
	mm_reset(&t->mm);
	assert_int_equal(pkern_destroy(t->r, slot), 0);
	/* index commit first, then the scrub */
	assert_int_equal(t->mm.nlog, 3);
	assert_int_equal(t->mm.log[0].type, 'W');
	assert_int_equal(t->mm.log[0].off, PKERN_INDEX_OFF(1));
	assert_int_equal(t->mm.log[1].type, 'P');
	assert_int_equal(t->mm.log[2].type, 'S');
	assert_int_equal(t->mm.log[2].off, 0x8000);
	assert_int_equal(t->mm.log[2].len, MIB);
	assert_int_equal(t->buf[0x8000], 0);
	assert_int_equal(t->r->nr_used, 1);
	assert_null(pkern_find_name(t->r, "a"));
	assert_non_null(pkern_find_name(t->r, "b"));
	assert_int_equal(pkern_destroy(t->r, slot), -PKERN_E_NOENT);
	assert_reload_same(t);
	/* a scrub failure after the commit: destroyed, but reported */
	assert_int_equal(timg_create(t, "c", MIB, PKERN_ALIGN_4K, ANY), 0);
	t->mm.fail_scrub = t->mm.nscrubs + 1;
	assert_int_equal(pkern_destroy(t->r, pkern_find_name(t->r, "c")->slot),
			 -PKERN_E_IO);
	assert_int_equal(timg_load(t), 0);
	assert_null(pkern_find_name(t->r, "c"));
	assert_non_null(pkern_find_name(t->r, "b"));
	timg_free(t);
}

/* Destroy works on unusable labels; never zeroes an older label's bytes. */
static void test_destroy_unusable(void **state)
{
	struct timg *t = timg_new(8 * MIB);
	struct pkern_label l[4];
	u32 slots[4] = { 0, 1, 2, 3 };
	int i;

	(void)state;
	assert_int_equal(timg_format(t, 64, false), 0);
	raw_label(&l[0], "old", 1, 0x8000, 0x2000, PKERN_ALIGN_4K, 1);
	raw_label(&l[1], "new", 1, 0x9000, 0x2000, PKERN_ALIGN_4K, 2);
	raw_label(&l[2], "odd", 77, 0x10000, 0x1000, PKERN_ALIGN_4K, 2);
	raw_label(&l[3], "bad", 1, 0x10000, 0x1000, PKERN_ALIGN_4K, 3);
	l[3].crc ^= 1;
	for (i = 0; i < 4; i++)
		raw_put_label(t, i, &l[i]);
	raw_index_use(t, 0, 10, slots, 4);
	assert_int_equal(timg_load(t), 0);
	assert_int_equal(t->r->ns[1].problem, PKERN_P_LBL_OVERLAP);
	assert_int_equal(t->r->ns[2].problem, PKERN_P_LBL_KIND);
	assert_int_equal(t->r->ns[3].problem, PKERN_P_LBL_CRC);
	/* unknown kind occupies its extent: no allocation lands there */
	assert_int_equal(timg_create(t, "z", 0x1000, PKERN_ALIGN_4K, 0x10000),
			 -PKERN_E_NOSPC);
	/* the overlapping newer one: destroyed without a scrub */
	memset(t->buf + 0x8000, 0x55, 0x3000);
	mm_reset(&t->mm);
	assert_int_equal(pkern_destroy(t->r, 1), 0);
	assert_int_equal(t->mm.nscrubs, 0);
	assert_int_equal(t->buf[0x9000], 0x55);
	/* the checksum-bad one: extent unknown, no scrub */
	assert_int_equal(pkern_destroy(t->r, 3), 0);
	assert_int_equal(t->mm.nscrubs, 0);
	/* the unknown kind: its own bytes, scrubbed */
	assert_int_equal(pkern_destroy(t->r, 2), 0);
	assert_int_equal(t->mm.nscrubs, 1);
	assert_int_equal(t->mm.log[t->mm.nlog - 1].off, 0x10000);
	assert_true(pkern_ns_usable(pkern_find_name(t->r, "old")));
	assert_int_equal(t->r->nr_used, 1);
	assert_reload_same(t);
	timg_free(t);
}

/* A destroyed older label frees the newer duplicate, as a reload would. */
static void test_destroy_revalidates(void **state)
{
	struct timg *t = timg_new(8 * MIB);
	struct pkern_label l[2];
	u32 slots[2] = { 0, 1 };

	(void)state;
	assert_int_equal(timg_format(t, 64, false), 0);
	raw_label(&l[0], "same", 1, 0x8000, 0x1000, PKERN_ALIGN_4K, 1);
	raw_label(&l[1], "same", 1, 0x9000, 0x1000, PKERN_ALIGN_4K, 2);
	make_uuid(l[1].uuid, "another");
	raw_label_fix_crc(&l[1]);
	raw_put_label(t, 0, &l[0]);
	raw_put_label(t, 1, &l[1]);
	raw_index_use(t, 0, 5, slots, 2);
	assert_int_equal(timg_load(t), 0);
	assert_int_equal(t->r->ns[1].problem, PKERN_P_LBL_DUP_NAME);
	assert_int_equal(pkern_destroy(t->r, 0), 0);
	assert_int_equal(t->r->ns[1].problem, PKERN_P_NONE);
	assert_reload_same(t);
	timg_free(t);
}

static void test_io_errors(void **state)
{
	struct timg *t = timg_new(8 * MIB);

	(void)state;
	assert_int_equal(timg_format(t, 64, false), 0);
	mm_reset(&t->mm);
	t->mm.fail_scrub = 1;
	assert_int_equal(timg_create(t, "a", MIB, PKERN_ALIGN_4K, ANY),
			 -PKERN_E_IO);
	assert_int_equal(t->mm.nwrites, 0);
	mm_reset(&t->mm);
	t->mm.fail_persist = 1;		/* the label's: old state */
	assert_int_equal(timg_create(t, "a", MIB, PKERN_ALIGN_4K, ANY),
			 -PKERN_E_IO);
	assert_int_equal(timg_load(t), 0);
	assert_null(pkern_find_name(t->r, "a"));
	t->mm.fail_persist = 2;		/* the index write landed: new state */
	assert_int_equal(timg_create(t, "a", MIB, PKERN_ALIGN_4K, ANY),
			 -PKERN_E_IO);
	assert_int_equal(timg_load(t), 0);
	assert_non_null(pkern_find_name(t->r, "a"));
	{
		struct pkern_format_params p = { .nslots = 64, .force = true };

		make_uuid(p.uuid, "new");
		mm_reset(&t->mm);
		t->mm.fail_read = 1;
		assert_int_equal(pkern_format(t->r, &t->m, &p), -PKERN_E_IO);
		assert_int_equal(t->mm.nwrites, 0);
		mm_reset(&t->mm);
		t->mm.fail_write = 1;
		assert_int_equal(pkern_format(t->r, &t->m, &p), -PKERN_E_IO);
		assert_int_equal(timg_load(t), 0);
		assert_non_null(pkern_find_name(t->r, "a"));
	}
	timg_free(t);
}

static void test_strings(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < PKERN_E_MAX; i++) {
		assert_non_null(pkern_strerror(-i));
		assert_string_equal(pkern_strerror(-i), pkern_strerror(i));
		assert_string_not_equal(pkern_strerror(-i), "unknown error");
	}
	assert_string_equal(pkern_strerror(-PKERN_E_SIZE_CHANGED),
			    "region formatted for a different size");
	assert_string_equal(pkern_strerror(-PKERN_E_MAX), "unknown error");
	assert_string_equal(pkern_strerror(-2147483647 - 1), "unknown error");
	for (i = 0; i < PKERN_P_MAX; i++) {
		assert_string_not_equal(pkern_problem_str(i), "unknown problem");
		for (j = 1; j < i; j++)
			if (i != PKERN_P_SB_SIZE_CHANGED)
				assert_string_not_equal(pkern_problem_str(i),
							pkern_problem_str(j));
	}
	assert_string_equal(pkern_problem_str(PKERN_P_LBL_CRC),
			    "label checksum mismatch");
	assert_string_equal(pkern_problem_str(PKERN_P_MAX), "unknown problem");
	assert_string_equal(pkern_kind_str(PKERN_KIND_GUEST), "guest");
	assert_string_equal(pkern_kind_str(PKERN_KIND_IOMMU), "iommu");
	assert_string_equal(pkern_kind_str(0), "unknown");
	assert_true(pkern_name_valid("a"));
	assert_true(pkern_name_valid("vm-1.b_c:d+e@f"));
	assert_false(pkern_name_valid("_a"));
	assert_false(pkern_name_valid(""));
	assert_false(pkern_name_valid(NULL));
	assert_false(pkern_name_valid("a\n"));
	assert_false(pkern_ns_usable(NULL));
}

/* The driver and pkdaxctl report a region's state through this one map */
static void test_uapi_state(void **state)
{
	(void)state;
	assert_int_equal(pkern_uapi_state(0), PKERN_STATE_READY);
	assert_int_equal(pkern_uapi_state(-PKERN_E_UNFORMATTED),
			 PKERN_STATE_UNFORMATTED);
	assert_int_equal(pkern_uapi_state(-PKERN_E_SIZE_CHANGED),
			 PKERN_STATE_SIZE_CHANGED);
	assert_int_equal(pkern_uapi_state(-PKERN_E_VERSION),
			 PKERN_STATE_VERSION);
	assert_int_equal(pkern_uapi_state(-PKERN_E_CORRUPT),
			 PKERN_STATE_CORRUPT);
	assert_int_equal(pkern_uapi_state(-PKERN_E_IO), PKERN_STATE_IO_ERROR);
	assert_int_equal(pkern_uapi_state(-PKERN_E_INVAL),
			 PKERN_STATE_IO_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_area_size),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_invalid),
		cmocka_unit_test(test_format_refuse),
		cmocka_unit_test(test_format_numbers),
		cmocka_unit_test(test_exhausted),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_placement),
		cmocka_unit_test(test_place_align),
		cmocka_unit_test(test_fill_512),
		cmocka_unit_test(test_noslot_nospc),
		cmocka_unit_test(test_destroy),
		cmocka_unit_test(test_destroy_unusable),
		cmocka_unit_test(test_destroy_revalidates),
		cmocka_unit_test(test_io_errors),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_uapi_state),
	};

	return cmocka_run_group_tests_name("ops", tests, NULL, NULL);
}
