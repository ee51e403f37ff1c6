// SPDX-License-Identifier: GPL-2.0-only
/*
 * The two superblock copies: one damaged copy must never make a region
 * with namespaces look unformatted, format keeps both copies alike, and
 * pkern_repair() restores a damaged, blank or stale copy from the live
 * one (and writes nothing when it cannot or need not).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"

#define MIB		(1ULL << 20)
#define IMG_SIZE	(8 * MIB)
#define SB_LEN		sizeof(struct pkern_sb)

/* A region with one namespace, as a format that wrote one copy left it. */
static struct timg *one_copy_region(void)
{
	struct timg *t = timg_new(IMG_SIZE);

	assert_int_equal(timg_format(t, 64, false), 0);
	assert_int_equal(timg_create(t, "vm0", 2 * MIB, PKERN_ALIGN_2M,
				     PKERN_OFFSET_ANY), 0);
	memset(raw_sb(t, 1), 0, SB_LEN);
	assert_int_equal(timg_load(t), 0);
	return t;
}

/* The reported defect: copy 0 flipped, copy 1 blank. */
static void test_flip_beside_blank(void **state)
{
	struct timg *t = one_copy_region();
	u8 *before = malloc(IMG_SIZE);
	const struct pkern_problem *p;
	struct reports rep;

	(void)state;
	assert_non_null(before);
	raw_sb(t, 0)->seq ^= htole64(1);
	memcpy(before, t->buf, IMG_SIZE);
	assert_int_equal(timg_load_report(t, &rep), -PKERN_E_CORRUPT);
	assert_int_equal(pkern_uapi_state(t->r->status), PKERN_STATE_CORRUPT);
	p = find_report(&rep, PKERN_P_SB_DAMAGED);
	assert_non_null(p);
	assert_int_equal(p->where, PKERN_AT_REGION);
	assert_int_equal(p->severity, PKERN_SEV_ERROR);
	assert_null(find_report(&rep, PKERN_P_SB_NONE));
	/* format without force refuses and writes nothing */
	assert_int_equal(timg_format(t, 64, false), -PKERN_E_HAS_LABELS);
	assert_int_equal(t->mm.nwrites, 0);
	assert_memory_equal(t->buf, before, IMG_SIZE);
	/* nothing valid to restore from: repair writes nothing either */
	mm_reset(&t->mm);
	assert_int_equal(pkern_repair(t->r, &t->m), -PKERN_E_CORRUPT);
	assert_int_equal(t->mm.nwrites, 0);
	assert_memory_equal(t->buf, before, IMG_SIZE);
	/* bad geometry with a good checksum is damage too */
	raw_sb(t, 0)->seq ^= htole64(1);
	raw_sb(t, 0)->granule = htole64(8192);
	raw_sb_fix_crc(raw_sb(t, 0));
	assert_int_equal(timg_load(t), -PKERN_E_CORRUPT);
	assert_int_equal(timg_format(t, 64, false), -PKERN_E_HAS_LABELS);
	/* force still formats */
	assert_int_equal(timg_format(t, 64, true), 0);
	assert_int_equal(t->r->nr_used, 0);
	free(before);
	timg_free(t);
}

/* A flip in one copy, beside a good twin: load from the twin, report. */
static void test_flip_beside_twin(void **state)
{
	struct timg *t = timg_new(IMG_SIZE);
	const struct pkern_problem *p;
	struct reports rep;
	int i;

	(void)state;
	assert_int_equal(timg_format(t, 64, false), 0);
	assert_int_equal(timg_create(t, "vm0", 2 * MIB, PKERN_ALIGN_2M,
				     PKERN_OFFSET_ANY), 0);
	for (i = 0; i < 2; i++) {
		raw_sb(t, i)->seq ^= htole64(1);
		assert_int_equal(timg_load_report(t, &rep), 0);
		assert_int_equal(t->r->active_sb, 1 - i);
		assert_non_null(pkern_find_name(t->r, "vm0"));
		p = find_report(&rep, PKERN_P_SB_CRC);
		assert_non_null(p);
		assert_int_equal(p->where, PKERN_AT_SB0 + i);
		assert_int_equal(p->severity, PKERN_SEV_WARN);
		assert_int_equal(timg_format(t, 64, false),
				 -PKERN_E_HAS_LABELS);
		raw_sb(t, i)->seq ^= htole64(1);
	}
	timg_free(t);
}

/* Every format leaves two identical valid copies. */
static void test_format_writes_both(void **state)
{
	struct timg *t = timg_new(IMG_SIZE);
	int n;

	(void)state;
	for (n = 1; n <= 3; n++) {
		assert_int_equal(timg_format(t, 64, true), 0);
		assert_int_equal(t->r->sb[0].problem, PKERN_P_NONE);
		assert_int_equal(t->r->sb[1].problem, PKERN_P_NONE);
		assert_int_equal(t->r->sb[0].seq, n);
		assert_int_equal(t->r->sb[1].seq, n);
		assert_memory_equal(raw_sb(t, 0), raw_sb(t, 1), SB_LEN);
	}
	/* so one damaged copy after a format still loads */
	memset(raw_sb(t, 0), 0xa5, SB_LEN);
	assert_int_equal(timg_load(t), 0);
	timg_free(t);
}

/* Repair rewrites the copy that is not live; once alike, it is a no-op. */
static void repair_and_verify(struct timg *t, int bad)
{
	struct reports rep;

	assert_int_equal(timg_load_report(t, &rep), 0);
	assert_true(rep.n >= 1);
	assert_int_equal(rep.p[0].where, PKERN_AT_SB0 + bad);
	assert_int_equal(rep.p[0].severity, PKERN_SEV_WARN);
	mm_reset(&t->mm);
	assert_int_equal(pkern_repair(t->r, &t->m), 1);
	assert_int_equal(t->r->status, 0);
	assert_memory_equal(raw_sb(t, 0), raw_sb(t, 1), SB_LEN);
	assert_int_equal(timg_load_report(t, &rep), 0);
	assert_int_equal(rep.n, 0);
	assert_non_null(pkern_find_name(t->r, "vm0"));
	mm_reset(&t->mm);
	assert_int_equal(pkern_repair(t->r, &t->m), 0);
	assert_int_equal(t->mm.nwrites, 0);
}

static void test_repair(void **state)
{
	struct timg *t = one_copy_region();
	struct pkern_sb old1;
	struct reports rep;

	(void)state;
	/* blank copy 1, as a format that wrote one copy left it */
	assert_int_equal(timg_load_report(t, &rep), 0);
	assert_non_null(find_report(&rep, PKERN_P_SB_BLANK));
	repair_and_verify(t, 1);
	/* damaged copy 0 */
	raw_sb(t, 0)->seq ^= htole64(1);
	repair_and_verify(t, 0);
	/* stale copy 0: a valid copy of an older format */
	old1 = *raw_sb(t, 1);
	assert_int_equal(timg_format(t, 64, true), 0);
	assert_int_equal(timg_create(t, "vm0", 2 * MIB, PKERN_ALIGN_2M,
				     PKERN_OFFSET_ANY), 0);
	*raw_sb(t, 0) = old1;
	assert_int_equal(timg_load_report(t, &rep), 0);
	assert_non_null(find_report(&rep, PKERN_P_SB_STALE));
	repair_and_verify(t, 0);
	timg_free(t);
}

/* Nothing to restore from: an error, and the media as it was. */
static void test_repair_refuses(void **state)
{
	struct timg *t = timg_new(IMG_SIZE);

	(void)state;
	mm_reset(&t->mm);
	assert_int_equal(pkern_repair(t->r, &t->m), -PKERN_E_UNFORMATTED);
	assert_int_equal(t->mm.nwrites, 0);
	assert_int_equal(timg_format(t, 64, false), 0);
	raw_sb(t, 0)->major = htole16(9);
	raw_sb_fix_crc(raw_sb(t, 0));
	memset(raw_sb(t, 1), 0, SB_LEN);
	mm_reset(&t->mm);
	assert_int_equal(pkern_repair(t->r, &t->m), -PKERN_E_VERSION);
	assert_int_equal(t->mm.nwrites, 0);
	timg_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flip_beside_blank),
		cmocka_unit_test(test_flip_beside_twin),
		cmocka_unit_test(test_format_writes_both),
		cmocka_unit_test(test_repair),
		cmocka_unit_test(test_repair_refuses),
	};

	return cmocka_run_group_tests_name("sbcopy", tests, NULL, NULL);
}
