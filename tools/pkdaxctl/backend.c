// SPDX-License-Identifier: GPL-2.0-only
/*
 * Region selection and the parts of the backend interface that do not
 * depend on how the region is reached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pkern.h>

#include "backend.h"
#include "parse.h"
#include "pkdaxctl.h"

void pkd_region_refresh_space(struct pkd_region *r)
{
	r->state = pkern_uapi_state(r->labels->status);
	r->available = 0;
	r->largest = 0;
	if (r->labels->status == 0)
		r->available = pkern_free_bytes(r->labels, PKERN_GRANULE,
						&r->largest);
}

const char *pkd_strerror(const struct pkd_region *r, int err)
{
	if (err == -PKD_E_BUSY)
		return "device is open or mapped";
	if (err == -PKD_E_SYS || (err == -PKERN_E_IO && r && r->sys_errno))
		return strerror(r && r->sys_errno ? r->sys_errno : EIO);
	return pkern_strerror(err);
}

/*
 * The labels are intact but describe another size: the way back is the
 * old size, and reformatting is named only with what it costs.
 */
void pkd_report_size_changed(const struct pkd_region *r)
{
	const struct pkern_labels *labels = r->labels;
	unsigned long long was = labels->active_sb >= 0 ?
		labels->sb[labels->active_sb].region_size : 0;

	if (r->live)
		pkd_err("%s was formatted for %llu bytes but is %llu bytes: boot with the memmap= size it had to use its namespaces (init-labels --force would lose them)",
			r->dev, was, (unsigned long long)r->size);
	else
		pkd_err("image %s was formatted for %llu bytes but is %llu bytes: resize it back (truncate -s %llu %s) to use its namespaces (init-labels --force would lose them)",
			r->dev, was, (unsigned long long)r->size, was, r->dev);
}

/* "pkern3" or "3" -> 3 */
static int parse_region_name(const char *s, int *id)
{
	u32 v;

	if (!strncmp(s, "pkern", 5))
		s += 5;
	if (pkd_parse_u32(s, &v) || v > 0x7fffffff)
		return -1;
	*id = (int)v;
	return 0;
}

static void list_known(const int *ids, int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%spkern%d",
				 i ? ", " : "", ids[i]);
}

static int open_live(const struct pkd_target *t, struct pkd_regions *out)
{
	char known[256];
	int *ids = NULL;
	int n, want = -1, rc = -1;

	n = pkd_live_ids(&ids);
	if (n < 0)
		return -1;
	list_known(ids, n, known, sizeof(known));
	if (t->region) {
		bool found = false;

		if (!parse_region_name(t->region, &want))
			for (int i = 0; i < n; i++)
				found |= ids[i] == want;
		if (!found) {
			if (n)
				pkd_err("unknown region '%s'; regions: %s",
				       t->region, known);
			else
				pkd_err("unknown region '%s': no pkern regions (is dax_pkern loaded? use --image FILE for an image)",
				       t->region);
			goto out;
		}
	}
	out->r = calloc(n ? n : 1, sizeof(*out->r));
	if (!out->r) {
		pkd_err("out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		if (want >= 0 && ids[i] != want)
			continue;
		if (pkd_live_open(ids[i], &out->r[out->n]))
			goto out;
		out->n++;
	}
	rc = 0;
out:
	free(ids);
	if (rc)
		pkd_close_all(out);
	return rc;
}

int pkd_open(const struct pkd_target *t, struct pkd_regions *out)
{
	out->r = NULL;
	out->n = 0;
	if (!t->image && t->has_timeout) {
		pkd_err("--timeout applies to --image only: the driver serializes updates of live regions");
		return -1;
	}
	if (!t->image) {
		pkd_info("live regions%s%s", t->region ? ": only " : "",
			 t->region ? t->region : "");
		return open_live(t, out);
	}
	pkd_info("region image %s, opened %s", t->image,
		 t->readonly ? "read-only" : "read-write");
	if (t->region && strcmp(t->region, t->image)) {
		pkd_err("with --image the region is the image '%s'; drop -r %s",
		       t->image, t->region);
		return -1;
	}
	out->r = calloc(1, sizeof(*out->r));
	if (!out->r) {
		pkd_err("out of memory");
		return -1;
	}
	if (pkd_image_open(t, &out->r[0])) {
		free(out->r);
		out->r = NULL;
		return -1;
	}
	out->n = 1;
	return 0;
}

void pkd_close_all(struct pkd_regions *rs)
{
	for (int i = 0; i < rs->n; i++)
		rs->r[i]->ops->close(rs->r[i]);
	free(rs->r);
	rs->r = NULL;
	rs->n = 0;
}
