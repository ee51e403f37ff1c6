// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The region state the control device reports (include/uapi/linux/pkern.h)
 * for a load status: one mapping, so the driver's sysfs and ioctls and
 * pkdaxctl on an offline image always name a region's state alike.
 */
#include "pkern_lib.h"

/**
 * pkern_uapi_state() - control-device state for a load result
 * @status: 0 or a negative PKERN_E_* value from pkern_load()
 *
 * Return: a PKERN_STATE_* value; any status that is not a known verdict
 * on the labels (a media error, say) reads as PKERN_STATE_IO_ERROR.
 */
u32 pkern_uapi_state(int status)
{
	switch (-status) {
	case PKERN_OK:
		return PKERN_STATE_READY;
	case PKERN_E_UNFORMATTED:
		return PKERN_STATE_UNFORMATTED;
	case PKERN_E_SIZE_CHANGED:
		return PKERN_STATE_SIZE_CHANGED;
	case PKERN_E_VERSION:
		return PKERN_STATE_VERSION;
	case PKERN_E_CORRUPT:
		return PKERN_STATE_CORRUPT;
	default:
		return PKERN_STATE_IO_ERROR;
	}
}
