// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkdaxctl write-labels: restore a label area saved by read-labels onto
 * a region image.  The backup is decoded by lib's loader first, as if it
 * were the region: anything lib would not accept is refused with the
 * media untouched, and so is a backup of another region unless --force.
 * Live regions are refused: their label area belongs to the driver.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "opts.h"
#include "parse.h"
#include "pkdaxctl.h"
#include "pkern_format.h"

static const struct pkd_opt opts[] = {
	{ "input", 'i', "FILE", "the label area to restore (from read-labels -o)",
	  PKD_OPT_REQUIRED },
	{ "force", 'f', NULL,
	  "restore a backup of another region (UUID or size differ)", 0 },
	PKD_OPT_IMAGE,
	PKD_OPT_TIMEOUT,
	PKD_OPT_VERBOSE,
	PKD_OPT_HELP,
	PKD_OPT_END
};

const struct pkd_cmdline write_labels_cmdline = {
	.opts = opts,
	.notes = "The backup must decode cleanly; the data area is never written.\n",
};

/* The backup as media: its bytes, zeros up to the target region's size */
struct backup {
	const u8 *buf;
	u64 len;
};

static int backup_read(void *ctx, u64 off, void *out, u64 len)
{
	const struct backup *b = ctx;
	u64 have = off < b->len ? b->len - off : 0;

	if (have > len)
		have = len;
	memcpy(out, b->buf + off, have);
	memset((u8 *)out + have, 0, len - have);
	return 0;
}

static const struct pkern_media_ops backup_ops = { .read = backup_read };

static void *slurp(const char *path, u64 *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	u8 *buf = NULL;
	u64 got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !st.st_size) {
		if (!errno || S_ISREG(st.st_mode))
			errno = EINVAL;
		goto out;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf)
		goto out;
	while (got < (u64)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			buf = NULL;
			errno = n ? errno : EIO;
			goto out;
		}
		got += (u64)n;
	}
	*len = got;
out:
	close(fd);
	return buf;
}

/*
 * lib's verdict on the backup as a region of @size bytes: 0 if it is
 * clean, 1 if it was saved from a region of another size (with --force:
 * judged at its own size), -1 (reported) otherwise.
 */
static int validate(const char *path, const struct backup *b, u64 size,
		    bool force, struct pkern_labels *l)
{
	struct pkern_media m = { .ops = &backup_ops, .ctx = (void *)b, .size = size };
	const struct pkern_sb_info *sb;
	const struct pkern_ns *ns;
	int rc = pkern_load(l, &m);

	if (rc == -PKERN_E_SIZE_CHANGED && l->active_sb >= 0) {
		u64 was = l->sb[l->active_sb].region_size;

		if (!force) {
			pkd_err("%s was saved from a region of %llu bytes, not %llu; nothing was changed (--force restores it, leaving the region to be resized to %llu bytes before use)",
				path, (unsigned long long)was,
				(unsigned long long)size, (unsigned long long)was);
			return -1;
		}
		return validate(path, b, was, false, l) ? -1 : 1;
	}
	if (rc) {
		pkd_err("%s is not a label area pkern can use: %s; nothing was changed",
			path, pkern_strerror(rc));
		return -1;
	}
	/* a live region survives one bad superblock copy; a backup must not need to */
	for (int i = 0; i < 2; i++)
		if (l->sb[i].problem != PKERN_P_NONE) {
			pkd_err("%s: superblock copy %d: %s; nothing was changed",
				path, i, pkern_problem_str(l->sb[i].problem));
			return -1;
		}
	/* the older index may be blank or stale, never damaged */
	for (int i = 0; i < 2; i++)
		if (l->index[i].problem != PKERN_P_NONE &&
		    l->index[i].problem != PKERN_P_IDX_NONE) {
			pkd_err("%s: index block %d: %s; nothing was changed",
				path, i, pkern_problem_str(l->index[i].problem));
			return -1;
		}
	sb = &l->sb[l->active_sb];
	if (sb->data_start != b->len) {
		pkd_err("%s holds %llu bytes but its superblock records a label area of %llu bytes; nothing was changed",
			path, (unsigned long long)b->len,
			(unsigned long long)sb->data_start);
		return -1;
	}
	pkern_for_each_ns(l, ns)
		if (ns->problem != PKERN_P_NONE) {
			pkd_err("%s: label slot %u: %s; nothing was changed (pkdaxctl check --image on a copy says more)",
				path, ns->slot, pkern_problem_str(ns->problem));
			return -1;
		}
	return 0;
}

/* Same region as the backup: its UUID, when the region still has one */
static int same_region(const char *path, const struct pkd_region *r,
		       const struct pkern_labels *l, bool force)
{
	const struct pkern_sb_info *want = &l->sb[l->active_sb];
	char a[37], b[37];

	if (r->labels->active_sb < 0 || force)
		return 0;
	if (!memcmp(r->labels->sb[r->labels->active_sb].uuid, want->uuid,
		    PKERN_UUID_LEN))
		return 0;
	pkd_uuid_str(want->uuid, a);
	pkd_uuid_str(r->labels->sb[r->labels->active_sb].uuid, b);
	pkd_err("%s is a backup of region %s, but %s is region %s; nothing was changed (--force to restore it anyway)",
		path, a, r->dev, b);
	return -1;
}

/*
 * Slots first, then the indexes, then one superblock copy and the other,
 * each made durable before the next: the superblocks that name the new
 * area are written last.
 */
static int restore(const struct pkd_region *r, const struct backup *b)
{
	const struct pkern_media *m = r->media;
	static const struct { u64 off, end; } parts[] = {
		{ PKERN_SLOT_OFF, 0 },
		{ PKERN_INDEX_OFF(0), PKERN_SLOT_OFF },
		{ PKERN_SB_OFF(1), PKERN_INDEX_OFF(0) },
		{ PKERN_SB_OFF(0), PKERN_SB_OFF(1) },
	};

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		u64 off = parts[i].off, end = parts[i].end ? parts[i].end : b->len;

		if (m->ops->write(m->ctx, off, b->buf + off, end - off) ||
		    m->ops->persist(m->ctx, off, end - off))
			return -1;
	}
	return 0;
}

int cmd_write_labels(int argc, char **argv)
{
	struct pkd_target t = { 0 };
	struct pkd_getopt g = { .cl = &write_labels_cmdline, .target = &t };
	struct pkern_labels *l = NULL;
	const char *in = NULL;
	int c, ret = PKD_EXIT_FAIL;
	struct backup b = { 0 };
	struct pkd_regions rs = { 0 };
	struct pkd_region *r;
	bool force = false;
	u8 *buf;

	while ((c = pkd_getopt(&g, argc, argv)) > 0) {
		if (c == 'i')
			in = optarg;
		else if (c == 'f')
			force = true;
	}
	if (c < 0)
		return g.status;
	if (!in || !*in)
		return pkd_usage_err("name the backup to restore with -i FILE");
	if (!t.image)
		return pkd_usage_err("write-labels restores onto an image only (--image FILE): a live region's label area is the driver's");
	buf = slurp(in, &b.len);
	if (!buf) {
		pkd_err("cannot read %s: %s; nothing was changed", in,
			strerror(errno));
		return PKD_EXIT_FAIL;
	}
	b.buf = buf;
	if (b.len < PKERN_SLOT_OFF) {
		pkd_err("%s is %llu bytes, smaller than any label area; nothing was changed",
			in, (unsigned long long)b.len);
		goto out;
	}
	if (pkd_open(&t, &rs))
		goto out;
	r = rs.r[0];
	l = calloc(1, sizeof(*l));
	if (!l) {
		pkd_err("out of memory");
		goto out;
	}
	if (b.len > r->size) {
		pkd_err("%s is %llu bytes, more than the whole of %s; nothing was changed",
			in, (unsigned long long)b.len, r->dev);
		goto out;
	}
	/* as the region it is to become: a backup of another size fails here */
	if (validate(in, &b, r->size, force, l) < 0)
		goto out;
	if (same_region(in, r, l, force))
		goto out;
	pkd_info("restoring %llu bytes of labels from %s", (unsigned long long)b.len, in);
	if (restore(r, &b)) {
		pkd_err("cannot write the labels of %s: %s; the data area is untouched: run this command again to complete the restore",
			r->dev, strerror(errno));
		goto out;
	}
	printf("wrote %llu bytes of labels from %s to %s\n",
	       (unsigned long long)b.len, in, r->dev);
	ret = PKD_EXIT_OK;
out:
	free(l);
	free(buf);
	pkd_close_all(&rs);
	return ret;
}
