// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parsers for sizes (K/M/G/T suffixes, binary multiples as in ndctl),
 * alignments, UUIDs and namespace kinds.  strtoull() alone accepts
 * leading blanks and minus signs and wraps silently, so every parser
 * checks the first character and the multiplication itself.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uuid/uuid.h>

#include "parse.h"

static int parse_number(const char *s, u64 *out, const char **end)
{
	unsigned long long v;
	char *e;
	int base = 10;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)s[2]))
			return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &e, base);
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	*end = e;
	return 0;
}

int pkd_parse_size(const char *s, u64 *out)
{
	const char *e;
	unsigned int shift = 0;
	u64 v;
	int rc;

	rc = parse_number(s, &v, &e);
	if (rc)
		return rc;
	if (*e) {
		switch (*e) {
		case 'k': case 'K':
			shift = 10;
			break;
		case 'm': case 'M':
			shift = 20;
			break;
		case 'g': case 'G':
			shift = 30;
			break;
		case 't': case 'T':
			shift = 40;
			break;
		default:
			return -EINVAL;
		}
		if (e[1])
			return -EINVAL;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int pkd_parse_align(const char *s, u64 *out)
{
	u64 v;
	int rc = pkd_parse_size(s, &v);

	if (rc)
		return rc;
	if (v != PKERN_ALIGN_4K && v != PKERN_ALIGN_2M && v != PKERN_ALIGN_1G)
		return -EINVAL;
	*out = v;
	return 0;
}

int pkd_parse_u32(const char *s, u32 *out)
{
	const char *e;
	u64 v;
	int rc = parse_number(s, &v, &e);

	if (rc)
		return rc;
	if (*e)
		return -EINVAL;
	if (v > UINT32_MAX)
		return -ERANGE;
	*out = (u32)v;
	return 0;
}

bool pkd_uuid_is_null(const u8 uuid[PKERN_UUID_LEN])
{
	for (int i = 0; i < PKERN_UUID_LEN; i++)
		if (uuid[i])
			return false;
	return true;
}

int pkd_parse_uuid(const char *s, u8 out[PKERN_UUID_LEN])
{
	uuid_t u;

	if (!s || uuid_parse(s, u))
		return -EINVAL;
	/* the all-zero UUID marks "none" on media */
	if (uuid_is_null(u))
		return -EINVAL;
	memcpy(out, u, PKERN_UUID_LEN);
	return 0;
}

void pkd_uuid_str(const u8 uuid[PKERN_UUID_LEN], char buf[37])
{
	uuid_unparse_lower(uuid, buf);
}

int pkd_parse_kind(const char *s, u32 *kind)
{
	if (!s)
		return -EINVAL;
	if (!strcasecmp(s, "guest")) {
		*kind = PKERN_KIND_GUEST;
		return 0;
	}
	if (!strcasecmp(s, "iommu")) {
		*kind = PKERN_KIND_IOMMU;
		return 0;
	}
	return -EINVAL;
}

/*
 * Hundredths of a unit, rounded to nearest, in integer arithmetic so the
 * result does not depend on floating point formatting.
 */
static void centi(u64 bytes, u64 unit, u64 *whole, u64 *frac)
{
	unsigned __int128 c = ((unsigned __int128)bytes * 200 / unit + 1) / 2;

	*whole = (u64)(c / 100);
	*frac = (u64)(c % 100);
}

void pkd_human_size(u64 bytes, char *buf, size_t len)
{
	static const struct {
		u64 limit;
		u64 iec, si;
		const char *iec_name, *si_name;
	} units[] = {
		{ 2ULL << 20, 1ULL << 10, 1000ULL, "KiB", "kB" },
		{ 2ULL << 30, 1ULL << 20, 1000000ULL, "MiB", "MB" },
		{ 2ULL << 40, 1ULL << 30, 1000000000ULL, "GiB", "GB" },
		{ UINT64_MAX, 1ULL << 40, 1000000000000ULL, "TiB", "TB" },
	};
	u64 w1, f1, w2, f2;
	size_t i;

	if (bytes < 5000) {
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
		return;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]) - 1; i++)
		if (bytes < units[i].limit)
			break;
	centi(bytes, units[i].iec, &w1, &f1);
	centi(bytes, units[i].si, &w2, &f2);
	snprintf(buf, len, "%llu.%02llu %s (%llu.%02llu %s)",
		 (unsigned long long)w1, (unsigned long long)f1,
		 units[i].iec_name, (unsigned long long)w2,
		 (unsigned long long)f2, units[i].si_name);
}
