// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Read-only queries on a loaded region: iteration, lookup, name and
 * placement rules and the label-area size.
 */
#include "pkern_lib.h"

/**
 * pkern_label_area_size() - bytes before the data area for a slot count
 * @nslots: number of label slots
 *
 * Return: round_up(0x4000 + @nslots * 256, 4 KiB); with the default 512
 * slots that is 144 KiB, with 256 slots 80 KiB.
 */
u64 pkern_label_area_size(u32 nslots)
{
	return pk_round_up(PKERN_SLOT_OFF + (u64)nslots * PKERN_SLOT_SIZE,
			   PKERN_GRANULE);
}

/**
 * pkern_place_align() - where a namespace of a kind may start and end
 * @kind: PKERN_KIND_* value
 * @align: the label's alignment
 *
 * The kernel hot-plugs device-dax memory in whole 2 MiB subsections, so
 * guest memory starts and ends on 2 MiB even when it is mapped with 4 KiB
 * pages.  The label records only @align.
 *
 * Return: the alignment the extent's start and size must both have: the
 * larger of @align and PKERN_GUEST_PLACE_ALIGN for guest memory, @align
 * otherwise.
 */
u64 pkern_place_align(u32 kind, u64 align)
{
	if (kind == PKERN_KIND_GUEST && align < PKERN_GUEST_PLACE_ALIGN)
		return PKERN_GUEST_PLACE_ALIGN;
	return align;
}

static bool name_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '_' || c == '.' || c == ':' || c == '+' ||
			  c == '@' || c == '-');
}

/**
 * pkern_name_valid() - whether a string is a valid namespace name
 * @name: string; at most PKERN_NAME_LEN bytes are read
 *
 * Return: true for 1..63 characters from [A-Za-z0-9_.:+@-] starting with
 * a letter or digit, terminated within PKERN_NAME_LEN bytes.
 */
bool pkern_name_valid(const char *name)
{
	int i;

	if (!name)
		return false;
	for (i = 0; i < PKERN_NAME_LEN; i++) {
		if (!name[i])
			return i > 0;
		if (!name_char(name[i], i == 0))
			return false;
	}
	return false;
}

/**
 * pkern_ns_usable() - whether a namespace may be exposed
 * @ns: decoded label
 *
 * Return: true if nothing is wrong with it (valid fields, known kind, no
 * conflict with an older label).
 */
bool pkern_ns_usable(const struct pkern_ns *ns)
{
	return ns && ns->problem == PKERN_P_NONE;
}

static u32 used_limit(const struct pkern_labels *r)
{
	const struct pkern_sb_info *sb = pk_live_sb(r);

	return sb && r->active_index >= 0 ? sb->nslots : 0;
}

/**
 * pkern_ns_next() - iterate over used slots, usable or not
 * @r: loaded region
 * @prev: previous result, or NULL to start
 *
 * Return: the next used slot's namespace in slot order, or NULL.
 */
const struct pkern_ns *pkern_ns_next(const struct pkern_labels *r,
				     const struct pkern_ns *prev)
{
	u32 n = prev ? prev->slot + 1 : 0, limit = used_limit(r);

	for (; n < limit; n++)
		if (pk_bit(r->bitmap, n))
			return &r->ns[n];
	return NULL;
}

/**
 * pkern_find_name() - look up a usable namespace by name
 * @r: loaded region
 * @name: name (at most PKERN_NAME_LEN bytes are read)
 *
 * Callers that expose namespaces must also check @r->status.
 *
 * Return: the namespace, or NULL.
 */
const struct pkern_ns *pkern_find_name(const struct pkern_labels *r,
				       const char *name)
{
	const struct pkern_ns *ns;

	if (!pkern_name_valid(name))
		return NULL;
	pkern_for_each_ns(r, ns)
		if (pkern_ns_usable(ns) && pk_name_eq(ns->name, name))
			return ns;
	return NULL;
}

/**
 * pkern_find_uuid() - look up a usable namespace by UUID
 * @r: loaded region
 * @uuid: PKERN_UUID_LEN bytes
 *
 * Return: the namespace, or NULL.
 */
const struct pkern_ns *pkern_find_uuid(const struct pkern_labels *r,
				       const u8 *uuid)
{
	const struct pkern_ns *ns;

	if (!uuid)
		return NULL;
	pkern_for_each_ns(r, ns)
		if (pkern_ns_usable(ns) &&
		    !memcmp(ns->uuid, uuid, PKERN_UUID_LEN))
			return ns;
	return NULL;
}
