// SPDX-License-Identifier: GPL-2.0-only
/*
 * Namespace lookups over every used label slot.  lib's pkern_find_*()
 * see usable namespaces only; the tool also needs the unusable ones: a
 * new name must not collide with any label (lib refuses that too), and
 * destroy-namespace must reach a damaged label to repair the region.
 * Labels with a bad checksum are skipped: their names mean nothing.
 */
#include <string.h>
#include <uuid/uuid.h>

#include "backend.h"

const struct pkern_ns *pkd_find_name_any(const struct pkern_labels *labels,
					const char *name)
{
	const struct pkern_ns *ns;

	pkern_for_each_ns(labels, ns)
		if (ns->problem != PKERN_P_LBL_CRC &&
		    !strncmp(ns->name, name, PKERN_NAME_LEN))
			return ns;
	return NULL;
}

const struct pkern_ns *pkd_find_uuid_any(const struct pkern_labels *labels,
					const u8 *uuid)
{
	const struct pkern_ns *ns;

	pkern_for_each_ns(labels, ns)
		if (ns->problem != PKERN_P_LBL_CRC &&
		    !memcmp(ns->uuid, uuid, PKERN_UUID_LEN))
			return ns;
	return NULL;
}

const struct pkern_ns *pkd_lookup(const struct pkern_labels *labels,
				 const char *name_or_uuid)
{
	const struct pkern_ns *ns = pkd_find_name_any(labels, name_or_uuid);
	uuid_t u;

	if (!ns && !uuid_parse(name_or_uuid, u) && !uuid_is_null(u))
		ns = pkd_find_uuid_any(labels, u);
	return ns;
}
