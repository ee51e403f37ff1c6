// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the iommu pool format (lib/pool.c) on a memory image:
 * geometry, allocation state surviving a reopen, zeroed pages, refusal
 * of corrupt pools, re-initialisation only when no page is in use.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "pkern_pool.h"

#define POOL_SIZE	(16ULL << 20)

static unsigned int nr_persist;

static void count_persist(void *ctx, const void *addr, u64 len)
{
	(void)ctx;
	(void)addr;
	(void)len;
	nr_persist++;
}

static const u8 ns_uuid[PKERN_UUID_LEN] = { 1, 2, 3, 4 };

struct fixture {
	u8 *img;
	struct pkern_pool_media m;
	struct pkern_pool_state s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->img = calloc(1, POOL_SIZE);
	if (!f->img) {
		free(f);
		return -1;
	}
	f->m.base = f->img;
	f->m.size = POOL_SIZE;
	f->m.persist = count_persist;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->img);
	free(f);
	return 0;
}

static void test_geometry(void **state)
{
	static const u64 pages[] = { 3, 4096, 32770, 32771, 32772, 262144 };
	u64 n, b, d, bp;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		assert_int_equal(pkern_pool_geometry(pages[i] * 4096, &n, &b, &d), 0);
		bp = (d - b) / 4096;
		assert_int_equal(b, 4096);
		assert_int_equal(1 + bp + n, pages[i]);
		assert_true(n <= bp * 32768);
		/* one bitmap page fewer would not describe the data pages */
		assert_true(bp == 1 || n + 1 > (bp - 1) * 32768);
	}
	assert_int_equal(pkern_pool_geometry(8192, &n, &b, &d), -PKERN_E_TOO_SMALL);
	assert_int_equal(pkern_pool_geometry(8193, &n, &b, &d), -PKERN_E_INVAL);
}

static void test_alloc_free_reopen(void **state)
{
	struct fixture *f = *state;
	static u64 offs[4000];
	bool fresh;
	int i;

	assert_int_equal(pkern_pool_open(&f->s, &f->m, ns_uuid, &fresh), 0);
	assert_true(fresh);
	assert_int_equal(f->s.in_use, 0);
	for (i = 0; i < 4000; i++) {
		assert_int_equal(pkern_pool_alloc(&f->s, &offs[i]), 0);
		assert_true(offs[i] >= f->s.data_off && offs[i] < POOL_SIZE);
		f->img[offs[i]] = 0xff;
	}
	for (i = 0; i < 4000; i += 2)
		assert_int_equal(pkern_pool_free(&f->s, offs[i]), 0);
	assert_int_equal(pkern_pool_free(&f->s, offs[0]), -PKERN_E_INVAL);
	assert_int_equal(pkern_pool_free(&f->s, offs[1] + 1), -PKERN_E_INVAL);
	assert_int_equal(pkern_pool_free(&f->s, 0), -PKERN_E_INVAL);
	assert_int_equal(f->s.in_use, 2000);

	/* what a new kernel sees after kexec */
	assert_int_equal(pkern_pool_open(&f->s, &f->m, ns_uuid, &fresh), 0);
	assert_false(fresh);
	assert_int_equal(f->s.in_use, 2000);
	assert_true(pkern_pool_page_in_use(&f->s, offs[1]));
	assert_false(pkern_pool_page_in_use(&f->s, offs[0]));
}

static void test_full_and_zeroed(void **state)
{
	struct fixture *f = *state;
	u64 off, cnt = 0, k;

	memset(f->img, 0xaa, POOL_SIZE);
	memset(f->img + 4096, 0, 4096);	/* empty bitmap, junk header */
	assert_int_equal(pkern_pool_open(&f->s, &f->m, ns_uuid, NULL), 0);
	while (!pkern_pool_alloc(&f->s, &off)) {
		for (k = 0; k < 4096; k++)
			assert_int_equal(f->img[off + k], 0);
		cnt++;
	}
	assert_int_equal(cnt, f->s.nr_pages);
	assert_int_equal(pkern_pool_alloc(&f->s, &off), -PKERN_E_NOSPC);
}

static void test_corrupt(void **state)
{
	struct fixture *f = *state;
	static const u8 other[PKERN_UUID_LEN] = { 9 };
	u64 off;
	bool fresh;

	assert_int_equal(pkern_pool_open(&f->s, &f->m, ns_uuid, NULL), 0);
	assert_int_equal(pkern_pool_alloc(&f->s, &off), 0);
	/* another namespace's pool, pages in use: refused, not reset */
	assert_int_equal(pkern_pool_open(&f->s, &f->m, other, NULL), -PKERN_E_CORRUPT);
	/* torn header while a page is in use: refused */
	f->img[10] ^= 1;
	assert_int_equal(pkern_pool_open(&f->s, &f->m, ns_uuid, NULL), -PKERN_E_CORRUPT);
	f->img[10] ^= 1;
	/* a bit past the last page */
	assert_int_equal(pkern_pool_open(&f->s, &f->m, ns_uuid, NULL), 0);
	f->img[f->s.data_off - 1] = 0x80;
	assert_int_equal(pkern_pool_open(&f->s, &f->m, ns_uuid, NULL), -PKERN_E_CORRUPT);
	f->img[f->s.data_off - 1] = 0;
	/* torn header with nothing in use: safely laid out again */
	assert_int_equal(pkern_pool_open(&f->s, &f->m, ns_uuid, NULL), 0);
	assert_int_equal(pkern_pool_free(&f->s, off), 0);
	f->img[10] ^= 1;
	assert_int_equal(pkern_pool_open(&f->s, &f->m, ns_uuid, &fresh), 0);
	assert_true(fresh);
	assert_int_equal(f->s.in_use, 0);
}

static void test_persist_order(void **state)
{
	struct fixture *f = *state;
	unsigned int before;
	u64 off;

	assert_int_equal(pkern_pool_open(&f->s, &f->m, ns_uuid, NULL), 0);
	before = nr_persist;
	assert_int_equal(pkern_pool_alloc(&f->s, &off), 0);
	/* the zeroed page, then the bitmap word */
	assert_int_equal(nr_persist - before, 2);
	before = nr_persist;
	assert_int_equal(pkern_pool_free(&f->s, off), 0);
	assert_int_equal(nr_persist - before, 1);
}

/* A page with a memory error: out of circulation, never read or written */
static void test_take(void **state)
{
	struct fixture *f = *state;
	u64 bad, off, used, n = 0;

	assert_int_equal(pkern_pool_open(&f->s, &f->m, ns_uuid, NULL), 0);
	assert_int_equal(pkern_pool_alloc(&f->s, &used), 0);
	bad = used + 4096;
	memset(f->img + bad, 0x5a, 4096);
	assert_int_equal(pkern_pool_take(&f->s, bad), 1);
	assert_int_equal(pkern_pool_take(&f->s, bad), 0);
	assert_int_equal(pkern_pool_take(&f->s, used), 0);
	assert_int_equal(pkern_pool_take(&f->s, bad + 1), -PKERN_E_INVAL);
	assert_int_equal(pkern_pool_take(&f->s, f->s.data_off - 4096),
			 -PKERN_E_INVAL);
	assert_int_equal(pkern_pool_take(&f->s, POOL_SIZE), -PKERN_E_INVAL);
	assert_int_equal(f->s.in_use, 2);
	/* taken for good: across a reopen, and no allocation hands it out */
	assert_int_equal(pkern_pool_open(&f->s, &f->m, ns_uuid, NULL), 0);
	assert_int_equal(f->s.in_use, 2);
	assert_true(pkern_pool_page_in_use(&f->s, bad));
	while (!pkern_pool_alloc(&f->s, &off)) {
		assert_true(off != bad);
		n++;
	}
	assert_int_equal(n, f->s.nr_pages - 2);
	/* the page was never written */
	assert_int_equal(f->img[bad], 0x5a);
	assert_int_equal(f->img[bad + 4095], 0x5a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry),
		cmocka_unit_test_setup_teardown(test_alloc_free_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_and_zeroed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persist_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take, setup, teardown),
	};

	return cmocka_run_group_tests_name("pkern_pool", tests, NULL, NULL);
}
