// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Short lowercase names and phrases for error codes, problems, kinds,
 * region states and problem locations: one table each, shared by kernel
 * log messages, sysfs and tool output.
 */
#include "pkern_lib.h"

static const char *const err_str[PKERN_E_MAX] = {
	[PKERN_OK]		= "success",
	[PKERN_E_IO]		= "media access failed",
	[PKERN_E_UNFORMATTED]	= "region is not formatted",
	[PKERN_E_VERSION]	= "region uses an unsupported format version",
	[PKERN_E_SIZE_CHANGED]	= "region formatted for a different size",
	[PKERN_E_CORRUPT]	= "label area is damaged",
	[PKERN_E_INVAL]		= "invalid argument",
	[PKERN_E_EXIST]		= "name or uuid already in use",
	[PKERN_E_NOSPC]		= "not enough free space",
	[PKERN_E_NOSLOT]	= "no free label slot",
	[PKERN_E_NOENT]		= "no such namespace",
	[PKERN_E_HAS_LABELS]	= "region holds namespaces",
	[PKERN_E_TOO_SMALL]	= "region too small for labels and data",
	[PKERN_E_STATE]		= "region is not in a usable state",
	[PKERN_E_BADFULL]	= "bad-page list is full, nothing recorded",
	[PKERN_E_BADPAGE]	= "extent holds a recorded bad page",
};

static const char *const problem_str[PKERN_P_MAX] = {
	[PKERN_P_NONE]		= "no problem",
	[PKERN_P_SB_CRC]	= "superblock checksum mismatch",
	[PKERN_P_SB_VERSION]	= "superblock has an unknown major version",
	[PKERN_P_SB_GEOMETRY]	= "superblock describes an impossible layout",
	[PKERN_P_SB_SIZE_CHANGED] = "region formatted for a different size",
	[PKERN_P_SB_NONE]	= "no valid superblock",
	[PKERN_P_IDX_CRC]	= "index block checksum mismatch",
	[PKERN_P_IDX_BITMAP]	= "index block bitmap inconsistent",
	[PKERN_P_IDX_NONE]	= "no valid index block",
	[PKERN_P_LBL_CRC]	= "label checksum mismatch",
	[PKERN_P_LBL_UUID]	= "label uuid is zero",
	[PKERN_P_LBL_NAME]	= "label name is invalid",
	[PKERN_P_LBL_KIND]	= "label kind is unknown",
	[PKERN_P_LBL_FLAGS]	= "label has unknown incompatible flags",
	[PKERN_P_LBL_ALIGN]	= "label alignment is invalid",
	[PKERN_P_LBL_SIZE]	= "label size is zero or unaligned",
	[PKERN_P_LBL_MISALIGNED] = "label offset is misaligned",
	[PKERN_P_LBL_OVERFLOW]	= "label extent wraps around",
	[PKERN_P_LBL_LABEL_AREA] = "label starts inside the label area",
	[PKERN_P_LBL_BEYOND]	= "label extends past the end of the region",
	[PKERN_P_LBL_FUTURE_GEN] = "label is newer than the index",
	[PKERN_P_LBL_OVERLAP]	= "label overlaps an older namespace",
	[PKERN_P_LBL_DUP_NAME]	= "label name used by an older namespace",
	[PKERN_P_LBL_DUP_UUID]	= "label uuid used by an older namespace",
	[PKERN_P_SB_DAMAGED]	= "superblock damaged, no valid copy",
	[PKERN_P_SB_BLANK]	= "superblock copy is blank",
	[PKERN_P_SB_STALE]	= "superblock copy is older than the live one",
	[PKERN_P_IDX_BADLIST]	= "index block bad-page list is invalid",
};

static const char *const state_str[] = {
	[PKERN_STATE_UNFORMATTED]	= "unformatted",
	[PKERN_STATE_READY]		= "ready",
	[PKERN_STATE_SIZE_CHANGED]	= "size_changed",
	[PKERN_STATE_VERSION]		= "version",
	[PKERN_STATE_CORRUPT]		= "corrupt",
	[PKERN_STATE_IO_ERROR]		= "io_error",
};

static const char *const where_str[] = {
	[PKERN_AT_SB0]		= "superblock 0",
	[PKERN_AT_SB1]		= "superblock 1",
	[PKERN_AT_IDX0]		= "index 0",
	[PKERN_AT_IDX1]		= "index 1",
	[PKERN_AT_SLOT]		= "slot",
	[PKERN_AT_REGION]	= "region",
};

/**
 * pkern_strerror() - describe an error code
 * @err: PKERN_E_* value, negated or not
 *
 * Return: a static string, never NULL.
 */
const char *pkern_strerror(int err)
{
	if (err < 0 && err > -PKERN_E_MAX)
		err = -err;
	if (err < 0 || err >= PKERN_E_MAX || !err_str[err])
		return "unknown error";
	return err_str[err];
}

/**
 * pkern_problem_str() - describe a problem code
 * @code: PKERN_P_* value
 *
 * Return: a static string, never NULL.
 */
const char *pkern_problem_str(enum pkern_problem_code code)
{
	if ((unsigned int)code >= PKERN_P_MAX || !problem_str[code])
		return "unknown problem";
	return problem_str[code];
}

/**
 * pkern_kind_str() - name a namespace kind
 * @kind: PKERN_KIND_* value
 *
 * Return: "guest", "iommu" or "unknown".
 */
const char *pkern_kind_str(u32 kind)
{
	switch (kind) {
	case PKERN_KIND_GUEST:
		return "guest";
	case PKERN_KIND_IOMMU:
		return "iommu";
	default:
		return "unknown";
	}
}

/**
 * pkern_state_str() - name a region state, as sysfs and the tools show it
 * @state: enum pkern_region_state value
 *
 * Return: a static string ("ready", "unformatted", ...), never NULL.
 */
const char *pkern_state_str(u32 state)
{
	if (state >= ARRAY_SIZE(state_str) || !state_str[state])
		return "unknown";
	return state_str[state];
}

/**
 * pkern_where_str() - name the place a problem was found
 * @where: PKERN_AT_* value
 *
 * Return: a static string ("superblock 0", "index 1", "slot", ...), never
 * NULL.
 */
const char *pkern_where_str(enum pkern_where where)
{
	if ((unsigned int)where >= ARRAY_SIZE(where_str) || !where_str[where])
		return "unknown";
	return where_str[where];
}
