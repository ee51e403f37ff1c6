// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes the fuzzer's seed corpus: formatted regions with namespaces,
 * made by lib/ itself, and corrupted variants of them, each one problem.
 * Files are the fuzzer's input format (mode byte + image with trailing
 * zeroes trimmed; see fuzz_label.c).
 *
 *   gen_corpus DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include "helpers.h"

#define MIB	(1ULL << 20)
#define ANY	PKERN_OFFSET_ANY
#define VIRT	(64 * MIB)

static const char *dir;
static int nfiles;

static void save_mode(const struct timg *t, const char *what, u8 flags)
{
	u64 len = t->mm.img_len, round;
	char path[512];
	u8 mode;
	FILE *f;

	while (len && !t->buf[len - 1])
		len--;
	if (t->mm.size == VIRT) {
		mode = 0x80;
	} else {
		round = (len + 4095) & ~4095ULL;
		if (t->mm.size < round || (t->mm.size - round) / 4096 > 63) {
			fprintf(stderr, "gen_corpus: %s: size not encodable\n",
				what);
			exit(1);
		}
		mode = (u8)((t->mm.size - round) / 4096);
	}
	mode |= flags;
	snprintf(path, sizeof(path), "%s/seed-%02d-%s", dir, nfiles++, what);
	f = fopen(path, "wb");
	if (!f || fwrite(&mode, 1, 1, f) != 1 ||
	    fwrite(t->buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "gen_corpus: cannot write %s\n", path);
		exit(1);
	}
}

static void save(const struct timg *t, const char *what)
{
	save_mode(t, what, 0);
}

/* Same image, fuzzed with checksums recomputed (see fuzz_label.c). */
static void save_fixcrc(const struct timg *t, const char *what)
{
	save_mode(t, what, 0x40);
}

static struct timg *virt(u32 nslots)
{
	struct timg *t = timg_new(pkern_label_area_size(nslots));

	t->mm.size = t->m.size = VIRT;
	if (timg_format(t, nslots, false)) {
		fprintf(stderr, "gen_corpus: format failed\n");
		exit(1);
	}
	return t;
}

static void must(int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "gen_corpus: %s: %s\n", what,
			pkern_strerror(ret));
		exit(1);
	}
}

static struct timg *populated(void)
{
	struct timg *t = virt(64);

	must(timg_create(t, "vm1", 4 * MIB, PKERN_ALIGN_2M, ANY), "vm1");
	must(timg_create(t, "vm2", 0x3000, PKERN_ALIGN_4K, ANY), "vm2");
	must(timg_create(t, "iommu0", 2 * MIB, PKERN_ALIGN_2M, ANY), "iommu0");
	must(timg_create(t, "vm3", 0x1000, PKERN_ALIGN_4K, ANY), "vm3");
	must(pkern_destroy(t->r, 1), "destroy");
	must(timg_create(t, "vm4", 0x1000, PKERN_ALIGN_4K, 48 * MIB), "vm4");
	return t;
}

/* Variants of populated(): one raw corruption each, checksums fixed. */
static void corrupt_variants(void)
{
	struct pkern_label l;
	struct timg *t;
	u32 slot;
	int i;

	for (i = 0; i < 16; i++) {
		t = populated();
		slot = 2;
		raw_get_label(t, slot, &l);
		switch (i) {
		case 0: raw_sb(t, 0)->crc ^= 1; break;
		case 1: raw_sb(t, 0)->major = htole16(2);
			raw_sb_fix_crc(raw_sb(t, 0)); break;
		case 2: raw_sb(t, 0)->nslots = htole32(72);
			raw_sb_fix_crc(raw_sb(t, 0)); break;
		case 3: raw_index(t, t->r->active_index)->crc ^= 1; break;
		case 4: raw_index(t, t->r->active_index)->bitmap[9] = 1;
			raw_index_fix_crc(raw_index(t, t->r->active_index));
			break;
		case 5: l.crc ^= 1; break;
		case 6: l.offset = htole64(le64toh(l.offset) - 2 * MIB); break;
		case 7: memcpy(l.name, "vm1", 4); break;
		case 8: {
			struct pkern_label other;

			raw_get_label(t, 0, &other);
			memcpy(l.uuid, other.uuid, PKERN_UUID_LEN);
			break;
		}
		case 9: l.create_gen = htole64(1000); break;
		case 10: l.kind = htole32(5); break;
		case 11: l.flags = htole32(4); break;
		case 12: l.name[0] = '-'; break;
		case 13: memset(l.uuid, 0, 16); break;
		case 14: l.size = htole64(VIRT); break;
		case 15: l.align = htole64(0x3000); break;
		}
		if (i >= 5) {
			if (i != 5)
				raw_label_fix_crc(&l);
			raw_put_label(t, slot, &l);
		}
		save(t, "corrupt");
		timg_free(t);
	}
}

int main(int argc, char **argv)
{
	struct timg *t;
	char name[16];
	int i;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus DIR\n");
		return 2;
	}
	dir = argv[1];

	t = timg_new(0x9000);		/* blank */
	t->mm.size = t->m.size = VIRT;
	save(t, "blank");
	timg_free(t);

	t = virt(64);
	save(t, "empty64");
	timg_free(t);

	t = populated();
	save(t, "populated");
	save_fixcrc(t, "populated-fixcrc");
	/* reformat and repopulate: both copies and blocks in use */
	must(timg_format(t, 64, true), "reformat");
	must(timg_create(t, "after", 8 * MIB, PKERN_ALIGN_2M, ANY), "after");
	save(t, "reformatted");
	timg_free(t);

	t = virt(512);
	for (i = 0; i < 24; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		must(timg_create(t, name, 0x1000 * (1 + i % 3), PKERN_ALIGN_4K,
				 ANY), name);
	}
	save(t, "many512");
	save_fixcrc(t, "many512-fixcrc");
	timg_free(t);

	t = virt(1024);
	must(timg_create(t, "g", 1ULL << 30 >> 6, PKERN_ALIGN_2M, ANY), "g");
	save(t, "slots1024");
	timg_free(t);

	/* a small region whose size comes from the input length */
	t = timg_new(0x8000 + 16 * 0x1000);
	must(timg_format(t, 64, false), "small");
	must(timg_create(t, "s1", 0x2000, PKERN_ALIGN_4K, ANY), "s1");
	must(timg_create(t, "s2", 0x1000, PKERN_ALIGN_4K, ANY), "s2");
	save(t, "small");
	timg_free(t);

	/* recorded bad pages, runs and singles, one under a namespace */
	t = populated();
	must(pkern_bad_add(t->r, 40 * MIB, 0x3000) < 0, "bad run");
	must(pkern_bad_add(t->r, 50 * MIB, 0x1000) < 0, "bad page");
	must(pkern_bad_add(t->r, pkern_ns_next(t->r, NULL)->offset, 0x1000) < 0,
	     "bad under a namespace");
	save(t, "badpages");
	save_fixcrc(t, "badpages-fixcrc");
	timg_free(t);

	corrupt_variants();
	printf("gen_corpus: %d seeds in %s\n", nfiles, dir);
	return 0;
}
