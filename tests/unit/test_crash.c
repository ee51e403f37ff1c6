// SPDX-License-Identifier: GPL-2.0-only
/*
 * Crash consistency.  Each operation runs once on a counting backend to
 * learn its writes, persists and scrubs; then it is replayed from the same
 * starting image with a crash at every point: each write torn after 0, 8,
 * 16, ... bytes (0 also models a write lost for want of a persist), each
 * persist failing, each scrub failing.  After every crash the reloaded
 * state must equal the state before or the state after, exactly.
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

struct op {
	enum { OP_FORMAT, OP_CREATE, OP_DESTROY, OP_REPAIR, OP_BAD_ADD,
	       OP_BAD_CLEAR } type;
	u32 nslots;
	const char *name;
	u64 size;
	u64 align;
};

static long points, old_seen, new_seen;
static u64 torn_step = 8;

static int run_op(struct timg *t, const struct op *op)
{
	struct pkern_format_params fp = { .nslots = op->nslots, .force = true };
	const struct pkern_ns *ns;
	int ret;

	switch (op->type) {
	case OP_FORMAT:
		make_uuid(fp.uuid, op->name);
		return pkern_format(t->r, &t->m, &fp);
	case OP_CREATE:
		return timg_create(t, op->name, op->size, op->align, ANY);
	case OP_DESTROY:
		ns = pkern_find_name(t->r, op->name);
		return ns ? pkern_destroy(t->r, ns->slot) : -PKERN_E_NOENT;
	case OP_REPAIR:
		return pkern_repair(t->r, &t->m);
	case OP_BAD_ADD:
		ret = pkern_bad_add(t->r, op->size, op->align);
		return ret > 0 ? 0 : ret ? ret : -1;
	case OP_BAD_CLEAR:
		ret = pkern_bad_clear(t->r, op->size, op->align);
		return ret > 0 ? 0 : ret ? ret : -1;
	}
	return -1;
}

/* Reload from media and classify against the before and after states. */
static int classify(struct timg *t, const struct snap *before,
		    const struct snap *after, struct snap *now)
{
	mm_reset(&t->mm);
	pkern_load(t->r, &t->m);
	snap_take(now, t->r);
	if (snap_eq(now, before))
		return 0;
	if (snap_eq(now, after))
		return 1;
	return -1;
}

/* Replay @op from @start with one fault armed by @arm(k, n). */
static void replay(struct timg *t, const u8 *start, const struct op *op,
		   const struct snap *before, const struct snap *after,
		   struct snap *now, char what, long k, u64 n)
{
	int ret, got;

	memcpy(t->buf, start, t->mm.img_len);
	mm_reset(&t->mm);
	pkern_load(t->r, &t->m);
	mm_reset(&t->mm);
	if (what == 'W') {
		t->mm.fail_write = k;
		t->mm.torn_len = n;
	} else if (what == 'P') {
		t->mm.fail_persist = k;
	} else {
		t->mm.fail_scrub = k;
	}
	ret = run_op(t, op);
	assert_int_equal(ret, -PKERN_E_IO);
	got = classify(t, before, after, now);
	if (got < 0)
		fail_msg("op %d %s: crash at %c%ld+%llu is neither old nor new",
			 op->type, op->name, what, k, (unsigned long long)n);
	points++;
	if (got)
		new_seen++;
	else
		old_seen++;
}

/* Leaves @t in the after state. */
static void crash_all(struct timg *t, const struct op *op)
{
	struct snap *before = malloc(sizeof(*before));
	struct snap *after = malloc(sizeof(*after));
	struct snap *now = malloc(sizeof(*now));
	u8 *start = malloc(t->mm.img_len), *end = malloc(t->mm.img_len);
	u64 lens[16];
	long nw = 0, np, ns, k;
	u64 n;
	int i;

	assert_true(before && after && now && start && end);
	mm_reset(&t->mm);
	pkern_load(t->r, &t->m);
	snap_take(before, t->r);
	memcpy(start, t->buf, t->mm.img_len);

	mm_reset(&t->mm);
	/* a repair returns how many copies it rewrote */
	assert_int_equal(run_op(t, op), op->type == OP_REPAIR);
	for (i = 0; i < t->mm.nlog; i++)
		if (t->mm.log[i].type == 'W')
			lens[nw++] = t->mm.log[i].len;
	np = t->mm.npersists;
	ns = t->mm.nscrubs;
	assert_int_equal(nw, t->mm.nwrites);
	assert_true(nw >= 1);
	mm_reset(&t->mm);
	pkern_load(t->r, &t->m);
	snap_take(after, t->r);
	/* a repair changes no loaded state: old and new are the same */
	if (op->type == OP_REPAIR)
		assert_true(snap_eq(before, after));
	else
		assert_false(snap_eq(before, after));
	memcpy(end, t->buf, t->mm.img_len);

	for (k = 1; k <= nw; k++) {
		for (n = 0; n < lens[k - 1]; n += torn_step)
			replay(t, start, op, before, after, now, 'W', k, n);
		replay(t, start, op, before, after, now, 'W', k, lens[k - 1]);
	}
	for (k = 1; k <= np; k++)
		replay(t, start, op, before, after, now, 'P', k, 0);
	for (k = 1; k <= ns; k++)
		replay(t, start, op, before, after, now, 'S', k, 0);

	memcpy(t->buf, end, t->mm.img_len);
	mm_reset(&t->mm);
	assert_int_equal(pkern_load(t->r, &t->m), after->status);
	free(before);
	free(after);
	free(now);
	free(start);
	free(end);
}

/* Label area only in memory; the data area is virtual (reads as zero). */
static struct timg *region(u32 nslots)
{
	struct timg *t = timg_new(pkern_label_area_size(nslots));

	t->mm.size = t->m.size = 64 * MIB;
	return t;
}

static void test_crash_format(void **state)
{
	struct op f = { OP_FORMAT, 64, "fmt1", 0, 0 };
	struct op c = { OP_CREATE, 0, NULL, 2 * MIB, PKERN_ALIGN_2M };
	struct timg *t = region(512);
	char names[8][8];
	int i;

	(void)state;
	/* blank media */
	crash_all(t, &f);
	assert_int_equal(t->r->status, 0);
	for (i = 0; i < 8; i++) {
		snprintf(names[i], sizeof(names[i]), "vm%d", i);
		c.name = names[i];
		assert_int_equal(run_op(t, &c), 0);
	}
	/* reformat a populated region, with another slot count */
	f.name = "fmt2";
	f.nslots = 512;
	crash_all(t, &f);
	assert_int_equal(t->r->nr_used, 0);
	assert_int_equal(t->r->sb[t->r->active_sb].seq, 2);
	/* and again, now that both copies and both blocks are in use */
	f.name = "fmt3";
	f.nslots = 256;
	crash_all(t, &f);
	timg_free(t);
}

/*
 * Repair of a blank copy (as a one-copy format left it) and of a damaged
 * one: a crash at any write leaves the live copy and the region's state.
 */
static void test_crash_repair(void **state)
{
	struct op f = { OP_FORMAT, 64, "rep", 0, 0 };
	struct op c = { OP_CREATE, 0, "vm0", 2 * MIB, PKERN_ALIGN_2M };
	struct op rp = { OP_REPAIR, 0, "repair", 0, 0 };
	struct timg *t = region(64);

	(void)state;
	assert_int_equal(run_op(t, &f), 0);
	assert_int_equal(run_op(t, &c), 0);
	memset(raw_sb(t, 1), 0, sizeof(struct pkern_sb));
	crash_all(t, &rp);
	assert_memory_equal(raw_sb(t, 0), raw_sb(t, 1),
			    sizeof(struct pkern_sb));
	raw_sb(t, 0)->seq ^= htole64(1);
	crash_all(t, &rp);
	assert_memory_equal(raw_sb(t, 0), raw_sb(t, 1),
			    sizeof(struct pkern_sb));
	assert_non_null(pkern_find_name(t->r, "vm0"));
	timg_free(t);
}

static void test_crash_create_destroy(void **state)
{
	struct op f = { OP_FORMAT, 512, "r", 0, 0 };
	struct op c = { OP_CREATE, 0, NULL, 0, 0 };
	struct op d = { OP_DESTROY, 0, NULL, 0, 0 };
	static const u64 aligns[3] = { PKERN_ALIGN_4K, PKERN_ALIGN_2M,
				       PKERN_ALIGN_4K };
	struct timg *t = region(512);
	char names[6][8];
	int i;

	(void)state;
	assert_int_equal(run_op(t, &f), 0);
	for (i = 0; i < 6; i++) {
		snprintf(names[i], sizeof(names[i]), "ns%d", i);
		c.name = names[i];
		c.align = aligns[i % 3];
		c.size = c.align * (i + 1);
		crash_all(t, &c);
		assert_non_null(pkern_find_name(t->r, names[i]));
	}
	d.name = names[2];
	crash_all(t, &d);
	d.name = names[0];
	crash_all(t, &d);
	/* the freed hole is reused */
	c.name = "again";
	c.size = 0x1000;
	c.align = PKERN_ALIGN_4K;
	crash_all(t, &c);
	d.name = "again";
	crash_all(t, &d);
	timg_free(t);
}

/*
 * Recording and forgetting bad pages (the op's size is the offset, its
 * align the length): the list is the old or the new one, and a create
 * or destroy after it carries it through every crash as well.
 */
static void test_crash_badpages(void **state)
{
	struct op f = { OP_FORMAT, 64, "bad", 0, 0 };
	struct op a = { OP_BAD_ADD, 0, "add", 0, 0 };
	struct op c = { OP_BAD_CLEAR, 0, "clear", 0, 0 };
	struct op cr = { OP_CREATE, 0, "vm", 2 * MIB, PKERN_ALIGN_2M };
	struct op d = { OP_DESTROY, 0, "vm", 0, 0 };
	struct timg *t = region(64);

	(void)state;
	assert_int_equal(run_op(t, &f), 0);
	a.size = 2 * MIB + 0x3000;
	a.align = 0x1000;
	crash_all(t, &a);
	a.size = 2 * MIB;
	a.align = 0x5000;	/* four new pages around the known one */
	crash_all(t, &a);
	assert_int_equal(t->r->nr_bad, 5);
	crash_all(t, &cr);	/* placed after the bad pages */
	assert_int_equal(pkern_find_name(t->r, "vm")->offset, 4 * MIB);
	crash_all(t, &d);
	c.size = 2 * MIB + 0x1000;
	c.align = 0x2000;
	crash_all(t, &c);
	assert_int_equal(t->r->nr_bad, 3);
	f.name = "bad2";
	crash_all(t, &f);	/* a format keeps the list */
	assert_int_equal(t->r->nr_bad, 3);
	timg_free(t);
}

/*
 * Many operations in a row, each with a random crash (or none), checked
 * against a model list kept independently of the library.
 */
struct model_ns {
	char name[16];
	u64 size;
	bool live;
};

static u32 rnd_state = 12345;

static u32 rnd(u32 n)
{
	rnd_state = rnd_state * 1664525U + 1013904223U;
	return (rnd_state >> 8) % n;
}

static void check_model(struct timg *t, const struct model_ns *m, int nm)
{
	const struct pkern_ns *ns, *o;
	int i, live = 0, usable = 0;

	for (i = 0; i < nm; i++) {
		if (!m[i].live)
			continue;
		live++;
		ns = pkern_find_name(t->r, m[i].name);
		assert_non_null(ns);
		assert_int_equal(ns->size, m[i].size);
	}
	pkern_for_each_ns(t->r, ns) {
		assert_true(pkern_ns_usable(ns));
		usable++;
		pkern_for_each_ns(t->r, o)
			if (o != ns)
				assert_false(ns->offset < o->offset + o->size &&
					     o->offset < ns->offset + ns->size);
	}
	assert_int_equal(usable, live);
}

static void test_crash_chain(void **state)
{
	struct timg *t = region(64);
	struct snap *before = malloc(sizeof(*before));
	struct snap *after = malloc(sizeof(*after));
	struct snap *now = malloc(sizeof(*now));
	u8 *start = malloc(t->mm.img_len);
	struct model_ns model[400];
	int nm = 0, iter, i, ret, got, iters = getenv("PKERN_TEST_QUICK") ?
					    150 : 1500;
	long writes, persists;
	struct op op;

	(void)state;
	assert_true(before && after && now && start);
	memset(model, 0, sizeof(model));
	op = (struct op){ OP_FORMAT, 64, "chain", 0, 0 };
	assert_int_equal(run_op(t, &op), 0);
	for (iter = 0; iter < iters; iter++) {
		int live = -1, pick = rnd(100);

		for (i = 0; i < nm; i++)
			if (model[i].live && (live < 0 || rnd(3) == 0))
				live = i;
		if (pick < 60 || live < 0) {
			if (nm == 400)
				break;
			snprintf(model[nm].name, sizeof(model[nm].name),
				 "c%d", nm);
			op = (struct op){ OP_CREATE, 0, model[nm].name,
					  0, rnd(2) ? PKERN_ALIGN_4K :
						      PKERN_ALIGN_2M };
			op.size = op.align * (1 + rnd(4));
			model[nm].size = op.size;
		} else if (pick < 97) {
			op = (struct op){ OP_DESTROY, 0, model[live].name, 0, 0 };
		} else {
			op = (struct op){ OP_FORMAT, 64, "chain2", 0, 0 };
		}

		mm_reset(&t->mm);
		pkern_load(t->r, &t->m);
		snap_take(before, t->r);
		memcpy(start, t->buf, t->mm.img_len);
		mm_reset(&t->mm);
		ret = run_op(t, &op);
		writes = t->mm.nwrites;
		persists = t->mm.npersists;
		mm_reset(&t->mm);
		pkern_load(t->r, &t->m);
		snap_take(after, t->r);
		if (ret) {
			/* refused (NOSPC, NOSLOT): nothing changed */
			assert_true(ret == -PKERN_E_NOSPC ||
				    ret == -PKERN_E_NOSLOT);
			assert_true(snap_eq(before, after));
			continue;
		}
		memcpy(t->buf, start, t->mm.img_len);
		mm_reset(&t->mm);
		pkern_load(t->r, &t->m);
		mm_reset(&t->mm);
		if (rnd(4)) {
			if (rnd(2)) {
				t->mm.fail_write = 1 + rnd(writes);
				t->mm.torn_len = rnd(2) ? rnd(4097) :
						 8 * rnd(513);
			} else {
				t->mm.fail_persist = 1 + rnd(persists);
			}
		}
		run_op(t, &op);
		got = classify(t, before, after, now);
		assert_true(got >= 0);
		points++;
		got ? new_seen++ : old_seen++;
		if (!got)
			continue;
		if (op.type == OP_CREATE) {
			model[nm++].live = true;
		} else if (op.type == OP_DESTROY) {
			model[live].live = false;
		} else {
			for (i = 0; i < nm; i++)
				model[i].live = false;
		}
		check_model(t, model, nm);
	}
	check_model(t, model, nm);
	free(before);
	free(after);
	free(now);
	free(start);
	timg_free(t);
}

static int report(void **state)
{
	(void)state;
	printf("crash-injection: %ld points, all old-or-new (%ld old, %ld new)\n",
	       points, old_seen, new_seen);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash_format),
		cmocka_unit_test(test_crash_create_destroy),
		cmocka_unit_test(test_crash_repair),
		cmocka_unit_test(test_crash_badpages),
		cmocka_unit_test(test_crash_chain),
	};

	if (getenv("PKERN_TEST_QUICK"))
		torn_step = 256;
	return cmocka_run_group_tests_name("crash", tests, NULL, report);
}
