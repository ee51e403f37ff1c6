// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for pkdaxctl's command-line parsers: sizes and suffixes,
 * overflow, alignments, UUIDs, kinds, and the ndctl-style human sizes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "parse.h"

static void size_ok(const char *s, u64 want)
{
	u64 v = 0;

	assert_int_equal(pkd_parse_size(s, &v), 0);
	assert_true(v == want);
}

static void test_size_plain_and_suffixes(void **state)
{
	(void)state;
	size_ok("0", 0);
	size_ok("4096", 4096);
	size_ok("0x1000", 4096);
	size_ok("4k", 4096);
	size_ok("4K", 4096);
	size_ok("2M", 2ULL << 20);
	size_ok("2m", 2ULL << 20);
	size_ok("1G", 1ULL << 30);
	size_ok("16g", 16ULL << 30);
	size_ok("3T", 3ULL << 40);
	size_ok("18446744073709551615", UINT64_MAX);
	size_ok("16777215T", 16777215ULL << 40);
}

static void test_size_malformed(void **state)
{
	static const char *const bad[] = {
		"", "K", "-1", "-4M", " 4M", "+4M", "4MB", "4MiB", "4X",
		"4 M", "1.5G", "0x", "0xG", "4KK", "abc", "4M ",
	};
	u64 v = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pkd_parse_size(bad[i], &v), -EINVAL);
		assert_true(v == 7);	/* untouched on failure */
	}
	assert_int_equal(pkd_parse_size(NULL, &v), -EINVAL);
}

static void test_size_overflow(void **state)
{
	u64 v = 7;

	(void)state;
	assert_int_equal(pkd_parse_size("18446744073709551616", &v), -ERANGE);
	assert_int_equal(pkd_parse_size("16777216T", &v), -ERANGE);
	assert_int_equal(pkd_parse_size("17179869184G", &v), -ERANGE);
	assert_int_equal(pkd_parse_size("99999999999999999999999K", &v),
			 -ERANGE);
	assert_true(v == 7);
}

static void test_align(void **state)
{
	u64 v = 0;

	(void)state;
	assert_int_equal(pkd_parse_align("4K", &v), 0);
	assert_true(v == PKERN_ALIGN_4K);
	assert_int_equal(pkd_parse_align("2M", &v), 0);
	assert_true(v == PKERN_ALIGN_2M);
	assert_int_equal(pkd_parse_align("1G", &v), 0);
	assert_true(v == PKERN_ALIGN_1G);
	assert_int_equal(pkd_parse_align("2097152", &v), 0);
	assert_true(v == PKERN_ALIGN_2M);
	assert_int_equal(pkd_parse_align("8K", &v), -EINVAL);
	assert_int_equal(pkd_parse_align("1M", &v), -EINVAL);
	assert_int_equal(pkd_parse_align("0", &v), -EINVAL);
	assert_int_equal(pkd_parse_align("2Q", &v), -EINVAL);
}

static void test_u32(void **state)
{
	u32 v = 0;

	(void)state;
	assert_int_equal(pkd_parse_u32("512", &v), 0);
	assert_int_equal(v, 512);
	assert_int_equal(pkd_parse_u32("4294967295", &v), 0);
	assert_int_equal(pkd_parse_u32("4294967296", &v), -ERANGE);
	assert_int_equal(pkd_parse_u32("12K", &v), -EINVAL);
	assert_int_equal(pkd_parse_u32("-1", &v), -EINVAL);
}

static void test_uuid(void **state)
{
	static const u8 want[16] = {
		0x0f, 0x8b, 0x1f, 0x2e, 0x6a, 0x1c, 0x4c, 0x63,
		0x9a, 0x55, 0x3f, 0x1f, 0x5b, 0x8e, 0x0c, 0x11,
	};
	u8 u[16] = { 0 };
	char s[37];

	(void)state;
	assert_int_equal(pkd_parse_uuid("0f8b1f2e-6a1c-4c63-9a55-3f1f5b8e0c11",
					u), 0);
	assert_memory_equal(u, want, 16);
	pkd_uuid_str(u, s);
	assert_string_equal(s, "0f8b1f2e-6a1c-4c63-9a55-3f1f5b8e0c11");
	assert_int_equal(pkd_parse_uuid("0F8B1F2E-6A1C-4C63-9A55-3F1F5B8E0C11",
					u), 0);
	assert_memory_equal(u, want, 16);
	assert_int_equal(pkd_parse_uuid("00000000-0000-0000-0000-000000000000",
					u), -EINVAL);
	assert_int_equal(pkd_parse_uuid("0f8b1f2e6a1c4c639a553f1f5b8e0c11", u),
			 -EINVAL);
	assert_int_equal(pkd_parse_uuid("0f8b1f2e-6a1c-4c63-9a55-3f1f5b8e0c1", u),
			 -EINVAL);
	assert_int_equal(pkd_parse_uuid("zf8b1f2e-6a1c-4c63-9a55-3f1f5b8e0c11", u),
			 -EINVAL);
	assert_int_equal(pkd_parse_uuid(NULL, u), -EINVAL);
	assert_true(pkd_uuid_is_null((const u8[16]){ 0 }));
	assert_false(pkd_uuid_is_null(want));
}

static void test_kind(void **state)
{
	u32 k = 0;

	(void)state;
	assert_int_equal(pkd_parse_kind("guest", &k), 0);
	assert_int_equal(k, PKERN_KIND_GUEST);
	assert_int_equal(pkd_parse_kind("IOMMU", &k), 0);
	assert_int_equal(k, PKERN_KIND_IOMMU);
	assert_int_equal(pkd_parse_kind("disk", &k), -EINVAL);
	assert_int_equal(pkd_parse_kind("", &k), -EINVAL);
}

static void human(u64 v, const char *want)
{
	char buf[64];

	pkd_human_size(v, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_human(void **state)
{
	(void)state;
	human(0, "0");
	human(4096, "4096");
	human(4999, "4999");
	human(147456, "144.00 KiB (147.46 kB)");
	human(2ULL << 20, "2.00 MiB (2.10 MB)");
	human(64ULL << 20, "64.00 MiB (67.11 MB)");
	human(1ULL << 30, "1024.00 MiB (1073.74 MB)");
	human(4ULL << 30, "4.00 GiB (4.29 GB)");
	human(3ULL << 40, "3.00 TiB (3.30 TB)");
	human(UINT64_MAX, "16777216.00 TiB (18446744.07 TB)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_plain_and_suffixes),
		cmocka_unit_test(test_size_malformed),
		cmocka_unit_test(test_size_overflow),
		cmocka_unit_test(test_align),
		cmocka_unit_test(test_u32),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_human),
	};

	return cmocka_run_group_tests_name("pkdaxctl-parse", tests, NULL, NULL);
}
