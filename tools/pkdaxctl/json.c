// SPDX-License-Identifier: GPL-2.0-only
/*
 * JSON objects for regions and namespaces.  Key names follow ndctl and
 * daxctl where the meaning matches (dev, size, align, uuid, name,
 * available_size, max_available_extent, state, chardev, mode,
 * target_node); pkern adds kind, offset, slot, generation and problem.
 */
#include <stdio.h>
#include <linux/pkern.h>

#include "json.h"
#include "pkern_pool.h"
#include "parse.h"

struct json_object *pkd_json_u64(u64 v)
{
	return json_object_new_uint64(v);
}

struct json_object *pkd_json_size(u64 v, unsigned int flags)
{
	char buf[64];

	/* small values stay numbers, as in ndctl */
	if (!(flags & PKD_JSON_HUMAN) || v < 5000)
		return pkd_json_u64(v);
	pkd_human_size(v, buf, sizeof(buf));
	return json_object_new_string(buf);
}

struct json_object *pkd_json_align(u64 v)
{
	return pkd_json_u64(v);
}

struct json_object *pkd_json_hex(u64 v, unsigned int flags)
{
	char buf[32];

	if (!(flags & PKD_JSON_HUMAN))
		return pkd_json_u64(v);
	snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)v);
	return json_object_new_string(buf);
}

struct json_object *pkd_json_uuid(const u8 *uuid)
{
	char buf[37];

	pkd_uuid_str(uuid, buf);
	return json_object_new_string(buf);
}

struct json_object *pkd_json_name(const char *name, size_t max)
{
	char buf[PKERN_NAME_LEN];
	size_t i;

	/* names of damaged labels may hold any bytes; JSON needs UTF-8 */
	if (max > sizeof(buf) - 1)
		max = sizeof(buf) - 1;
	for (i = 0; i < max && name[i]; i++)
		buf[i] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
	buf[i] = '\0';
	return json_object_new_string(buf);
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

struct json_object *pkd_ns_json(const struct pkd_region *r,
			       const struct pkern_ns *ns, unsigned int flags)
{
	struct json_object *o = json_object_new_object();
	char dev[48];

	if (r->live) {
		snprintf(dev, sizeof(dev), "pkern%d.%u", r->id, ns->slot);
		add(o, "dev", json_object_new_string(dev));
	}
	if (flags & PKD_JSON_REGION)
		add(o, "region", json_object_new_string(r->dev));
	if (ns->problem == PKERN_P_LBL_CRC) {
		/* nothing else in a label with a bad checksum is trustworthy */
		add(o, "slot", json_object_new_int((int)ns->slot));
		add(o, "problem", json_object_new_string(
			pkern_problem_str(ns->problem)));
		return o;
	}
	add(o, "name", pkd_json_name(ns->name, PKERN_NAME_LEN));
	add(o, "uuid", pkd_json_uuid(ns->uuid));
	add(o, "kind", json_object_new_string(pkern_kind_str(ns->kind)));
	add(o, "size", pkd_json_size(ns->size, flags));
	add(o, "align", pkd_json_align(ns->align));
	add(o, "offset", pkd_json_hex(ns->offset, flags));
	add(o, "slot", json_object_new_int((int)ns->slot));
	add(o, "generation", pkd_json_u64(ns->create_gen));
	pkd_badblocks_json(o, r->labels, ns->offset, ns->size, flags);
	if (ns->problem != PKERN_P_NONE) {
		add(o, "problem", json_object_new_string(
			pkern_problem_str(ns->problem)));
		if (ns->problem == PKERN_P_LBL_OVERLAP ||
		    ns->problem == PKERN_P_LBL_DUP_NAME ||
		    ns->problem == PKERN_P_LBL_DUP_UUID)
			add(o, "conflict_slot",
			    json_object_new_int((int)ns->other));
	}
	/* what the kexec command line names for a live update (VT-d) */
	if (r->live && pkern_ns_usable(ns) && ns->kind == PKERN_KIND_IOMMU)
		add(o, "handoff_addr",
		    pkd_json_hex(r->phys_addr + ns->offset +
				 PKERN_POOL_HANDOFF_OFF, flags));
	if (r->live && (flags & PKD_JSON_DAX) && pkern_ns_usable(ns) &&
	    ns->kind == PKERN_KIND_GUEST)
		pkd_dax_add_json(o, r->id, ns->slot, flags);
	return o;
}

struct json_object *pkd_region_json(const struct pkd_region *r,
				   unsigned int flags)
{
	const struct pkern_labels *labels = r->labels;
	struct json_object *o = json_object_new_object();

	add(o, "dev", json_object_new_string(r->dev));
	add(o, "size", pkd_json_size(r->size, flags));
	add(o, "align", pkd_json_align(PKERN_GRANULE));
	add(o, "type", json_object_new_string("pkern"));
	add(o, "state", json_object_new_string(pkern_state_str(r->state)));
	if (r->live)
		add(o, "phys_addr", pkd_json_hex(r->phys_addr, flags));
	if (labels->active_sb >= 0) {
		const struct pkern_sb_info *sb = &labels->sb[labels->active_sb];

		add(o, "uuid", pkd_json_uuid(sb->uuid));
		add(o, "label_size", pkd_json_size(sb->data_start, flags));
		add(o, "nslots", json_object_new_int((int)sb->nslots));
		if (r->state == PKERN_STATE_SIZE_CHANGED)
			add(o, "recorded_size",
			    pkd_json_size(sb->region_size, flags));
	}
	if (r->state == PKERN_STATE_READY) {
		pkd_badblocks_json(o, labels, 0, r->size, flags);
		add(o, "available_size", pkd_json_size(r->available, flags));
		add(o, "max_available_extent", pkd_json_size(r->largest, flags));
	}
	if (labels->active_index >= 0) {
		add(o, "generation", pkd_json_u64(labels->generation));
		add(o, "nr_namespaces", json_object_new_int((int)labels->nr_used));
	}
	return o;
}

void pkd_json_print(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}
