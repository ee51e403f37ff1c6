// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkdaxctl inspect: everything on the label area, decoded, as JSON: both
 * superblock copies, both index blocks, and every label slot that holds
 * anything, with why each is or is not in use.  Used slots come from
 * lib's loader.  Unused slots are not lib's concern (nothing reads them),
 * so their stale contents are decoded here for display only, using the
 * struct layout from pkern_format.h.
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "json.h"
#include "opts.h"
#include "pkdaxctl.h"

static const struct pkd_opt opts[] = {
	PKD_OPT_REGION,
	PKD_OPT_IMAGE,
	PKD_OPT_TIMEOUT,
	PKD_OPT_HUMAN,
	PKD_OPT_VERBOSE,
	PKD_OPT_HELP,
	PKD_OPT_END
};

const struct pkd_cmdline inspect_cmdline = { .opts = opts };

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static void add_problem(struct json_object *o, enum pkern_problem_code code)
{
	add(o, "valid", json_object_new_boolean(code == PKERN_P_NONE));
	if (code != PKERN_P_NONE)
		add(o, "problem",
		    json_object_new_string(pkern_problem_str(code)));
}

static struct json_object *sb_json(const struct pkern_labels *labels, int i,
				   unsigned int f)
{
	const struct pkern_sb_info *sb = &labels->sb[i];
	struct json_object *o = json_object_new_object();

	add(o, "copy", json_object_new_int(i));
	add(o, "offset", pkd_json_hex(PKERN_SB_OFF(i), f));
	add(o, "live", json_object_new_boolean(labels->active_sb == i));
	if (sb->problem == PKERN_P_SB_NONE) {
		/* no magic: never written, nothing to decode */
		add(o, "valid", json_object_new_boolean(false));
		add(o, "blank", json_object_new_boolean(true));
		return o;
	}
	add_problem(o, sb->problem);
	add(o, "major", json_object_new_int(sb->major));
	add(o, "minor", json_object_new_int(sb->minor));
	add(o, "seq", pkd_json_u64(sb->seq));
	add(o, "region_size", pkd_json_size(sb->region_size, f));
	add(o, "label_size", pkd_json_size(sb->label_size, f));
	add(o, "data_start", pkd_json_hex(sb->data_start, f));
	add(o, "granule", pkd_json_align(sb->granule));
	add(o, "slot_size", json_object_new_int((int)sb->slot_size));
	add(o, "nslots", json_object_new_int((int)sb->nslots));
	add(o, "uuid", pkd_json_uuid(sb->uuid));
	return o;
}

static struct json_object *index_json(const struct pkern_labels *labels, int i,
				      unsigned int f)
{
	const struct pkern_index_info *x = &labels->index[i];
	struct json_object *o = json_object_new_object();

	add(o, "block", json_object_new_int(i));
	add(o, "offset", pkd_json_hex(PKERN_INDEX_OFF(i), f));
	add(o, "live", json_object_new_boolean(labels->active_index == i));
	if (x->problem == PKERN_P_IDX_NONE) {
		/* blank, or left over from an earlier format (stale) */
		bool blank = !x->generation && !x->sb_seq;

		add(o, "valid", json_object_new_boolean(false));
		add(o, blank ? "blank" : "stale", json_object_new_boolean(true));
		if (blank)
			return o;
	} else {
		add_problem(o, x->problem);
	}
	add(o, "generation", pkd_json_u64(x->generation));
	add(o, "sb_seq", pkd_json_u64(x->sb_seq));
	add(o, "nslots", json_object_new_int((int)x->nslots));
	add(o, "nr_used", json_object_new_int((int)x->nr_used));
	return o;
}

static bool all_zero(const void *p, size_t len)
{
	const u8 *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* Raw label fields exactly as found, for slots lib did not vouch for */
static struct json_object *raw_label_json(const struct pkern_label *l,
					  unsigned int f)
{
	struct json_object *o = json_object_new_object();
	u32 crc = pkern_crc32(l, sizeof(*l) - sizeof(l->crc));

	add(o, "checksum_ok",
	    json_object_new_boolean(crc == le32_to_cpu(l->crc)));
	add(o, "name", pkd_json_name(l->name, PKERN_NAME_LEN - 1));
	add(o, "uuid", pkd_json_uuid(l->uuid));
	add(o, "kind", json_object_new_string(
		pkern_kind_str(le32_to_cpu(l->kind))));
	add(o, "flags", json_object_new_int64(le32_to_cpu(l->flags)));
	add(o, "offset", pkd_json_hex(le64_to_cpu(l->offset), f));
	add(o, "size", pkd_json_size(le64_to_cpu(l->size), f));
	add(o, "align", pkd_json_align(le64_to_cpu(l->align)));
	add(o, "generation", pkd_json_u64(le64_to_cpu(l->create_gen)));
	return o;
}

static struct json_object *slot_json(u32 slot, bool used, unsigned int f)
{
	struct json_object *o = json_object_new_object();

	add(o, "slot", json_object_new_int((int)slot));
	add(o, "offset", pkd_json_hex(PKERN_SLOT_OFF +
				      (u64)slot * PKERN_SLOT_SIZE, f));
	add(o, "used", json_object_new_boolean(used));
	return o;
}

/*
 * A used slot as lib judged it; when the checksum failed lib decodes
 * nothing, so the raw fields are shown as well.
 */
static struct json_object *used_json(const struct pkd_region *r,
				     const struct pkern_ns *ns,
				     const struct pkern_label *raw,
				     unsigned int f)
{
	struct json_object *o = slot_json(ns->slot, true, f);

	add(o, "usable", json_object_new_boolean(pkern_ns_usable(ns)));
	add(o, "label", pkd_ns_json(r, ns, f));
	if (ns->problem == PKERN_P_LBL_CRC)
		add(o, "raw", raw_label_json(raw, f));
	return o;
}

static int slots_json(struct pkd_region *r, struct json_object *o,
		      unsigned int f)
{
	const struct pkern_labels *labels = r->labels;
	struct json_object *arr = json_object_new_array();
	struct pkern_label l;
	u32 nslots, empty = 0;

	add(o, "slots", arr);
	if (labels->active_sb < 0)
		return 0;
	nslots = labels->sb[labels->active_sb].nslots;
	for (u32 s = 0; s < nslots && s < PKERN_MAX_SLOTS; s++) {
		bool used = labels->active_index >= 0 &&
			    (labels->bitmap[s / 8] >> (s % 8)) & 1;

		if (r->media->ops->read(r->media->ctx, PKERN_SLOT_OFF +
					(u64)s * PKERN_SLOT_SIZE, &l,
					sizeof(l))) {
			pkd_err("%s: cannot read label slot %u", r->dev, s);
			return -1;
		}
		if (used) {
			json_object_array_add(arr,
					      used_json(r, &labels->ns[s], &l, f));
		} else if (all_zero(&l, sizeof(l))) {
			empty++;
		} else {
			/* stale: a destroyed label, or one never committed */
			struct json_object *so = slot_json(s, false, f);

			add(so, "label", raw_label_json(&l, f));
			json_object_array_add(arr, so);
		}
	}
	add(o, "empty_slots", json_object_new_int((int)empty));
	return 0;
}

static struct json_object *region_json(struct pkd_region *r, unsigned int f)
{
	const struct pkern_labels *labels = r->labels;
	struct json_object *o = json_object_new_object();
	struct json_object *a;

	add(o, "dev", json_object_new_string(r->dev));
	add(o, "size", pkd_json_size(r->size, f));
	add(o, "state", json_object_new_string(pkern_state_str(r->state)));
	add(o, "status", json_object_new_string(pkern_strerror(labels->status)));
	if (labels->active_index >= 0)
		add(o, "generation", pkd_json_u64(labels->generation));
	a = json_object_new_array();
	for (int i = 0; i < 2; i++)
		json_object_array_add(a, sb_json(labels, i, f));
	add(o, "superblocks", a);
	a = json_object_new_array();
	for (int i = 0; i < 2; i++)
		json_object_array_add(a, index_json(labels, i, f));
	add(o, "index_blocks", a);
	if (slots_json(r, o, f)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int cmd_inspect(int argc, char **argv)
{
	struct pkd_target t = { .readonly = true };
	struct json_object *out;
	struct pkd_getopt g = { .cl = &inspect_cmdline, .target = &t };
	struct pkd_regions rs;
	unsigned int f = 0;
	int c, ret = PKD_EXIT_OK;

	while ((c = pkd_getopt(&g, argc, argv)) > 0) {
		switch (c) {
		case 'u':
			f |= PKD_JSON_HUMAN;
			break;
		}
	}
	if (c < 0)
		return g.status;
	if (pkd_open(&t, &rs))
		return PKD_EXIT_FAIL;
	out = json_object_new_array();
	for (int i = 0; i < rs.n; i++) {
		struct json_object *o = region_json(rs.r[i], f);

		if (!o) {
			ret = PKD_EXIT_FAIL;
			continue;
		}
		json_object_array_add(out, o);
	}
	pkd_json_print(out);
	pkd_close_all(&rs);
	return ret;
}
