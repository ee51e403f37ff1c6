// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkdaxctl read-labels: copy a region's whole label area (superblocks,
 * indexes, label slots: everything before the data) into a file, as
 * ndctl read-labels -o backs up a DIMM's labels.  write-labels restores it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "opts.h"
#include "pkdaxctl.h"

static const struct pkd_opt opts[] = {
	PKD_OPT_REGION_AS("region to back up (pkernN or N); optional with one region"),
	{ "output", 'o', "FILE", "write the label area to FILE", PKD_OPT_REQUIRED },
	PKD_OPT_IMAGE,
	PKD_OPT_TIMEOUT,
	PKD_OPT_VERBOSE,
	PKD_OPT_HELP,
	PKD_OPT_END
};

const struct pkd_cmdline read_labels_cmdline = {
	.opts = opts,
	.notes = "Restore the file with pkdaxctl write-labels -i FILE.\n",
};

/* Write @len bytes of @buf to @path, durably; 0 or -1 with errno */
static int save(const char *path, const void *buf, u64 len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const char *p = buf;

	if (fd < 0)
		return -1;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = EIO;
			goto fail;
		}
		p += n;
		len -= (u64)n;
	}
	if (fsync(fd))
		goto fail;
	return close(fd);
fail:
	close(fd);
	return -1;
}

int cmd_read_labels(int argc, char **argv)
{
	struct pkd_target t = { .readonly = true };
	struct pkd_getopt g = { .cl = &read_labels_cmdline, .target = &t };
	const struct pkern_sb_info *sb;
	const char *out = NULL;
	int c, ret = PKD_EXIT_FAIL;
	struct pkd_regions rs;
	struct pkd_region *r;
	void *buf = NULL;

	while ((c = pkd_getopt(&g, argc, argv)) > 0)
		if (c == 'o')
			out = optarg;
	if (c < 0)
		return g.status;
	if (!out || !*out)
		return pkd_usage_err("name the backup file with -o FILE");
	if (pkd_open(&t, &rs))
		return PKD_EXIT_FAIL;
	if (rs.n != 1) {
		pkd_err("%d regions selected; pick one with -r", rs.n);
		goto out;
	}
	r = rs.r[0];
	if (r->labels->active_sb < 0) {
		pkd_err("%s has no valid superblock, so the extent of its label area is unknown; nothing was written (see pkdaxctl check)",
			r->dev);
		goto out;
	}
	sb = &r->labels->sb[r->labels->active_sb];
	buf = malloc(sb->data_start);
	if (!buf) {
		pkd_err("out of memory for %llu bytes of labels",
			(unsigned long long)sb->data_start);
		goto out;
	}
	if (r->media->ops->read(r->media->ctx, 0, buf, sb->data_start)) {
		pkd_err("cannot read the label area of %s: %s; nothing was written",
			r->dev, strerror(errno));
		goto out;
	}
	if (save(out, buf, sb->data_start)) {
		pkd_err("cannot write %s: %s", out, strerror(errno));
		unlink(out);
		goto out;
	}
	printf("read %llu bytes of labels of %s into %s\n",
	       (unsigned long long)sb->data_start, r->dev, out);
	ret = PKD_EXIT_OK;
out:
	free(buf);
	pkd_close_all(&rs);
	return ret;
}
