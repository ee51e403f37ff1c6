// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Sorting label slots by offset, name or UUID, so conflicts between labels
 * are found by looking at neighbours instead of at every pair.  Heap sort:
 * no recursion, no memory beyond the caller's array.
 */
#include "pkern_lib.h"

static int name_cmp(const char *a, const char *b)
{
	int i;

	for (i = 0; i < PKERN_NAME_LEN; i++) {
		if (a[i] != b[i])
			return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
		if (!a[i])
			return 0;
	}
	return 0;
}

/**
 * pk_ns_cmp() - order two labels by a key
 * @r: region
 * @key: PK_BY_OFFSET, PK_BY_NAME or PK_BY_UUID
 * @a: slot
 * @b: slot
 *
 * Return: negative, zero or positive as @a sorts before, with or after @b.
 */
int pk_ns_cmp(const struct pkern_labels *r, enum pk_sort_key key, u16 a, u16 b)
{
	const struct pkern_ns *x = &r->ns[a], *y = &r->ns[b];

	switch (key) {
	case PK_BY_OFFSET:
		if (x->offset != y->offset)
			return x->offset < y->offset ? -1 : 1;
		return 0;
	case PK_BY_NAME:
		return name_cmp(x->name, y->name);
	default:
		return memcmp(x->uuid, y->uuid, PKERN_UUID_LEN);
	}
}

static void sift_down(const struct pkern_labels *r, enum pk_sort_key key,
		      u16 *v, u32 root, u32 n)
{
	u32 child;
	u16 tmp;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && pk_ns_cmp(r, key, v[child], v[child + 1]) < 0)
			child++;
		if (pk_ns_cmp(r, key, v[root], v[child]) >= 0)
			return;
		tmp = v[root];
		v[root] = v[child];
		v[child] = tmp;
		root = child;
	}
}

/**
 * pk_sort_slots() - sort slot numbers by a key of their labels
 * @r: region whose labels are compared
 * @key: sort key
 * @v: slot numbers
 * @n: count
 */
void pk_sort_slots(const struct pkern_labels *r, enum pk_sort_key key,
		   u16 *v, u32 n)
{
	u32 i;
	u16 tmp;

	for (i = n / 2; i-- > 0;)
		sift_down(r, key, v, i, n);
	for (i = n; i-- > 1;) {
		tmp = v[0];
		v[0] = v[i];
		v[i] = tmp;
		sift_down(r, key, v, 0, i);
	}
}
