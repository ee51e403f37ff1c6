// SPDX-License-Identifier: GPL-2.0-only
/*
 * The region state lib leaves after a failed update.  Each update runs
 * with one media callback failing, at every step in turn: a write that is
 * lost, a write that lands but reports failure, a failing persist (the
 * write landed), a failing scrub.  The fault is transient (reads and later
 * callbacks work, as with the driver's fault injection), so the media may
 * hold the old or the new state; either way the in-memory region must be
 * exactly what a fresh load of the media gives.  Refusals must leave it
 * untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include "helpers.h"

#define MIB	(1ULL << 20)
#define ANY	PKERN_OFFSET_ANY
#define STATE_LEN	offsetof(struct pkern_labels, buf)

/* memmedia behind a callback that fails once, at step @fail_at */
struct failmedia {
	struct memmedia *mm;
	long steps;
	long fail_at;
	bool land;	/* a failing write still lands */
	long failed;
};

static bool fail_now(struct failmedia *fm)
{
	if (++fm->steps != fm->fail_at)
		return false;
	fm->failed++;
	return true;
}

static int fm_read(void *ctx, u64 off, void *buf, u64 len)
{
	struct failmedia *fm = ctx;

	return mm_ops.read(fm->mm, off, buf, len);
}

static int fm_write(void *ctx, u64 off, const void *buf, u64 len)
{
	struct failmedia *fm = ctx;

	if (fail_now(fm)) {
		if (fm->land)
			mm_ops.write(fm->mm, off, buf, len);
		return -1;
	}
	return mm_ops.write(fm->mm, off, buf, len);
}

static int fm_persist(void *ctx, u64 off, u64 len)
{
	struct failmedia *fm = ctx;

	return fail_now(fm) ? -1 : mm_ops.persist(fm->mm, off, len);
}

static int fm_scrub(void *ctx, u64 off, u64 len)
{
	struct failmedia *fm = ctx;

	return fail_now(fm) ? -1 : mm_ops.scrub(fm->mm, off, len);
}

static const struct pkern_media_ops fm_ops = {
	.read = fm_read,
	.write = fm_write,
	.persist = fm_persist,
	.scrub = fm_scrub,
};

enum op_type { OP_FORMAT, OP_CREATE_GUEST, OP_CREATE_IOMMU, OP_DESTROY };

static int run_op(struct pkern_labels *r, const struct pkern_media *m,
		  enum op_type op, const char *name)
{
	struct pkern_format_params fp = { .nslots = 64, .force = true };
	struct pkern_create_params cp = {
		.name = name, .kind = PKERN_KIND_GUEST, .size = 4 * MIB,
		.align = PKERN_ALIGN_4K, .offset = ANY,
	};
	const struct pkern_ns *ns;

	make_uuid(fp.uuid, name);
	make_uuid(cp.uuid, name);
	switch (op) {
	case OP_FORMAT:
		return pkern_format(r, m, &fp);
	case OP_CREATE_IOMMU:
		cp.kind = PKERN_KIND_IOMMU;
		cp.size = 8 * 4096;
		/* fall through */
	case OP_CREATE_GUEST:
		cp.place_align = pkern_place_align(cp.kind, cp.align);
		return pkern_create(r, &cp, NULL);
	case OP_DESTROY:
		ns = pkern_find_name(r, name);
		return ns ? pkern_destroy(r, ns->slot) : -PKERN_E_NOENT;
	}
	return -1;
}

/*
 * Run @op from image @start with a failure at every step in turn; after
 * each failure the region must equal a fresh load.  Returns the number of
 * failures seen.
 */
static long fail_every_step(struct timg *t, const u8 *start, enum op_type op,
			    const char *name)
{
	struct pkern_labels *fresh = calloc(1, sizeof(*fresh));
	struct failmedia fm = { .mm = &t->mm };
	struct pkern_media m = { .ops = &fm_ops, .ctx = &fm, .size = t->m.size };
	long k, seen = 0;
	int land, ret;

	assert_non_null(fresh);
	for (land = 0; land < 2; land++) {
		for (k = 1; ; k++) {
			memcpy(t->buf, start, t->mm.img_len);
			mm_reset(&t->mm);
			fm.steps = 0;
			fm.fail_at = 0;
			fm.failed = 0;
			fm.land = land;
			pkern_load(t->r, &m);
			fm.fail_at = k;
			ret = run_op(t->r, &m, op, name);
			if (!fm.failed) {
				/* past the last step: the op ran through */
				assert_int_equal(ret, 0);
				break;
			}
			assert_int_equal(ret, -PKERN_E_IO);
			seen++;
			fm.fail_at = 0;
			pkern_load(fresh, &m);
			if (memcmp(t->r, fresh, STATE_LEN))
				fail_msg("op %d %s: failure at step %ld (%s) left a state the media does not hold",
					 op, name, k, land ? "landed" : "lost");
		}
	}
	free(fresh);
	return seen;
}

static void test_failed_updates(void **state)
{
	struct timg *t = timg_new(64 * MIB);
	u8 *start = malloc(t->mm.img_len);
	static const struct {
		enum op_type op;
		const char *name;
	} steps[] = {
		{ OP_FORMAT, "fmt1" },		/* blank media */
		{ OP_CREATE_GUEST, "vm1" },
		{ OP_CREATE_IOMMU, "pool" },
		{ OP_CREATE_GUEST, "vm2" },
		{ OP_DESTROY, "vm1" },
		{ OP_FORMAT, "fmt2" },		/* drops pool and vm2 */
	};
	size_t i;

	(void)state;
	assert_non_null(start);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		memcpy(start, t->buf, t->mm.img_len);
		/* writes, persists and for create/destroy a scrub each fail */
		assert_true(fail_every_step(t, start, steps[i].op,
					    steps[i].name) >= 4);
		/* leave the op done for the next one */
		memcpy(t->buf, start, t->mm.img_len);
		timg_load(t);
		assert_int_equal(run_op(t->r, &t->m, steps[i].op,
					steps[i].name), 0);
	}
	free(start);
	timg_free(t);
}

/* A refusal writes nothing and leaves the region as it was. */
static void test_refusals_change_nothing(void **state)
{
	struct timg *t = timg_new(8 * MIB);
	struct pkern_labels *before = malloc(sizeof(*before));
	struct pkern_format_params fp = { .nslots = 64 };

	(void)state;
	assert_non_null(before);
	assert_int_equal(timg_format(t, 64, false), 0);
	assert_int_equal(timg_create(t, "vm1", 2 * MIB, PKERN_ALIGN_2M, ANY), 0);
	memcpy(before, t->r, STATE_LEN);
	mm_reset(&t->mm);
	assert_int_equal(timg_create(t, "vm1", 2 * MIB, PKERN_ALIGN_2M, ANY),
			 -PKERN_E_EXIST);
	assert_int_equal(timg_create(t, "big", 64 * MIB, PKERN_ALIGN_2M, ANY),
			 -PKERN_E_NOSPC);
	assert_int_equal(timg_create(t, "odd", 3 * 4096, PKERN_ALIGN_2M, ANY),
			 -PKERN_E_INVAL);
	assert_int_equal(pkern_destroy(t->r, 7), -PKERN_E_NOENT);
	make_uuid(fp.uuid, "again");
	assert_int_equal(pkern_format(t->r, &t->m, &fp), -PKERN_E_HAS_LABELS);
	assert_int_equal(t->mm.nwrites, 0);
	assert_int_equal(t->mm.nscrubs, 0);
	assert_memory_equal(t->r, before, STATE_LEN);
	free(before);
	timg_free(t);
}

/* Every error has its own errno, and the errno names the error back. */
static void test_errno_table(void **state)
{
	int err, i;

	(void)state;
	assert_int_equal(pkern_errno(0), 0);
	assert_int_equal(pkern_err_from_errno(0), 0);
	for (err = 1; err < PKERN_E_MAX; err++) {
		assert_true(pkern_errno(-err) < 0);
		assert_int_equal(pkern_err_from_errno(pkern_errno(-err)), -err);
		assert_int_equal(pkern_err_from_errno(-pkern_errno(-err)), -err);
		for (i = 1; i < err; i++)
			assert_int_not_equal(pkern_errno(-i), pkern_errno(-err));
	}
	assert_int_equal(pkern_errno(-PKERN_E_EXIST), -EEXIST);
	assert_int_equal(pkern_errno(-PKERN_E_NOSPC), -ENOSPC);
	assert_int_equal(pkern_errno(-PKERN_E_STATE), -ENXIO);
	assert_int_equal(pkern_errno(-PKERN_E_MAX), -EIO);
	assert_int_equal(pkern_errno(5), -EIO);
	assert_int_equal(pkern_err_from_errno(EBUSY), 0);
	assert_int_equal(pkern_err_from_errno(EINTR), 0);
}

/* Guest memory is placed on 2 MiB; other kinds on their alignment. */
static void test_place_align_rule(void **state)
{
	(void)state;
	assert_int_equal(pkern_place_align(PKERN_KIND_GUEST, PKERN_ALIGN_4K),
			 PKERN_ALIGN_2M);
	assert_int_equal(pkern_place_align(PKERN_KIND_GUEST, PKERN_ALIGN_2M),
			 PKERN_ALIGN_2M);
	assert_int_equal(pkern_place_align(PKERN_KIND_GUEST, PKERN_ALIGN_1G),
			 PKERN_ALIGN_1G);
	assert_int_equal(pkern_place_align(PKERN_KIND_IOMMU, PKERN_ALIGN_4K),
			 PKERN_ALIGN_4K);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_updates),
		cmocka_unit_test(test_refusals_change_nothing),
		cmocka_unit_test(test_errno_table),
		cmocka_unit_test(test_place_align_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
