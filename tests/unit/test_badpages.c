// SPDX-License-Identifier: GPL-2.0-only
/*
 * Recorded bad pages: add (idempotent, all or nothing), clear, count and
 * runs, the full list, lists that fail validation, an image written
 * before the list existed, and placement and scrubbing around the pages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "helpers.h"

#define PG	4096ULL
#define MIB	(1ULL << 20)
#define ANY	PKERN_OFFSET_ANY

/* 64 MiB region, label area (64 slots) in memory, data virtual */
static struct timg *region(void)
{
	struct timg *t = timg_new(pkern_label_area_size(64));

	t->mm.size = t->m.size = 64 * MIB;
	assert_int_equal(timg_format(t, 64, false), 0);
	return t;
}

static u64 ds(const struct timg *t)
{
	return t->r->sb[t->r->active_sb].data_start;
}

static void assert_reload_same(struct timg *t)
{
	struct snap *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));

	assert_true(a && b);
	snap_take(a, t->r);
	assert_int_equal(timg_load(t), 0);
	snap_take(b, t->r);
	assert_true(snap_eq(a, b));
	free(a);
	free(b);
}

static void test_add_clear(void **state)
{
	struct timg *t = region();
	u64 base = 16 * MIB, off, len;
	u64 gen;

	(void)state;
	assert_int_equal(pkern_bad_add(t->r, base, PG), 1);
	assert_int_equal(t->r->nr_bad, 1);
	assert_reload_same(t);
	/* again: known, nothing written */
	gen = t->r->generation;
	mm_reset(&t->mm);
	assert_int_equal(pkern_bad_add(t->r, base, PG), 0);
	assert_int_equal(t->mm.nwrites, 0);
	assert_int_equal(t->r->generation, gen);
	/* a range overlapping the known page adds only the new ones */
	assert_int_equal(pkern_bad_add(t->r, base - PG, 3 * PG), 2);
	assert_int_equal(pkern_bad_add(t->r, base + 8 * PG, PG), 1);
	assert_int_equal(pkern_bad_add(t->r, base - 16 * PG, PG), 1);
	assert_int_equal(t->r->nr_bad, 5);
	assert_reload_same(t);
	assert_int_equal(t->r->bad[0], (base - 16 * PG) / PG);
	assert_int_equal(t->r->bad[1], (base - PG) / PG);
	assert_int_equal(t->r->bad[4], (base + 8 * PG) / PG);
	assert_int_equal(pkern_bad_count(t->r, base, 9 * PG), 3);
	assert_int_equal(pkern_bad_count(t->r, base + 1, 1), 1);
	assert_int_equal(pkern_bad_count(t->r, base + 2 * PG, 6 * PG), 0);

	/* runs are merged for reporting */
	assert_true(pkern_bad_next_range(t->r, ds(t), 64 * MIB, &off, &len));
	assert_int_equal(off, base - 16 * PG);
	assert_int_equal(len, PG);
	assert_true(pkern_bad_next_range(t->r, off + len, 64 * MIB, &off,
					 &len));
	assert_int_equal(off, base - PG);
	assert_int_equal(len, 3 * PG);
	/* clipped to a window */
	assert_true(pkern_bad_next_range(t->r, base, base + PG, &off, &len));
	assert_int_equal(off, base);
	assert_int_equal(len, PG);
	assert_true(pkern_bad_next_range(t->r, base + 2 * PG, 64 * MIB, &off,
					 &len));
	assert_int_equal(off, base + 8 * PG);
	assert_false(pkern_bad_next_range(t->r, off + len, 64 * MIB, &off,
					  &len));

	/* clear a range in the middle of a run */
	assert_int_equal(pkern_bad_clear(t->r, base, PG), 1);
	assert_int_equal(t->r->nr_bad, 4);
	assert_reload_same(t);
	mm_reset(&t->mm);
	assert_int_equal(pkern_bad_clear(t->r, base, PG), 0);
	assert_int_equal(t->mm.nwrites, 0);
	assert_int_equal(pkern_bad_clear(t->r, ds(t), 64 * MIB - ds(t)), 4);
	assert_int_equal(t->r->nr_bad, 0);
	assert_reload_same(t);

	/* bad requests */
	assert_int_equal(pkern_bad_add(t->r, base + 1, PG), -PKERN_E_INVAL);
	assert_int_equal(pkern_bad_add(t->r, base, 0), -PKERN_E_INVAL);
	assert_int_equal(pkern_bad_add(t->r, 0, PG), -PKERN_E_INVAL);
	assert_int_equal(pkern_bad_add(t->r, 64 * MIB, PG), -PKERN_E_INVAL);
	assert_int_equal(pkern_bad_add(t->r, 64 * MIB - PG, ~0ULL & ~(PG - 1)),
			 -PKERN_E_INVAL);
	assert_int_equal(pkern_bad_clear(t->r, base, PG + 1), -PKERN_E_INVAL);
	timg_free(t);
}

static void test_full(void **state)
{
	struct timg *t = region();
	struct snap *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	u64 base = 8 * MIB;
	u32 i;

	(void)state;
	assert_true(a && b);
	/* every other page, so that none coalesce */
	for (i = 0; i < PKERN_MAX_BAD - 1; i++)
		assert_int_equal(pkern_bad_add(t->r, base + 2 * i * PG, PG), 1);
	/* two new pages with one free entry: refused whole */
	snap_take(a, t->r);
	mm_reset(&t->mm);
	assert_int_equal(pkern_bad_add(t->r, base - 2 * PG, 2 * PG),
			 -PKERN_E_BADFULL);
	assert_int_equal(t->mm.nwrites, 0);
	assert_int_equal(timg_load(t), 0);
	snap_take(b, t->r);
	assert_true(snap_eq(a, b));
	/* the last entry */
	assert_int_equal(pkern_bad_add(t->r, base - 2 * PG, PG), 1);
	assert_int_equal(t->r->nr_bad, PKERN_MAX_BAD);
	assert_reload_same(t);
	assert_int_equal(pkern_bad_add(t->r, base - 4 * PG, PG),
			 -PKERN_E_BADFULL);
	/* known pages are still fine when full */
	assert_int_equal(pkern_bad_add(t->r, base, PG), 0);
	assert_string_equal(pkern_strerror(-PKERN_E_BADFULL),
			    "bad-page list is full, nothing recorded");
	assert_int_equal(pkern_errno(-PKERN_E_BADFULL), -ENOBUFS);
	assert_int_equal(pkern_err_from_errno(ENOBUFS), -PKERN_E_BADFULL);
	/* a full list still leaves namespaces creatable around it */
	assert_int_equal(timg_create(t, "vm0", 2 * MIB, PKERN_ALIGN_2M, ANY),
			 0);
	assert_int_equal(pkern_bad_count(t->r, pkern_find_name(t->r,
			 "vm0")->offset, 2 * MIB), 0);
	free(a);
	free(b);
	timg_free(t);
}

/* Corrupt index @blk's list with @how, fix its CRC, reload. */
static void corrupt_list(struct timg *t, int blk, int how)
{
	struct pkern_index *x = raw_index(t, blk);
	u32 nr = le32toh(x->nr_bad);

	switch (how) {
	case 0:	/* unsorted */
		x->bad[0] = x->bad[1];
		break;
	case 1:	/* duplicate */
		x->bad[1] = x->bad[0];
		break;
	case 2:	/* beyond the region */
		x->bad[nr - 1] = htole64(64 * MIB / PG);
		break;
	case 3:	/* inside the label area */
		x->bad[0] = htole64(1);
		break;
	case 4:	/* longer than the list */
		x->nr_bad = htole32(PKERN_MAX_BAD + 1);
		break;
	case 5:	/* stray entry past the count */
		x->bad[nr] = htole64(60 * MIB / PG);
		break;
	}
	raw_index_fix_crc(x);
}

static void test_corrupt_list(void **state)
{
	struct reports rep;
	int how, live;

	(void)state;
	for (how = 0; how < 6; how++) {
		struct timg *t = region();

		assert_int_equal(pkern_bad_add(t->r, 20 * MIB, PG), 1);
		assert_int_equal(pkern_bad_add(t->r, 30 * MIB, PG), 1);
		assert_int_equal(pkern_bad_add(t->r, 40 * MIB, PG), 1);
		live = t->r->active_index;
		corrupt_list(t, live, how);
		/* the block is rejected; the older one (two pages) is live */
		assert_int_equal(timg_load_report(t, &rep), 0);
		assert_int_equal(t->r->active_index, 1 - live);
		assert_int_equal(t->r->index[live].problem,
				 PKERN_P_IDX_BADLIST);
		assert_int_equal(t->r->nr_bad, 2);
		assert_non_null(find_report(&rep, PKERN_P_IDX_BADLIST));
		assert_int_equal(find_report(&rep, PKERN_P_IDX_BADLIST)->severity,
				 PKERN_SEV_WARN);
		/* both bad: no usable index, like any damaged index */
		corrupt_list(t, 1 - live, how == 2 ? 3 : how);
		assert_int_equal(timg_load(t), -PKERN_E_CORRUPT);
		timg_free(t);
	}
}

/* A minor 0 image has zeroes where the list is: it loads as empty. */
static void test_old_image(void **state)
{
	struct timg *t = region();
	struct pkern_sb *s;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		s = raw_sb(t, i);
		s->minor = htole16(0);
		raw_sb_fix_crc(s);
	}
	assert_int_equal(timg_create(t, "old", 2 * MIB, PKERN_ALIGN_2M, ANY), 0);
	assert_int_equal(timg_load(t), 0);
	assert_int_equal(t->r->nr_bad, 0);
	assert_int_equal(t->r->sb[t->r->active_sb].minor, 0);
	assert_int_equal(raw_index(t, t->r->active_index)->nr_bad, 0);
	/* and takes a record */
	assert_int_equal(pkern_bad_add(t->r, 32 * MIB, PG), 1);
	assert_reload_same(t);
	timg_free(t);
}

static bool scrubbed(const struct timg *t, u64 page_off)
{
	int i;

	for (i = 0; i < t->mm.nlog; i++)
		if (t->mm.log[i].type == 'S' &&
		    t->mm.log[i].off < page_off + PG &&
		    page_off < t->mm.log[i].off + t->mm.log[i].len)
			return true;
	return false;
}

static void test_placement_scrub(void **state)
{
	struct pkern_create_params p = {
		.name = "over", .kind = PKERN_KIND_GUEST, .size = 4 * MIB,
		.align = PKERN_ALIGN_2M, .offset = ANY,
	};
	struct timg *t = region();
	const struct pkern_ns *ns;
	u64 bad = 4 * MIB + 5 * PG;

	(void)state;
	make_uuid(p.uuid, p.name);
	assert_int_equal(pkern_bad_add(t->r, bad, PG), 1);
	/* first fit skips the 2 MiB block with the bad page */
	assert_int_equal(timg_create(t, "a", 2 * MIB, PKERN_ALIGN_2M, ANY), 0);
	assert_int_equal(timg_create(t, "b", 2 * MIB, PKERN_ALIGN_2M, ANY), 0);
	ns = pkern_find_name(t->r, "b");
	assert_int_equal(ns->offset, 6 * MIB);
	assert_int_equal(pkern_bad_count(t->r, ns->offset, ns->size), 0);
	/* an exact offset over it is refused, with nothing written */
	mm_reset(&t->mm);
	assert_int_equal(timg_create(t, "c", 2 * MIB, PKERN_ALIGN_2M, 4 * MIB),
			 -PKERN_E_BADPAGE);
	assert_int_equal(t->mm.nwrites + t->mm.nscrubs, 0);
	assert_int_equal(pkern_errno(-PKERN_E_BADPAGE), -EHWPOISON);
	/* unless asked; the scrub goes around the page */
	p.offset = 2 * MIB;
	p.size = 4 * MIB;
	assert_int_equal(pkern_create(t->r, &p, NULL), -PKERN_E_NOSPC);
	p.offset = 4 * MIB;
	p.size = 2 * MIB;
	p.allow_bad = true;
	/* never for page-table pools */
	p.kind = PKERN_KIND_IOMMU;
	assert_int_equal(pkern_create(t->r, &p, NULL), -PKERN_E_INVAL);
	p.kind = PKERN_KIND_GUEST;
	mm_reset(&t->mm);
	assert_int_equal(pkern_create(t->r, &p, &ns), 0);
	assert_int_equal(pkern_bad_count(t->r, ns->offset, ns->size), 1);
	assert_false(scrubbed(t, bad));
	assert_true(scrubbed(t, bad - PG));
	assert_true(scrubbed(t, bad + PG));
	assert_int_equal(t->mm.nscrubs, 2);
	/* destroy scrubs around it and keeps the record */
	mm_reset(&t->mm);
	assert_int_equal(pkern_destroy(t->r, ns->slot), 0);
	assert_false(scrubbed(t, bad));
	assert_true(scrubbed(t, 4 * MIB));
	assert_int_equal(t->r->nr_bad, 1);
	assert_reload_same(t);
	/* a format keeps it too */
	assert_int_equal(timg_format(t, 64, true), 0);
	assert_int_equal(t->r->nr_bad, 1);
	assert_int_equal(t->r->bad[0], bad / PG);
	/* a format with more slots drops pages the label area now covers */
	assert_int_equal(pkern_bad_add(t->r, ds(t), PG), 1);
	assert_int_equal(timg_format(t, 512, true), 0);
	assert_int_equal(t->r->nr_bad, 1);
	timg_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_clear),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_corrupt_list),
		cmocka_unit_test(test_old_image),
		cmocka_unit_test(test_placement_scrub),
	};

	return cmocka_run_group_tests_name("badpages", tests, NULL, NULL);
}
