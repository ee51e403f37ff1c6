/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test helpers: an image with its media and region, raw on-media
 * structures built independently of lib/ (zlib CRC, format header only),
 * and snapshots of the loaded state for old-or-new comparisons.
 */
#ifndef HELPERS_H
#define HELPERS_H

#include "memmedia.h"

struct timg {
	u8 *buf;
	u64 size;
	struct memmedia mm;
	struct pkern_media m;
	struct pkern_labels *r;
};

struct timg *timg_new(u64 size);
void timg_free(struct timg *t);
int timg_load(struct timg *t);
int timg_format(struct timg *t, u32 nslots, bool force);
int timg_create(struct timg *t, const char *name, u64 size, u64 align,
		u64 offset);
void make_uuid(u8 *uuid, const char *seed);

/* raw structures, checksummed with zlib directly */
void raw_label(struct pkern_label *l, const char *name, u32 kind, u64 off,
	       u64 size, u64 align, u64 create_gen);
void raw_label_fix_crc(struct pkern_label *l);
void raw_put_label(struct timg *t, u32 slot, const struct pkern_label *l);
void raw_get_label(struct timg *t, u32 slot, struct pkern_label *l);
struct pkern_index *raw_index(struct timg *t, int block);
void raw_index_fix_crc(struct pkern_index *x);
/* mark slots used in index block @block, set its generation, fix CRC */
void raw_index_use(struct timg *t, int block, u64 gen, const u32 *slots,
		   int n);
struct pkern_sb *raw_sb(struct timg *t, int copy);
void raw_sb_fix_crc(struct pkern_sb *s);

/* loaded state, for old-or-new comparisons */
struct snap {
	int status;
	u64 seq;
	u8 uuid[PKERN_UUID_LEN];
	u32 n;
	struct pkern_ns ns[PKERN_MAX_SLOTS];
	u32 nr_bad;
	u64 bad[PKERN_MAX_BAD];
};

void snap_take(struct snap *s, const struct pkern_labels *r);
bool snap_eq(const struct snap *a, const struct snap *b);

/* problems collected by pkern_load_report() */
struct reports {
	int n;
	struct pkern_problem p[64];
};

void collect_report(void *arg, const struct pkern_problem *p);
int timg_load_report(struct timg *t, struct reports *rep);
const struct pkern_problem *find_report(const struct reports *rep,
					enum pkern_problem_code code);

/*
 * Independent all-pairs reference for the overlap and duplicate checks:
 * true if every label's cross-check result and "other" slot match it.
 */
bool ref_cross_ok(const struct pkern_labels *r);

#endif /* HELPERS_H */
