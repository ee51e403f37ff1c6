// SPDX-License-Identifier: GPL-2.0-only
/*
 * Load: superblock and index selection, every label validation rule and
 * the cross checks between labels, on images built from raw structures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include "helpers.h"

#define MIB		(1ULL << 20)
#define IMG_SIZE	(8 * MIB)
#define DS		0x8000ULL	/* data start with 64 slots */
#define GEN		100		/* index generation of crafted images */

static u64 pk_round(u64 x, u64 a)
{
	return (x + a - 1) & ~(a - 1);
}

static struct timg *fresh(void)
{
	struct timg *t = timg_new(IMG_SIZE);

	assert_int_equal(timg_format(t, 64, false), 0);
	assert_int_equal(t->r->sb[0].data_start, DS);
	return t;
}

/* Put @n labels into slots 0..n-1 and make them live at GEN. */
static struct timg *with_labels(const struct pkern_label *l, int n)
{
	struct timg *t = fresh();
	u32 slots[16];
	int i;

	for (i = 0; i < n; i++) {
		raw_put_label(t, i, &l[i]);
		slots[i] = i;
	}
	raw_index_use(t, t->r->active_index, GEN, slots, n);
	return t;
}

/* One label in slot 0: check the problem it gets and how it is reported. */
static void expect_problem(const struct pkern_label *l,
			   enum pkern_problem_code code)
{
	struct timg *t = with_labels(l, 1);
	const struct pkern_problem *p;
	struct reports rep;

	assert_int_equal(timg_load_report(t, &rep), 0);
	assert_int_equal(t->r->nr_used, 1);
	assert_int_equal(t->r->ns[0].problem, code);
	assert_int_equal(pkern_ns_usable(&t->r->ns[0]), code == PKERN_P_NONE);
	assert_true(!!pkern_find_name(t->r, t->r->ns[0].name) ==
		    (code == PKERN_P_NONE));
	if (code == PKERN_P_NONE) {
		assert_int_equal(rep.n, 0);
	} else {
		assert_int_equal(rep.n, 1);
		p = find_report(&rep, code);
		assert_non_null(p);
		assert_int_equal(p->where, PKERN_AT_SLOT);
		assert_int_equal(p->slot, 0);
		assert_int_equal(p->severity, code == PKERN_P_LBL_KIND ?
				 PKERN_SEV_WARN : PKERN_SEV_ERROR);
	}
	timg_free(t);
}

static void good(struct pkern_label *l)
{
	raw_label(l, "vm1", PKERN_KIND_GUEST, 2 * MIB, 2 * MIB,
		  PKERN_ALIGN_2M, GEN);
}

static void test_label_ok(void **state)
{
	struct pkern_label l;

	(void)state;
	good(&l);
	expect_problem(&l, PKERN_P_NONE);
	/* bits above the incompatible mask are ignored */
	l.flags = htole32(0x10000);
	raw_label_fix_crc(&l);
	expect_problem(&l, PKERN_P_NONE);
	/* the whole data area, 4K aligned, ending exactly at the region end */
	raw_label(&l, "all", PKERN_KIND_IOMMU, DS, IMG_SIZE - DS,
		  PKERN_ALIGN_4K, 1);
	expect_problem(&l, PKERN_P_NONE);
}

static void test_label_crc(void **state)
{
	struct pkern_label l;

	(void)state;
	good(&l);
	l.size = htole64(4 * MIB);	/* changed after the CRC */
	expect_problem(&l, PKERN_P_LBL_CRC);
}

static void test_label_uuid(void **state)
{
	struct pkern_label l;

	(void)state;
	good(&l);
	memset(l.uuid, 0, sizeof(l.uuid));
	raw_label_fix_crc(&l);
	expect_problem(&l, PKERN_P_LBL_UUID);
	/* UUID is checked before the name */
	l.name[0] = 0;
	raw_label_fix_crc(&l);
	expect_problem(&l, PKERN_P_LBL_UUID);
}

static void test_label_name(void **state)
{
	static const char *const bad[] = { "", "-vm", "a b", "vm/1", "é" };
	struct pkern_label l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		good(&l);
		memset(l.name, 0, sizeof(l.name));
		memcpy(l.name, bad[i], strlen(bad[i]));
		raw_label_fix_crc(&l);
		expect_problem(&l, PKERN_P_LBL_NAME);
	}
	/* 64 characters, no NUL inside the field */
	good(&l);
	memset(l.name, 'a', sizeof(l.name));
	raw_label_fix_crc(&l);
	expect_problem(&l, PKERN_P_LBL_NAME);
	/* 63 characters is the maximum */
	l.name[63] = 0;
	raw_label_fix_crc(&l);
	expect_problem(&l, PKERN_P_NONE);
}

static void test_label_extent(void **state)
{
	struct pkern_label l;

	(void)state;
	raw_label(&l, "a", 1, 2 * MIB, 2 * MIB, 0x2000, GEN);
	expect_problem(&l, PKERN_P_LBL_ALIGN);
	raw_label(&l, "a", 1, 2 * MIB, 0, PKERN_ALIGN_4K, GEN);
	expect_problem(&l, PKERN_P_LBL_SIZE);
	raw_label(&l, "a", 1, 2 * MIB, 0x1000, PKERN_ALIGN_2M, GEN);
	expect_problem(&l, PKERN_P_LBL_SIZE);
	raw_label(&l, "a", 1, 2 * MIB + 0x1000, 2 * MIB, PKERN_ALIGN_2M, GEN);
	expect_problem(&l, PKERN_P_LBL_MISALIGNED);
	raw_label(&l, "a", 1, ~0xfffULL, 0x2000, PKERN_ALIGN_4K, GEN);
	expect_problem(&l, PKERN_P_LBL_OVERFLOW);
	raw_label(&l, "a", 1, 0x1000, 0x1000, PKERN_ALIGN_4K, GEN);
	expect_problem(&l, PKERN_P_LBL_LABEL_AREA);
	raw_label(&l, "a", 1, DS - 0x1000, 0x2000, PKERN_ALIGN_4K, GEN);
	expect_problem(&l, PKERN_P_LBL_LABEL_AREA);
	raw_label(&l, "a", 1, IMG_SIZE - 0x1000, 0x2000, PKERN_ALIGN_4K, GEN);
	expect_problem(&l, PKERN_P_LBL_BEYOND);
	raw_label(&l, "a", 1, 0, 1ULL << 30, PKERN_ALIGN_1G, GEN);
	expect_problem(&l, PKERN_P_LBL_LABEL_AREA);
	/* alignment comes before range: checked in the documented order */
	raw_label(&l, "a", 1, IMG_SIZE * 4, 0x1000, 0x3000, GEN + 5);
	expect_problem(&l, PKERN_P_LBL_ALIGN);
}

static void test_label_gen_flags_kind(void **state)
{
	struct pkern_label l;

	(void)state;
	raw_label(&l, "a", 1, DS, 0x1000, PKERN_ALIGN_4K, GEN + 1);
	expect_problem(&l, PKERN_P_LBL_FUTURE_GEN);
	raw_label(&l, "a", 1, DS, 0x1000, PKERN_ALIGN_4K, GEN);
	l.flags = htole32(0x8000);
	raw_label_fix_crc(&l);
	expect_problem(&l, PKERN_P_LBL_FLAGS);
	raw_label(&l, "a", 3, DS, 0x1000, PKERN_ALIGN_4K, GEN);
	expect_problem(&l, PKERN_P_LBL_KIND);
	raw_label(&l, "a", 0, DS, 0x1000, PKERN_ALIGN_4K, GEN);
	expect_problem(&l, PKERN_P_LBL_KIND);
	/* future generation is checked before flags and kind */
	raw_label(&l, "a", 9, DS, 0x1000, PKERN_ALIGN_4K, GEN + 7);
	expect_problem(&l, PKERN_P_LBL_FUTURE_GEN);
}

/* Two labels: the older one (create_gen, then slot) wins. */
static void expect_cross(const struct pkern_label *l, int winner,
			 enum pkern_problem_code code)
{
	struct timg *t = with_labels(l, 2);
	const struct pkern_problem *p;
	struct reports rep;
	int loser = 1 - winner;

	assert_int_equal(timg_load_report(t, &rep), 0);
	assert_int_equal(t->r->ns[winner].problem, PKERN_P_NONE);
	assert_int_equal(t->r->ns[loser].problem, code);
	assert_int_equal(t->r->ns[loser].other, winner);
	p = find_report(&rep, code);
	assert_non_null(p);
	assert_int_equal(p->slot, loser);
	assert_int_equal(p->other, winner);
	assert_int_equal(rep.n, 1);
	timg_free(t);
}

static void test_cross(void **state)
{
	struct pkern_label l[2];

	(void)state;
	/* overlap: slot 1 is older by generation */
	raw_label(&l[0], "a", 1, DS, 0x3000, PKERN_ALIGN_4K, 50);
	raw_label(&l[1], "b", 1, DS + 0x2000, 0x1000, PKERN_ALIGN_4K, 40);
	expect_cross(l, 1, PKERN_P_LBL_OVERLAP);
	/* same generation: the lower slot is older */
	raw_label(&l[1], "b", 1, DS + 0x2000, 0x1000, PKERN_ALIGN_4K, 50);
	expect_cross(l, 0, PKERN_P_LBL_OVERLAP);
	/* adjacent is not overlapping */
	raw_label(&l[1], "b", 1, DS + 0x3000, 0x1000, PKERN_ALIGN_4K, 50);
	{
		struct timg *t = with_labels(l, 2);

		assert_int_equal(timg_load(t), 0);
		assert_true(pkern_ns_usable(&t->r->ns[0]));
		assert_true(pkern_ns_usable(&t->r->ns[1]));
		timg_free(t);
	}
	/* duplicate name */
	raw_label(&l[0], "same", 1, DS, 0x1000, PKERN_ALIGN_4K, 60);
	raw_label(&l[1], "same", 1, DS + 0x1000, 0x1000, PKERN_ALIGN_4K, 10);
	make_uuid(l[1].uuid, "other");
	raw_label_fix_crc(&l[1]);
	expect_cross(l, 1, PKERN_P_LBL_DUP_NAME);
	/* duplicate uuid */
	raw_label(&l[0], "one", 1, DS, 0x1000, PKERN_ALIGN_4K, 10);
	raw_label(&l[1], "two", 1, DS + 0x1000, 0x1000, PKERN_ALIGN_4K, 20);
	memcpy(l[1].uuid, l[0].uuid, PKERN_UUID_LEN);
	raw_label_fix_crc(&l[1]);
	expect_cross(l, 0, PKERN_P_LBL_DUP_UUID);
	/* overlap is reported before a duplicate name */
	raw_label(&l[0], "one", 1, DS, 0x1000, PKERN_ALIGN_4K, 10);
	raw_label(&l[1], "one", 1, DS, 0x1000, PKERN_ALIGN_4K, 20);
	make_uuid(l[1].uuid, "x");
	raw_label_fix_crc(&l[1]);
	expect_cross(l, 0, PKERN_P_LBL_OVERLAP);
}

/* An older label that is unusable itself still owns its extent. */
static void test_cross_unusable_owner(void **state)
{
	struct pkern_label l[2];
	struct timg *t;

	(void)state;
	raw_label(&l[0], "old", 9, DS, 0x2000, PKERN_ALIGN_4K, 10);
	raw_label(&l[1], "new", 1, DS + 0x1000, 0x1000, PKERN_ALIGN_4K, 20);
	t = with_labels(l, 2);
	assert_int_equal(timg_load(t), 0);
	assert_int_equal(t->r->ns[0].problem, PKERN_P_LBL_KIND);
	assert_int_equal(t->r->ns[1].problem, PKERN_P_LBL_OVERLAP);
	assert_int_equal(t->r->ns[1].other, 0);
	timg_free(t);
	/* a label with a bad checksum owns nothing: its extent is unknown */
	raw_label(&l[0], "old", 1, DS, 0x2000, PKERN_ALIGN_4K, 10);
	l[0].crc ^= 1;
	t = with_labels(l, 2);
	assert_int_equal(timg_load(t), 0);
	assert_int_equal(t->r->ns[0].problem, PKERN_P_LBL_CRC);
	assert_int_equal(t->r->ns[1].problem, PKERN_P_NONE);
	timg_free(t);
}

/*
 * A chain: b overlaps a, c overlaps only b.  b is unusable, yet c still
 * loses to it: the outcome does not depend on evaluation order.
 */
static void test_cross_chain(void **state)
{
	struct pkern_label l[3];
	struct timg *t;
	u32 slots[3] = { 0, 1, 2 };
	int i;

	(void)state;
	raw_label(&l[0], "a", 1, DS, 0x2000, PKERN_ALIGN_4K, 1);
	raw_label(&l[1], "b", 1, DS + 0x1000, 0x2000, PKERN_ALIGN_4K, 2);
	raw_label(&l[2], "c", 1, DS + 0x2000, 0x2000, PKERN_ALIGN_4K, 3);
	t = fresh();
	for (i = 0; i < 3; i++)
		raw_put_label(t, i, &l[i]);
	raw_index_use(t, t->r->active_index, GEN, slots, 3);
	assert_int_equal(timg_load(t), 0);
	assert_int_equal(t->r->ns[0].problem, PKERN_P_NONE);
	assert_int_equal(t->r->ns[1].problem, PKERN_P_LBL_OVERLAP);
	assert_int_equal(t->r->ns[1].other, 0);
	assert_int_equal(t->r->ns[2].problem, PKERN_P_LBL_OVERLAP);
	assert_int_equal(t->r->ns[2].other, 1);
	timg_free(t);
}

/* Several older conflicts of the same kind: the oldest one is named. */
static void test_cross_oldest(void **state)
{
	struct pkern_label l[3];
	struct timg *t;
	u32 slots[3] = { 0, 1, 2 };
	int i;

	(void)state;
	raw_label(&l[0], "a", 1, DS, 0x1000, PKERN_ALIGN_4K, 5);
	raw_label(&l[1], "b", 1, DS + 0x1000, 0x1000, PKERN_ALIGN_4K, 3);
	raw_label(&l[2], "c", 1, DS, 0x2000, PKERN_ALIGN_4K, 9);
	t = fresh();
	for (i = 0; i < 3; i++)
		raw_put_label(t, i, &l[i]);
	raw_index_use(t, t->r->active_index, GEN, slots, 3);
	assert_int_equal(timg_load(t), 0);
	assert_true(pkern_ns_usable(&t->r->ns[0]));
	assert_true(pkern_ns_usable(&t->r->ns[1]));
	assert_int_equal(t->r->ns[2].problem, PKERN_P_LBL_OVERLAP);
	assert_int_equal(t->r->ns[2].other, 1);
	timg_free(t);
}

/*
 * Hundreds of labels with random extents, names, UUIDs and generations,
 * many of them colliding: every finding must match the all-pairs
 * reference in helpers.c.
 */
static void test_cross_random(void **state)
{
	static const u64 aligns[3] = { PKERN_ALIGN_4K, PKERN_ALIGN_2M,
				       PKERN_ALIGN_4K };
	struct timg *t = timg_new(pkern_label_area_size(1024));
	u32 seed = 1, slot, round, conflicts = 0, usable;
	struct pkern_label l;
	struct pkern_index *x;
	const struct pkern_ns *ns;
	char name[16];

	(void)state;
	t->mm.size = t->m.size = 64 * MIB;
	assert_int_equal(timg_format(t, 1024, false), 0);
	x = raw_index(t, t->r->active_index);
	for (round = 0; round < 20; round++) {
		memset(x->bitmap, 0, sizeof(x->bitmap));
		for (slot = 0; slot < 1024; slot++) {
			u64 a;

			seed = seed * 1103515245U + 12345U;
			if ((seed >> 16) % 4 == 0)
				continue;	/* leave some slots free */
			a = aligns[(seed >> 8) % 3];
			snprintf(name, sizeof(name), "n%u", (seed >> 4) % 700);
			raw_label(&l, name, 1,
				  pk_round(0x48000 + (u64)((seed >> 12) % 4000) *
					   0x4000, a),
				  a * (1 + (seed >> 20) % 3), a,
				  1 + (seed >> 3) % 50);
			if ((seed >> 24) % 16 == 0)	/* duplicate UUID */
				make_uuid(l.uuid, "shared");
			raw_label_fix_crc(&l);
			raw_put_label(t, slot, &l);
			x->bitmap[slot / 8] |= (u8)(1U << (slot % 8));
		}
		raw_index_use(t, t->r->active_index, GEN, NULL, 0);
		assert_int_equal(timg_load(t), 0);
		assert_true(ref_cross_ok(t->r));
		usable = 0;
		pkern_for_each_ns(t->r, ns) {
			if (pkern_ns_usable(ns))
				usable++;
			else
				conflicts++;
		}
		assert_true(usable > 0);
	}
	assert_true(conflicts > 1000);	/* the test really exercised them */
	timg_free(t);
}

static void test_unformatted(void **state)
{
	struct timg *t = timg_new(IMG_SIZE);
	const struct pkern_problem *p;
	struct reports rep;

	(void)state;
	assert_int_equal(timg_load_report(t, &rep), -PKERN_E_UNFORMATTED);
	assert_int_equal(rep.n, 1);
	p = find_report(&rep, PKERN_P_SB_NONE);
	assert_non_null(p);
	assert_int_equal(p->where, PKERN_AT_REGION);
	assert_null(pkern_ns_next(t->r, NULL));
	assert_int_equal(pkern_free_bytes(t->r, PKERN_ALIGN_4K, NULL), 0);
	/* a torn superblock with magic is damaged, not unformatted */
	assert_int_equal(timg_format(t, 64, false), 0);
	raw_sb(t, 0)->seq ^= 1;
	memset(raw_sb(t, 1), 0, sizeof(struct pkern_sb));
	assert_int_equal(timg_load_report(t, &rep), -PKERN_E_CORRUPT);
	p = find_report(&rep, PKERN_P_SB_CRC);
	assert_non_null(p);
	assert_int_equal(p->where, PKERN_AT_SB0);
	assert_int_equal(p->severity, PKERN_SEV_ERROR);
	assert_non_null(find_report(&rep, PKERN_P_SB_DAMAGED));
	assert_null(find_report(&rep, PKERN_P_SB_NONE));
	/* a region smaller than the fixed header */
	memset(t->buf, 0, 2 * PKERN_BLOCK_SIZE);
	t->mm.size = t->m.size = 0x1800;
	assert_int_equal(pkern_load(t->r, &t->m), -PKERN_E_UNFORMATTED);
	t->mm.size = t->m.size = 0x800;
	assert_int_equal(timg_load(t), -PKERN_E_UNFORMATTED);
	assert_int_equal(t->mm.nreads, 1);	/* copy 0 only */
	assert_int_equal(t->r->sb[1].problem, PKERN_P_SB_NONE);
	/* no media callbacks at all */
	{
		struct pkern_media none = { .ops = NULL, .size = IMG_SIZE };

		assert_int_equal(pkern_load(t->r, &none), -PKERN_E_IO);
	}
	timg_free(t);
}

static void test_sb_pick(void **state)
{
	struct timg *t = fresh();
	struct reports rep;
	const struct pkern_problem *p;

	struct pkern_sb old0 = *raw_sb(t, 0);

	(void)state;
	/*
	 * second format, copy 0 put back as a format that wrote one copy
	 * left it: copy 1 with seq 2 is live, copy 0 is stale
	 */
	assert_int_equal(timg_format(t, 64, false), 0);
	*raw_sb(t, 0) = old0;
	assert_int_equal(timg_load_report(t, &rep), 0);
	assert_int_equal(t->r->active_sb, 1);
	assert_int_equal(t->r->sb[1].seq, 2);
	assert_int_equal(t->r->active_index, 1);
	p = find_report(&rep, PKERN_P_SB_STALE);
	assert_non_null(p);
	assert_int_equal(p->where, PKERN_AT_SB0);
	assert_int_equal(p->severity, PKERN_SEV_WARN);
	/* unknown major on the live copy: version error */
	raw_sb(t, 1)->major = htole16(2);
	raw_sb_fix_crc(raw_sb(t, 1));
	assert_int_equal(timg_load_report(t, &rep), -PKERN_E_VERSION);
	p = find_report(&rep, PKERN_P_SB_VERSION);
	assert_non_null(p);
	assert_int_equal(p->value, 2);
	assert_int_equal(p->severity, PKERN_SEV_ERROR);
	/* unknown major on the older copy: only a warning */
	raw_sb(t, 1)->major = htole16(1);
	raw_sb_fix_crc(raw_sb(t, 1));
	raw_sb(t, 0)->major = htole16(3);
	raw_sb_fix_crc(raw_sb(t, 0));
	assert_int_equal(timg_load_report(t, &rep), 0);
	p = find_report(&rep, PKERN_P_SB_VERSION);
	assert_non_null(p);
	assert_int_equal(p->severity, PKERN_SEV_WARN);
	assert_int_equal(p->where, PKERN_AT_SB0);
	/* unknown minor is fine */
	raw_sb(t, 1)->minor = htole16(7);
	raw_sb_fix_crc(raw_sb(t, 1));
	assert_int_equal(timg_load(t), 0);
	assert_int_equal(t->r->sb[1].minor, 7);
	/* bad geometry on the newer copy: fall back to the older one */
	raw_sb(t, 0)->major = htole16(1);
	raw_sb_fix_crc(raw_sb(t, 0));
	raw_sb(t, 1)->granule = htole64(8192);
	raw_sb_fix_crc(raw_sb(t, 1));
	assert_int_equal(timg_load_report(t, &rep), 0);
	assert_int_equal(t->r->active_sb, 0);
	assert_int_equal(t->r->active_index, 0);
	p = find_report(&rep, PKERN_P_SB_GEOMETRY);
	assert_non_null(p);
	assert_int_equal(p->severity, PKERN_SEV_WARN);
	/* checksum failure on the newer copy: same */
	raw_sb(t, 1)->granule = htole64(4096);
	raw_sb_fix_crc(raw_sb(t, 1));
	raw_sb(t, 1)->uuid[3] ^= 0x40;
	assert_int_equal(timg_load_report(t, &rep), 0);
	assert_int_equal(t->r->active_sb, 0);
	assert_non_null(find_report(&rep, PKERN_P_SB_CRC));
	timg_free(t);
}

/*
 * Each geometry rule on its own makes the only copy invalid; with the
 * magic there the region reads as damaged, never as unformatted.
 */
static void test_sb_geometry(void **state)
{
	struct timg *t = fresh();
	struct pkern_sb orig = *raw_sb(t, 0), *s = raw_sb(t, 0);
	struct reports rep;
	int i;

	(void)state;
	memset(raw_sb(t, 1), 0, sizeof(struct pkern_sb));
	for (i = 0; i < 16; i++) {
		*s = orig;
		switch (i) {
		case 0: s->sb_size = htole32(255); break;
		case 1: s->granule = htole64(2 * MIB); break;
		case 2: s->slot_size = htole32(512); break;
		case 3: s->index_off[0] = htole64(0x3000); break;
		case 4: s->index_off[1] = htole64(0x2000); break;
		case 5: s->slot_off = htole64(0x5000); break;
		case 6: s->nslots = htole32(56); break;
		case 7: s->nslots = htole32(1032); break;
		case 8: s->nslots = htole32(68); break;
		case 9: s->label_size = htole64(DS + 1); break;
		case 10: s->data_start = htole64(DS + 0x1000); break;
		case 11: s->region_size = htole64(DS); break;
		case 12: s->region_size = htole64(IMG_SIZE - 1); break;
		case 13: s->nslots = htole32(72); break; /* data_start mismatch */
		case 14: s->region_size = htole64(0); break;
		case 15: s->data_start = htole64(0); break;
		}
		raw_sb_fix_crc(s);
		assert_int_equal(timg_load_report(t, &rep), -PKERN_E_CORRUPT);
		assert_int_equal(t->r->sb[0].problem, PKERN_P_SB_GEOMETRY);
		assert_non_null(find_report(&rep, PKERN_P_SB_GEOMETRY));
	}
	*s = orig;
	assert_int_equal(timg_load(t), 0);
	timg_free(t);
}

static void test_size_changed(void **state)
{
	struct timg *t = fresh();
	const struct pkern_problem *p;
	struct reports rep;

	(void)state;
	assert_int_equal(timg_create(t, "vm1", 2 * MIB, PKERN_ALIGN_2M,
				     PKERN_OFFSET_ANY), 0);
	/* the reserved range grew */
	t->mm.size = t->m.size = 2 * IMG_SIZE;
	assert_int_equal(timg_load_report(t, &rep), -PKERN_E_SIZE_CHANGED);
	p = find_report(&rep, PKERN_P_SB_SIZE_CHANGED);
	assert_non_null(p);
	assert_int_equal(p->value, IMG_SIZE);
	assert_int_equal(t->r->active_sb, 0);
	assert_int_equal(t->r->nr_used, 1);
	assert_non_null(pkern_ns_next(t->r, NULL));
	assert_string_equal(pkern_ns_next(t->r, NULL)->name, "vm1");
	assert_int_equal(pkern_free_bytes(t->r, PKERN_ALIGN_4K, NULL), 0);
	assert_int_equal(timg_create(t, "vm2", 2 * MIB, PKERN_ALIGN_2M,
				     PKERN_OFFSET_ANY), -PKERN_E_STATE);
	assert_int_equal(pkern_destroy(t->r, 0), -PKERN_E_STATE);
	/* shrank below the label area: nothing past it is read */
	t->mm.size = t->m.size = 0x5000;
	assert_int_equal(timg_load_report(t, &rep), -PKERN_E_SIZE_CHANGED);
	assert_int_equal(t->r->nr_used, 0);
	assert_int_equal(t->r->active_index, -1);
	/* back to the right size */
	t->mm.size = t->m.size = IMG_SIZE;
	assert_int_equal(timg_load(t), 0);
	timg_free(t);
}

static void test_index(void **state)
{
	struct timg *t = fresh();
	const struct pkern_problem *p;
	struct reports rep;
	struct pkern_index saved;

	(void)state;
	/* only block 0 is valid after a fresh format: a bad CRC is fatal */
	saved = *raw_index(t, 0);
	raw_index(t, 0)->generation ^= 4;
	assert_int_equal(timg_load_report(t, &rep), -PKERN_E_CORRUPT);
	p = find_report(&rep, PKERN_P_IDX_CRC);
	assert_non_null(p);
	assert_int_equal(p->severity, PKERN_SEV_ERROR);
	assert_int_equal(p->where, PKERN_AT_IDX0);
	p = find_report(&rep, PKERN_P_IDX_NONE);
	assert_non_null(p);
	assert_int_equal(p->where, PKERN_AT_REGION);
	*raw_index(t, 0) = saved;

	/* after a create block 1 is live; losing it falls back, with a warning */
	assert_int_equal(timg_load(t), 0);
	assert_int_equal(timg_create(t, "vm1", 0x1000, PKERN_ALIGN_4K,
				     PKERN_OFFSET_ANY), 0);
	assert_int_equal(t->r->active_index, 1);
	saved = *raw_index(t, 1);
	raw_index(t, 0)->nr_used = htole32(1);
	raw_index_fix_crc(raw_index(t, 0));
	assert_int_equal(timg_load_report(t, &rep), 0);
	p = find_report(&rep, PKERN_P_IDX_BITMAP);
	assert_non_null(p);
	assert_int_equal(p->severity, PKERN_SEV_WARN);
	assert_int_equal(p->where, PKERN_AT_IDX0);
	raw_index(t, 1)->bitmap[0] ^= 2;
	assert_int_equal(timg_load_report(t, &rep), -PKERN_E_CORRUPT);
	assert_non_null(find_report(&rep, PKERN_P_IDX_CRC));
	assert_non_null(find_report(&rep, PKERN_P_IDX_BITMAP));
	*raw_index(t, 1) = saved;

	/* bits at or above nslots */
	raw_index(t, 0)->nr_used = htole32(0);
	raw_index(t, 0)->bitmap[8] = 1;		/* slot 64 */
	raw_index(t, 0)->generation = htole64(9);
	raw_index_fix_crc(raw_index(t, 0));
	assert_int_equal(timg_load_report(t, &rep), 0);
	assert_int_equal(t->r->active_index, 1);
	assert_int_equal(t->r->index[0].problem, PKERN_P_IDX_BITMAP);
	/* wrong slot count */
	raw_index(t, 0)->bitmap[8] = 0;
	raw_index(t, 0)->nslots = htole32(128);
	raw_index_fix_crc(raw_index(t, 0));
	assert_int_equal(timg_load(t), 0);
	assert_int_equal(t->r->index[0].problem, PKERN_P_IDX_BITMAP);
	/* valid and newer: it wins (empty bitmap) */
	raw_index(t, 0)->nslots = htole32(64);
	raw_index_fix_crc(raw_index(t, 0));
	assert_int_equal(timg_load(t), 0);
	assert_int_equal(t->r->active_index, 0);
	assert_int_equal(t->r->generation, 9);
	assert_int_equal(t->r->nr_used, 0);
	/* bound to another region or format: stale, silently ignored */
	raw_index(t, 0)->sb_uuid[0] ^= 1;
	raw_index_fix_crc(raw_index(t, 0));
	assert_int_equal(timg_load_report(t, &rep), 0);
	assert_int_equal(rep.n, 0);
	assert_int_equal(t->r->active_index, 1);
	assert_int_equal(t->r->index[0].problem, PKERN_P_IDX_NONE);
	raw_index(t, 0)->sb_uuid[0] ^= 1;
	raw_index(t, 0)->sb_seq = htole64(2);
	raw_index_fix_crc(raw_index(t, 0));
	assert_int_equal(timg_load_report(t, &rep), 0);
	assert_int_equal(rep.n, 0);
	assert_int_equal(t->r->active_index, 1);
	timg_free(t);
}

static void test_read_error(void **state)
{
	struct timg *t = fresh();
	long reads, i;

	(void)state;
	assert_int_equal(timg_create(t, "vm1", 0x1000, PKERN_ALIGN_4K,
				     PKERN_OFFSET_ANY), 0);
	assert_int_equal(timg_load(t), 0);
	reads = t->mm.nreads;
	assert_true(reads >= 5);
	for (i = 1; i <= reads; i++) {
		mm_reset(&t->mm);
		t->mm.fail_read = i;
		assert_int_equal(pkern_load(t->r, &t->m), -PKERN_E_IO);
		assert_int_equal(t->r->status, -PKERN_E_IO);
		assert_null(pkern_ns_next(t->r, NULL));
	}
	timg_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_ok),
		cmocka_unit_test(test_label_crc),
		cmocka_unit_test(test_label_uuid),
		cmocka_unit_test(test_label_name),
		cmocka_unit_test(test_label_extent),
		cmocka_unit_test(test_label_gen_flags_kind),
		cmocka_unit_test(test_cross),
		cmocka_unit_test(test_cross_unusable_owner),
		cmocka_unit_test(test_cross_chain),
		cmocka_unit_test(test_cross_oldest),
		cmocka_unit_test(test_cross_random),
		cmocka_unit_test(test_unformatted),
		cmocka_unit_test(test_sb_pick),
		cmocka_unit_test(test_sb_geometry),
		cmocka_unit_test(test_size_changed),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_read_error),
	};

	return cmocka_run_group_tests_name("load", tests, NULL, NULL);
}
