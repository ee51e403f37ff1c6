// SPDX-License-Identifier: GPL-2.0-only
/* Test helpers; see helpers.h. */
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>
#include "helpers.h"

static u32 zcrc(const void *p, size_t len)
{
	return (u32)crc32(0L, p, (uInt)len);
}

struct timg *timg_new(u64 size)
{
	struct timg *t = calloc(1, sizeof(*t));

	if (!t)
		abort();
	t->buf = calloc(1, size);
	t->r = calloc(1, sizeof(*t->r));
	if (!t->buf || !t->r)
		abort();
	t->size = size;
	mm_init(&t->mm, t->buf, size, size);
	t->m = mm_media(&t->mm);
	return t;
}

void timg_free(struct timg *t)
{
	if (!t)
		return;
	free(t->buf);
	free(t->r);
	free(t);
}

int timg_load(struct timg *t)
{
	mm_reset(&t->mm);
	return pkern_load(t->r, &t->m);
}

void make_uuid(u8 *uuid, const char *seed)
{
	u32 c = zcrc(seed, strlen(seed));
	int i;

	for (i = 0; i < PKERN_UUID_LEN; i++) {
		c = c * 1103515245U + 12345U;
		uuid[i] = (u8)(c >> 16);
	}
	uuid[0] |= 1;	/* never all zero */
}

int timg_format(struct timg *t, u32 nslots, bool force)
{
	static int count;
	struct pkern_format_params p = { .nslots = nslots, .force = force };
	char seed[32];

	snprintf(seed, sizeof(seed), "region-%d", count++);
	make_uuid(p.uuid, seed);
	mm_reset(&t->mm);
	return pkern_format(t->r, &t->m, &p);
}

int timg_create(struct timg *t, const char *name, u64 size, u64 align,
		u64 offset)
{
	struct pkern_create_params p = {
		.name = name, .kind = PKERN_KIND_GUEST,
		.size = size, .align = align, .offset = offset,
	};

	make_uuid(p.uuid, name);
	return pkern_create(t->r, &p, NULL);
}

void raw_label_fix_crc(struct pkern_label *l)
{
	l->crc = htole32(zcrc(l, sizeof(*l) - 4));
}

void raw_label(struct pkern_label *l, const char *name, u32 kind, u64 off,
	       u64 size, u64 align, u64 create_gen)
{
	memset(l, 0, sizeof(*l));
	make_uuid(l->uuid, name);
	strncpy(l->name, name, sizeof(l->name) - 1);
	l->kind = htole32(kind);
	l->offset = htole64(off);
	l->size = htole64(size);
	l->align = htole64(align);
	l->create_gen = htole64(create_gen);
	raw_label_fix_crc(l);
}

void raw_put_label(struct timg *t, u32 slot, const struct pkern_label *l)
{
	memcpy(t->buf + PKERN_SLOT_OFF + (u64)slot * PKERN_SLOT_SIZE, l,
	       sizeof(*l));
}

void raw_get_label(struct timg *t, u32 slot, struct pkern_label *l)
{
	memcpy(l, t->buf + PKERN_SLOT_OFF + (u64)slot * PKERN_SLOT_SIZE,
	       sizeof(*l));
}

struct pkern_index *raw_index(struct timg *t, int block)
{
	return (struct pkern_index *)(t->buf + PKERN_INDEX_OFF(block));
}

void raw_index_fix_crc(struct pkern_index *x)
{
	x->crc = htole32(zcrc(x, sizeof(*x) - 4));
}

void raw_index_use(struct timg *t, int block, u64 gen, const u32 *slots,
		   int n)
{
	struct pkern_index *x = raw_index(t, block);
	u32 used = 0, i;

	for (i = 0; i < (u32)n; i++)
		x->bitmap[slots[i] / 8] |= (u8)(1U << (slots[i] % 8));
	for (i = 0; i < PKERN_MAX_SLOTS; i++)
		used += (x->bitmap[i / 8] >> (i % 8)) & 1;
	x->nr_used = htole32(used);
	x->generation = htole64(gen);
	raw_index_fix_crc(x);
}

struct pkern_sb *raw_sb(struct timg *t, int copy)
{
	return (struct pkern_sb *)(t->buf + PKERN_SB_OFF(copy));
}

void raw_sb_fix_crc(struct pkern_sb *s)
{
	s->crc = htole32(zcrc(s, sizeof(*s) - 4));
}

void snap_take(struct snap *s, const struct pkern_labels *r)
{
	const struct pkern_ns *ns;

	memset(s, 0, sizeof(*s));
	s->status = r->status;
	if (r->active_sb >= 0) {
		s->seq = r->sb[r->active_sb].seq;
		memcpy(s->uuid, r->sb[r->active_sb].uuid, PKERN_UUID_LEN);
	}
	pkern_for_each_ns(r, ns)
		if (pkern_ns_usable(ns))
			s->ns[s->n++] = *ns;
	s->nr_bad = r->nr_bad;
	memcpy(s->bad, r->bad, r->nr_bad * sizeof(r->bad[0]));
}

static bool ns_eq(const struct pkern_ns *a, const struct pkern_ns *b)
{
	return !memcmp(a->uuid, b->uuid, PKERN_UUID_LEN) &&
	       !strcmp(a->name, b->name) && a->kind == b->kind &&
	       a->flags == b->flags && a->offset == b->offset &&
	       a->size == b->size && a->align == b->align &&
	       a->create_gen == b->create_gen && a->slot == b->slot &&
	       a->problem == b->problem;
}

bool snap_eq(const struct snap *a, const struct snap *b)
{
	u32 i;

	if (a->status != b->status || a->seq != b->seq || a->n != b->n ||
	    memcmp(a->uuid, b->uuid, PKERN_UUID_LEN) ||
	    a->nr_bad != b->nr_bad ||
	    memcmp(a->bad, b->bad, a->nr_bad * sizeof(a->bad[0])))
		return false;
	for (i = 0; i < a->n; i++)
		if (!ns_eq(&a->ns[i], &b->ns[i]))
			return false;
	return true;
}

void collect_report(void *arg, const struct pkern_problem *p)
{
	struct reports *rep = arg;

	if (rep->n < (int)(sizeof(rep->p) / sizeof(rep->p[0])))
		rep->p[rep->n] = *p;
	rep->n++;
}

int timg_load_report(struct timg *t, struct reports *rep)
{
	memset(rep, 0, sizeof(*rep));
	mm_reset(&t->mm);
	return pkern_load_report(t->r, &t->m, collect_report, rep);
}

const struct pkern_problem *find_report(const struct reports *rep,
					enum pkern_problem_code code)
{
	int i;

	for (i = 0; i < rep->n && i < 64; i++)
		if (rep->p[i].code == code)
			return &rep->p[i];
	return NULL;
}

/* lib's trusted extent, written again from the spec. */
static bool ref_trusted(const struct pkern_labels *rg,
			const struct pkern_ns *ns)
{
	const struct pkern_sb_info *sb = &rg->sb[rg->active_sb];
	u64 a = ns->align;

	return ns->problem != PKERN_P_LBL_CRC &&
	       (a == PKERN_ALIGN_4K || a == PKERN_ALIGN_2M ||
		a == PKERN_ALIGN_1G) &&
	       ns->size && !(ns->size % a) && !(ns->offset % a) &&
	       ns->offset + ns->size > ns->offset &&
	       ns->offset >= sb->data_start &&
	       ns->offset + ns->size <= sb->region_size;
}

static bool ref_older(const struct pkern_ns *a, const struct pkern_ns *b)
{
	return a->create_gen < b->create_gen ||
	       (a->create_gen == b->create_gen && a->slot < b->slot);
}

/*
 * All pairs: a label with no per-label problem loses to the oldest older
 * trusted label it overlaps, else shares a name with, else a UUID with.
 */
bool ref_cross_ok(const struct pkern_labels *rg)
{
	const struct pkern_ns *a, *b, *best;
	enum pkern_problem_code want, c;

	pkern_for_each_ns(rg, a) {
		if (a->problem != PKERN_P_NONE &&
		    a->problem != PKERN_P_LBL_OVERLAP &&
		    a->problem != PKERN_P_LBL_DUP_NAME &&
		    a->problem != PKERN_P_LBL_DUP_UUID)
			continue;
		want = PKERN_P_NONE;
		best = NULL;
		pkern_for_each_ns(rg, b) {
			if (b == a || !ref_older(b, a) || !ref_trusted(rg, b))
				continue;
			if (a->offset < b->offset + b->size &&
			    b->offset < a->offset + a->size)
				c = PKERN_P_LBL_OVERLAP;
			else if (b->problem != PKERN_P_LBL_NAME &&
				 !strcmp(a->name, b->name))
				c = PKERN_P_LBL_DUP_NAME;
			else if (!memcmp(a->uuid, b->uuid, PKERN_UUID_LEN))
				c = PKERN_P_LBL_DUP_UUID;
			else
				continue;
			if (!best || c < want || (c == want && ref_older(b, best))) {
				want = c;
				best = b;
			}
		}
		if (a->problem != want || (best && a->other != best->slot))
			return false;
	}
	return true;
}
