// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the label format.
 *
 * Input: one mode byte, then a region image from offset 0.  The region is
 * either the image rounded up to 4 KiB or 64 MiB (mode bit 7; served
 * beyond the image as zeroes), plus 0..62 extra granules (bits 0-5; 63
 * means "512 bytes short of a granule"), so both tiny regions and regions
 * larger than the input are loaded, and sizes that differ from the
 * recorded one.  Mode bit 6 recomputes every checksum first, so that
 * mutations reach the checks behind the CRCs.  Loads and queries everything; on a loadable region it
 * also creates and destroys namespaces on a copy.  Invariants are checked
 * here and abort() on violation:
 *  - no usable namespace lies outside [data_start, region size) or wraps;
 *  - no two usable namespaces overlap;
 *  - overlap and duplicate findings equal a plain all-pairs reference;
 *  - a new namespace lies on bytes no trusted extent covered;
 *  - after create/destroy the in-memory state equals a reload;
 *  - a forced format of any image yields an empty, loadable region that
 *    outnumbers everything on media, or fails with a documented refusal;
 *  - a loaded bad-page list is ascending and inside the data area; adding
 *    and clearing pages keep it so, match a reload, and a namespace placed
 *    without allow_bad holds no recorded page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>
#include "helpers.h"

#define MIB		(1ULL << 20)
#define BUF_MAX		0x45000ULL	/* label area for 1024 slots, and more */

static struct pkern_labels r, r2;
static struct snap s1, s2;

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_label: invariant violated: %s\n", what);
		abort();
	}
}

static void on_problem(void *arg, const struct pkern_problem *p)
{
	(void)arg;
	check(p->code > PKERN_P_NONE && p->code < PKERN_P_MAX, "problem code");
	check(pkern_problem_str(p->code) != NULL, "problem string");
}

static void check_region(const struct pkern_labels *rg, u64 size)
{
	const struct pkern_ns *ns, *o;
	const struct pkern_sb_info *sb;
	u64 total, largest, ds, end;
	u32 used = 0;

	check(pkern_strerror(rg->status) != NULL, "strerror");
	pkern_for_each_ns(rg, ns) {
		used++;
		check(ns->name[PKERN_NAME_LEN - 1] == '\0', "name terminated");
		check(rg->active_sb >= 0, "labels without superblock");
		check(ns->slot < rg->sb[rg->active_sb].nslots, "slot range");
	}
	check(used == rg->nr_used, "nr_used");
	if (rg->active_sb >= 0 && rg->active_index >= 0 &&
	    (rg->status == 0 || rg->status == -PKERN_E_SIZE_CHANGED))
		check(ref_cross_ok(rg), "cross-check differs from reference");
	check(rg->nr_bad <= PKERN_MAX_BAD, "bad list too long");
	if (rg->nr_bad)
		check(rg->active_index >= 0, "bad pages without an index");
	if (rg->status)
		return;
	sb = &rg->sb[rg->active_sb];
	for (used = 0; used < rg->nr_bad; used++) {
		check(rg->bad[used] >= sb->data_start / PKERN_GRANULE &&
		      rg->bad[used] < size / PKERN_GRANULE, "bad page outside");
		check(!used || rg->bad[used] > rg->bad[used - 1],
		      "bad list not ascending");
	}
	ds = sb->data_start;
	check(sb->region_size == size, "loaded with a different size");
	check(ds >= PKERN_SLOT_OFF + (u64)sb->nslots * PKERN_SLOT_SIZE,
	      "data start inside slots");
	pkern_for_each_ns(rg, ns) {
		if (!pkern_ns_usable(ns))
			continue;
		end = ns->offset + ns->size;
		check(ns->size && end > ns->offset, "usable extent wraps");
		check(ns->offset >= ds && end <= size, "usable outside data");
		check(ns->kind == PKERN_KIND_GUEST || ns->kind == PKERN_KIND_IOMMU,
		      "usable with unknown kind");
		check(pkern_find_name(rg, ns->name) == ns, "find_name");
		check(pkern_find_uuid(rg, ns->uuid) == ns, "find_uuid");
		pkern_for_each_ns(rg, o)
			check(o == ns || !pkern_ns_usable(o) ||
			      end <= o->offset || o->offset + o->size <= ns->offset,
			      "usable namespaces overlap");
	}
	total = pkern_free_bytes(rg, PKERN_ALIGN_4K, &largest);
	check(total <= size - ds && largest <= total, "free bytes 4K");
	check(!(total % PKERN_GRANULE), "free bytes granular");
	pkern_free_bytes(rg, PKERN_ALIGN_2M, &largest);
	check(largest <= total && !(largest % PKERN_ALIGN_2M), "free bytes 2M");
}

/* Reload @m into r2 and compare with the in-memory @rg. */
static void check_reload(const struct pkern_labels *rg,
			 const struct pkern_media *m)
{
	u64 fa, fb, la, lb;

	snap_take(&s1, rg);
	fa = pkern_free_bytes(rg, PKERN_ALIGN_4K, &la);
	pkern_load(&r2, m);
	snap_take(&s2, &r2);
	fb = pkern_free_bytes(&r2, PKERN_ALIGN_4K, &lb);
	check(snap_eq(&s1, &s2), "in-memory state differs from reload");
	check(fa == fb && la == lb, "free space differs from reload");
}

/*
 * A repair writes only the copy that is not live, with its bytes: the
 * loaded state must not change, and a second repair has nothing to do.
 */
static void try_repair(const struct pkern_media *m)
{
	int ret;

	snap_take(&s1, &r);
	ret = pkern_repair(&r2, m);
	check(ret == 0 || ret == 1 || ret == -PKERN_E_UNFORMATTED ||
	      ret == -PKERN_E_CORRUPT || ret == -PKERN_E_VERSION,
	      "unexpected repair result");
	snap_take(&s2, &r2);
	check(snap_eq(&s1, &s2), "repair changed the loaded state");
	if (ret == 1)
		check(pkern_repair(&r2, m) == 0, "second repair wrote again");
}

/* Record a few pages chosen by @sel, then forget some again. */
static void try_badpages(const struct pkern_media *m, u8 sel, u64 size)
{
	const struct pkern_sb_info *sb = &r.sb[r.active_sb];
	u64 pages = (size - sb->data_start) / PKERN_GRANULE;
	u64 off = sb->data_start + (sel % pages) * PKERN_GRANULE;
	u64 len = PKERN_GRANULE * (1 + (sel & 7));
	u32 before = r.nr_bad;
	int ret;

	if (off + len > size)
		len = size - off;
	ret = pkern_bad_add(&r, off, len);
	check(ret >= 0 || ret == -PKERN_E_BADFULL || ret == -PKERN_E_STATE,
	      "unexpected bad-page add error");
	if (ret >= 0) {
		check(r.nr_bad == before + (u32)ret, "bad-page count");
		check(pkern_bad_count(&r, off, len) == len / PKERN_GRANULE,
		      "added pages not recorded");
	}
	check_reload(&r, m);
	check_region(&r, size);
	ret = pkern_bad_clear(&r, off, PKERN_GRANULE);
	check(ret == 0 || ret == 1 || ret == -PKERN_E_STATE,
	      "unexpected bad-page clear error");
	check(!pkern_bad_count(&r, off, PKERN_GRANULE) || ret < 0,
	      "cleared page still recorded");
	check_reload(&r, m);
	check_region(&r, size);
}

static void try_updates(struct memmedia *mm, const struct pkern_media *m,
			const u8 *data, size_t len, u64 size)
{
	struct pkern_create_params p = { .name = "fuzz0", .kind = 1 };
	const struct pkern_ns *ns, *created = NULL;
	u8 sel = len ? data[len - 1] : 0;
	u64 off, sz;
	u32 slot;
	int ret;

	(void)mm;
	make_uuid(p.uuid, "fuzz0");
	p.align = (sel & 1) ? PKERN_ALIGN_2M : PKERN_ALIGN_4K;
	p.size = p.align * (1 + (sel >> 4));
	p.offset = (sel & 2) ? PKERN_OFFSET_ANY :
		   (r.sb[r.active_sb].data_start + p.align - 1) & ~(p.align - 1);
	ret = pkern_create(&r, &p, &created);
	if (ret == 0) {
		off = created->offset;
		sz = created->size;
		check(pkern_ns_usable(created), "created namespace unusable");
		check(!pkern_bad_count(&r, off, sz), "created over a bad page");
		check(off >= r.sb[r.active_sb].data_start && off + sz <= size &&
		      !(off % p.align), "created outside data area");
		pkern_for_each_ns(&r, ns)
			check(ns == created || !pkern_ns_usable(ns) ||
			      off + sz <= ns->offset ||
			      ns->offset + ns->size <= off,
			      "created over a namespace");
		check_reload(&r, m);
		check_region(&r, size);
		slot = created->slot;
		check(pkern_destroy(&r, slot) == 0, "destroy of new namespace");
		check_reload(&r, m);
	} else {
		check(ret == -PKERN_E_NOSPC || ret == -PKERN_E_NOSLOT ||
		      ret == -PKERN_E_EXIST || ret == -PKERN_E_STATE ||
		      ret == -PKERN_E_BADPAGE, "unexpected create error");
	}
	try_badpages(m, sel, size);
	/* destroy whatever the input put in the first used slot */
	ns = pkern_ns_next(&r, NULL);
	if (ns) {
		check(pkern_destroy(&r, ns->slot) == 0, "destroy");
		check_reload(&r, m);
		check_region(&r, size);
	}
}

static void put_crc(u8 *p, size_t len)
{
	u32 c = htole32((u32)crc32(0L, p, (uInt)(len - 4)));

	memcpy(p + len - 4, &c, 4);
}

/* Recompute the CRC of every structure that has data in the image. */
static void fix_crcs(u8 *buf, size_t len)
{
	size_t off;
	int i;

	for (i = 0; i < 2; i++) {
		if (PKERN_SB_OFF(i) + sizeof(struct pkern_sb) <= len)
			put_crc(buf + PKERN_SB_OFF(i), sizeof(struct pkern_sb));
		if (PKERN_INDEX_OFF(i) + PKERN_BLOCK_SIZE <= len)
			put_crc(buf + PKERN_INDEX_OFF(i), PKERN_BLOCK_SIZE);
	}
	for (off = PKERN_SLOT_OFF; off + PKERN_SLOT_SIZE <= len &&
	     off < PKERN_SLOT_OFF + PKERN_MAX_SLOTS * PKERN_SLOT_SIZE;
	     off += PKERN_SLOT_SIZE)
		if (buf[off])	/* first UUID byte: leave empty slots alone */
			put_crc(buf + off, PKERN_SLOT_SIZE);
}

static void try_format(const struct pkern_media *m, u8 sel, u64 size)
{
	static const u32 nslots[4] = { 64, 72, 512, 1024 };
	struct pkern_format_params fp = { .nslots = nslots[sel & 3] };
	u64 old_seq = 0, ds;
	int ret, i;

	make_uuid(fp.uuid, "fuzz-format");
	fp.force = sel & 4;
	for (i = 0; i < 2; i++)
		if (r.sb[i].problem != PKERN_P_SB_NONE &&
		    r.sb[i].problem != PKERN_P_SB_CRC && r.sb[i].seq > old_seq)
			old_seq = r.sb[i].seq;
	ds = pkern_label_area_size(fp.nslots);
	ret = pkern_format(&r, m, &fp);
	if (ret) {
		check(ret == -PKERN_E_TOO_SMALL || ret == -PKERN_E_INVAL ||
		      ret == -PKERN_E_STATE ||
		      (ret == -PKERN_E_HAS_LABELS && !fp.force),
		      "unexpected format error");
		check(ret != -PKERN_E_TOO_SMALL || size < ds + PKERN_GRANULE,
		      "format too small");
		return;
	}
	check(size >= ds + PKERN_GRANULE && !(size % PKERN_GRANULE),
	      "format accepted a bad size");
	check(r.status == 0 && r.nr_used == 0, "format left a bad state");
	check(r.sb[r.active_sb].seq > old_seq, "format did not outnumber");
	check(pkern_free_bytes(&r, PKERN_ALIGN_4K, NULL) == size - ds,
	      "formatted region not empty");
	check_reload(&r, m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct memmedia mm;
	struct pkern_media m;
	u64 region, buf_len;
	u8 mode, *buf;
	size_t len;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	len = size - 1;
	if (len > BUF_MAX)
		return 0;
	region = (mode & 0x80) ? 64 * MIB : (len + 4095) & ~4095ULL;
	if ((mode & 0x3f) == 0x3f)
		region += PKERN_GRANULE - 512;	/* not whole granules */
	else
		region += (u64)(mode & 0x3f) * PKERN_GRANULE;
	buf_len = region < BUF_MAX ? region : BUF_MAX;
	if (buf_len < len)
		buf_len = len;
	buf = calloc(1, buf_len ? buf_len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, len);
	if (mode & 0x40)
		fix_crcs(buf, len);
	mm_init(&mm, buf, buf_len, region);
	m = mm_media(&mm);

	pkern_load_report(&r, &m, on_problem, NULL);
	check_region(&r, region);
	try_repair(&m);
	if (r.status == 0)
		try_updates(&mm, &m, data, len, region);
	try_format(&m, len > 1 ? data[len - 2] : 0, region);
	free(buf);
	return 0;
}
