// SPDX-License-Identifier: GPL-2.0-only
/*
 * genbad: malicious label areas for the real driver.  Takes the live
 * label area of a ready region through PKERN_IOC_READ_LABELS (a baseline
 * with two good namespaces in slots 0 and 1) and writes one mutated copy
 * per attack, using lib/'s on-media structs and CRC so that checksums are
 * valid exactly where the attack needs them to be.
 *
 *   genbad /dev/pkernN OUTDIR
 *
 * OUTDIR/baseline.bin is the unmodified area; OUTDIR/manifest has one
 * line per image: "FILE EXPECT SLOT DESCRIPTION", EXPECT being
 *   slot  region stays ready, slots 0 and 1 up, SLOT not exposed and named
 *   down  region exposes nothing (state is not ready)
 *   any   only the invariants (nothing outside the data area, no splat)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/pkern.h>
#include "pkern_format.h"

#define SB_CRC_LEN	(sizeof(struct pkern_sb) - sizeof(__le32))
#define IDX_CRC_LEN	(sizeof(struct pkern_index) - sizeof(__le32))
#define LBL_CRC_LEN	(sizeof(struct pkern_label) - sizeof(__le32))

static unsigned char *base, *img;
static size_t area;
static u64 region_size, data_start;
static int live_sb, live_idx;
static const char *outdir;
static FILE *manifest;
static unsigned int count;

static struct pkern_sb *sb(unsigned char *a, int i)
{
	return (struct pkern_sb *)(a + PKERN_SB_OFF(i));
}

static struct pkern_index *idx(unsigned char *a, int i)
{
	return (struct pkern_index *)(a + PKERN_INDEX_OFF(i));
}

static struct pkern_label *lbl(unsigned char *a, unsigned int slot)
{
	return (struct pkern_label *)(a + PKERN_SLOT_OFF +
				      (size_t)slot * PKERN_SLOT_SIZE);
}

static void sb_crc(struct pkern_sb *s)
{
	s->crc = cpu_to_le32(pkern_crc32(s, SB_CRC_LEN));
}

static void idx_crc(struct pkern_index *x)
{
	x->crc = cpu_to_le32(pkern_crc32(x, IDX_CRC_LEN));
}

static void lbl_crc(struct pkern_label *l)
{
	l->crc = cpu_to_le32(pkern_crc32(l, LBL_CRC_LEN));
}

static void fresh(void)
{
	memcpy(img, base, area);
}

/* emit: write the image and its manifest line */
static void emit(const char *expect, int slot, const char *fmt, ...)
{
	char path[4096], desc[256];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%03u.bin", outdir, count);
	f = fopen(path, "w");
	if (!f || fwrite(img, 1, area, f) != area || fclose(f)) {
		fprintf(stderr, "genbad: writing %s: %s\n", path, strerror(errno));
		exit(2);
	}
	fprintf(manifest, "%03u.bin %s %d %s\n", count, expect, slot, desc);
	count++;
}

/* add_label: put L in SLOT, mark it used in the live index, fix CRCs */
static void add_label(unsigned int slot, const struct pkern_label *l,
		      bool good_crc)
{
	struct pkern_index *x = idx(img, live_idx);

	memcpy(lbl(img, slot), l, sizeof(*l));
	if (good_crc)
		lbl_crc(lbl(img, slot));
	if (!(x->bitmap[slot / 8] & (1U << (slot % 8)))) {
		x->bitmap[slot / 8] |= 1U << (slot % 8);
		x->nr_used = cpu_to_le32(le32_to_cpu(x->nr_used) + 1);
	}
	idx_crc(x);
}

/* a valid free-standing label just past the two good namespaces */
static struct pkern_label template(void)
{
	const struct pkern_label *g1 = lbl(base, 0), *g2 = lbl(base, 1);
	u64 end1 = le64_to_cpu(g1->offset) + le64_to_cpu(g1->size);
	u64 end2 = le64_to_cpu(g2->offset) + le64_to_cpu(g2->size);
	struct pkern_label l;

	memset(&l, 0, sizeof(l));
	memset(l.uuid, 0xa5, sizeof(l.uuid));
	strcpy(l.name, "evil");
	l.kind = cpu_to_le32(PKERN_KIND_GUEST);
	l.offset = cpu_to_le64((end1 > end2 ? end1 : end2) + PKERN_ALIGN_2M);
	l.size = cpu_to_le64(PKERN_ALIGN_2M);
	l.align = cpu_to_le64(PKERN_ALIGN_2M);
	l.create_gen = cpu_to_le64(le64_to_cpu(idx(base, live_idx)->generation));
	return l;
}

#define SLOT_ATTACK(desc, body) do {					\
	struct pkern_label l = template();				\
	fresh();							\
	body;								\
	add_label(2, &l, true);						\
	emit("slot", 2, desc);						\
} while (0)

static void slot_attacks(void)
{
	const struct pkern_label *g1 = lbl(base, 0);
	u64 g1off = le64_to_cpu(g1->offset), g1size = le64_to_cpu(g1->size);

	/* control: a well-formed third namespace must come up */
	fresh();
	{
		struct pkern_label l = template();

		add_label(2, &l, true);
		emit("extra", 2, "control: valid third namespace");
	}
	SLOT_ATTACK("extent ends past the region",
		    l.offset = cpu_to_le64(region_size - PKERN_ALIGN_2M);
		    l.size = cpu_to_le64(2 * PKERN_ALIGN_2M));
	SLOT_ATTACK("extent starts past the region",
		    l.offset = cpu_to_le64(region_size + PKERN_ALIGN_1G));
	SLOT_ATTACK("offset 0: inside the label area",
		    l.offset = 0);
	SLOT_ATTACK("offset + size wraps 2^64",
		    l.offset = cpu_to_le64(~0ULL & ~(PKERN_ALIGN_2M - 1));
		    l.size = cpu_to_le64(4 * PKERN_ALIGN_2M));
	SLOT_ATTACK("huge size from a valid offset",
		    l.size = cpu_to_le64(~0ULL & ~(PKERN_ALIGN_2M - 1)));
	SLOT_ATTACK("overlaps slot 0's extent",
		    l.offset = cpu_to_le64(g1off + PKERN_ALIGN_2M);
		    l.size = cpu_to_le64(g1size));
	SLOT_ATTACK("same extent as slot 0",
		    l.offset = cpu_to_le64(g1off);
		    l.size = cpu_to_le64(g1size));
	SLOT_ATTACK("duplicate UUID of slot 0",
		    memcpy(l.uuid, g1->uuid, sizeof(l.uuid)));
	SLOT_ATTACK("duplicate name of slot 0",
		    memcpy(l.name, g1->name, sizeof(l.name)));
	SLOT_ATTACK("unknown kind 7", l.kind = cpu_to_le32(7));
	SLOT_ATTACK("kind 0", l.kind = 0);
	SLOT_ATTACK("unknown incompatible flag",
		    l.flags = cpu_to_le32(0x8000));
	SLOT_ATTACK("alignment 3 MiB", l.align = cpu_to_le64(3 << 20));
	SLOT_ATTACK("alignment 0", l.align = 0);
	SLOT_ATTACK("size 0", l.size = 0);
	SLOT_ATTACK("size not a multiple of alignment",
		    l.size = cpu_to_le64(PKERN_ALIGN_2M + 4096));
	SLOT_ATTACK("offset not aligned",
		    l.offset = cpu_to_le64(le64_to_cpu(l.offset) + 4096));
	SLOT_ATTACK("created in a future generation",
		    l.create_gen = cpu_to_le64(~0ULL));
	SLOT_ATTACK("all-zero UUID", memset(l.uuid, 0, sizeof(l.uuid)));
	SLOT_ATTACK("name without NUL",
		    memset(l.name, 'x', sizeof(l.name)));
	SLOT_ATTACK("empty name", memset(l.name, 0, sizeof(l.name)));
	SLOT_ATTACK("name with '/'", strcpy(l.name, "../../dev/mem"));
	SLOT_ATTACK("non-zero reserved bytes", l.reserved[0] = 1);

	/* bad checksums */
	{
		struct pkern_label l = template();

		fresh();
		lbl_crc(&l);
		l.crc = cpu_to_le32(le32_to_cpu(l.crc) ^ 1);
		add_label(2, &l, false);
		emit("slot", 2, "label checksum off by one bit");

		/* content changed, checksum of slot 0 copied: collision */
		fresh();
		l = template();
		l.crc = g1->crc;
		add_label(2, &l, false);
		emit("slot", 2, "label carries slot 0's checksum");

		/* byte copy of slot 0: valid CRC, everything collides */
		fresh();
		memcpy(&l, g1, sizeof(l));
		add_label(2, &l, false);
		emit("slot", 2, "byte copy of slot 0 (valid CRC)");
	}
}

static void all_slots_attack(void)
{
	const struct pkern_label *g1 = lbl(base, 0);
	u32 nslots = le32_to_cpu(sb(base, live_sb)->nslots), s;

	/* every free slot holds a valid label overlapping slot 0 */
	fresh();
	for (s = 2; s < nslots; s++) {
		struct pkern_label l = template();

		snprintf(l.name, sizeof(l.name), "flood%u", s);
		l.uuid[0] = (u8)s;
		l.uuid[1] = (u8)(s >> 8);
		l.offset = g1->offset;
		add_label(s, &l, true);
	}
	emit("slot", 2, "all %u free slots overlap slot 0", nslots - 2);
}

static void region_attacks(void)
{
	struct pkern_index *x;
	struct pkern_sb *s;
	int i;

	/* both superblock copies, valid CRC, hostile fields */
#define SB_ATTACK(expect, desc, body) do {				\
	fresh();							\
	for (i = 0; i < 2; i++) {					\
		s = sb(img, i);						\
		if (memcmp(s->magic, PKERN_SB_MAGIC, 8))		\
			continue;					\
		body;							\
		sb_crc(s);						\
	}								\
	emit(expect, -1, desc);						\
} while (0)
	SB_ATTACK("down", "future major version", s->major = cpu_to_le16(2));
	SB_ATTACK("down", "region size differs",
		  s->region_size = cpu_to_le64(region_size * 2));
	SB_ATTACK("down", "region size 2^64-1",
		  s->region_size = cpu_to_le64(~0ULL));
	SB_ATTACK("down", "nslots 65535", s->nslots = cpu_to_le32(65535));
	SB_ATTACK("down", "nslots 0", s->nslots = 0);
	SB_ATTACK("down", "data_start past the region",
		  s->data_start = cpu_to_le64(region_size + 4096));
	SB_ATTACK("down", "data_start inside the slots",
		  s->data_start = cpu_to_le64(PKERN_SLOT_OFF));
	SB_ATTACK("down", "label_size 2^63",
		  s->label_size = cpu_to_le64(1ULL << 63));
	SB_ATTACK("down", "slot_size 1", s->slot_size = cpu_to_le32(1));
	SB_ATTACK("down", "slot_off past the region",
		  s->slot_off = cpu_to_le64(region_size));
	SB_ATTACK("down", "index_off past the region",
		  s->index_off[0] = cpu_to_le64(region_size);
		  s->index_off[1] = cpu_to_le64(~0ULL));
	SB_ATTACK("down", "granule 1", s->granule = cpu_to_le64(1));
	SB_ATTACK("down", "sb_size 1 MiB", s->sb_size = cpu_to_le32(1 << 20));
	SB_ATTACK("any", "future minor version", s->minor = cpu_to_le16(99));

	/* both superblocks with bad CRCs: damaged, never unformatted */
	fresh();
	sb(img, 0)->crc ^= 1;
	sb(img, 1)->crc ^= 1;
	emit("down", -1, "both superblock checksums bad");

	/* live superblock bad: the other copy (if bound) may take over */
	fresh();
	sb(img, live_sb)->crc ^= cpu_to_le32(0x80000000);
	emit("any", -1, "live superblock checksum bad");

	/* index blocks */
	fresh();
	idx(img, 0)->crc ^= 1;
	idx(img, 1)->crc ^= 1;
	emit("down", -1, "both index checksums bad");

	fresh();
	x = idx(img, live_idx);
	x->nr_used = cpu_to_le32(1000);
	idx_crc(x);
	emit("any", -1, "live index nr_used 1000 (valid CRC)");

	fresh();
	x = idx(img, live_idx);
	memset(x->bitmap, 0xff, sizeof(x->bitmap));
	x->nr_used = cpu_to_le32(PKERN_MAX_SLOTS);
	idx_crc(x);
	emit("any", -1, "live index: every bit set, beyond nslots");

	fresh();
	x = idx(img, live_idx);
	x->nslots = cpu_to_le32(PKERN_MAX_SLOTS * 64);
	idx_crc(x);
	emit("any", -1, "live index nslots 65536");

	fresh();
	x = idx(img, live_idx);
	x->generation = cpu_to_le64(~0ULL);
	idx_crc(x);
	emit("any", -1, "live index generation 2^64-1");

	fresh();
	x = idx(img, live_idx);
	x->sb_seq = cpu_to_le64(le64_to_cpu(x->sb_seq) + 1);
	idx_crc(x);
	emit("any", -1, "live index bound to a future superblock");

	fresh();
	x = idx(img, live_idx);
	x->sb_uuid[0] ^= 0xff;
	idx_crc(x);
	emit("any", -1, "live index bound to another region's UUID");

	/* no structure at all */
	memset(img, 0xff, area);
	emit("down", -1, "label area all 0xff");
	srandom(8);
	for (i = 0; i < 4; i++) {
		size_t n;

		for (n = 0; n < area; n++)
			img[n] = (unsigned char)random();
		emit("down", -1, "label area random bytes #%d", i);
	}
	/* random bytes but valid superblocks and index: only slots garbage */
	for (i = 0; i < 4; i++) {
		size_t n;

		fresh();
		for (n = PKERN_SLOT_OFF + 2 * PKERN_SLOT_SIZE; n < area; n++)
			img[n] = (unsigned char)random();
		x = idx(img, live_idx);
		memset(x->bitmap, 0, sizeof(x->bitmap));
		for (n = 0; n < le32_to_cpu(x->nslots); n++)
			x->bitmap[n / 8] |= 1U << (n % 8);
		x->nr_used = x->nslots;
		idx_crc(x);
		emit("any", -1, "every slot used, slots 2.. random #%d", i);
	}
}

static int pick_live(void)
{
	u64 best = 0;
	int i;

	live_sb = live_idx = -1;
	for (i = 0; i < 2; i++) {
		struct pkern_sb *s = sb(base, i);

		if (!memcmp(s->magic, PKERN_SB_MAGIC, 8) &&
		    pkern_crc32(s, SB_CRC_LEN) == le32_to_cpu(s->crc) &&
		    (live_sb < 0 || le64_to_cpu(s->seq) > best)) {
			live_sb = i;
			best = le64_to_cpu(s->seq);
		}
	}
	if (live_sb < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		struct pkern_index *x = idx(base, i);

		if (pkern_crc32(x, IDX_CRC_LEN) != le32_to_cpu(x->crc) ||
		    le64_to_cpu(x->sb_seq) != best)
			continue;
		if (live_idx < 0 || le64_to_cpu(x->generation) >
		    le64_to_cpu(idx(base, live_idx)->generation))
			live_idx = i;
	}
	return live_idx < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct pkern_region_info info = { .argsz = sizeof(info) };
	struct pkern_read_labels rl = { .argsz = sizeof(rl) };
	char path[4096];
	FILE *f;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: genbad /dev/pkernN OUTDIR\n");
		return 2;
	}
	outdir = argv[2];
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || ioctl(fd, PKERN_IOC_INFO, &info)) {
		fprintf(stderr, "genbad: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (info.state != PKERN_STATE_READY || info.nr_namespaces != 2) {
		fprintf(stderr, "genbad: %s must be ready with exactly two namespaces (slots 0, 1)\n",
			argv[1]);
		return 2;
	}
	region_size = info.size;
	data_start = info.data_start;
	area = data_start;
	base = malloc(area);
	img = malloc(area);
	if (!base || !img)
		return 2;
	rl.length = area;
	rl.buf = (uintptr_t)base;
	if (ioctl(fd, PKERN_IOC_READ_LABELS, &rl)) {
		fprintf(stderr, "genbad: READ_LABELS: %s\n", strerror(errno));
		return 2;
	}
	close(fd);
	if (pick_live()) {
		fprintf(stderr, "genbad: no live superblock/index in the baseline\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/baseline.bin", outdir);
	f = fopen(path, "w");
	if (!f || fwrite(base, 1, area, f) != area || fclose(f))
		return 2;
	snprintf(path, sizeof(path), "%s/manifest", outdir);
	manifest = fopen(path, "w");
	if (!manifest)
		return 2;

	slot_attacks();
	all_slots_attack();
	region_attacks();
	fclose(manifest);
	printf("genbad: %u images of %zu bytes (region %llu bytes, data at %#llx)\n",
	       count, area, (unsigned long long)region_size,
	       (unsigned long long)data_start);
	return 0;
}
