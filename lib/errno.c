// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The errno of each label-code error: the one table the driver uses to
 * answer an ioctl and the tools use to read the answer back, so both
 * sides agree on exactly which refusal it was.  Every error has its own
 * errno (include/uapi/linux/pkern.h documents them).
 */
#include "pkern_lib.h"

static const int err_errno[PKERN_E_MAX] = {
	[PKERN_OK]		= 0,
	[PKERN_E_IO]		= EIO,
	[PKERN_E_UNFORMATTED]	= ENOMEDIUM,
	[PKERN_E_VERSION]	= EPROTONOSUPPORT,
	[PKERN_E_SIZE_CHANGED]	= EMEDIUMTYPE,
	[PKERN_E_CORRUPT]	= EUCLEAN,
	[PKERN_E_INVAL]		= EINVAL,
	[PKERN_E_EXIST]		= EEXIST,
	[PKERN_E_NOSPC]		= ENOSPC,
	[PKERN_E_NOSLOT]	= EDQUOT,
	[PKERN_E_NOENT]		= ENOENT,
	[PKERN_E_HAS_LABELS]	= ENOTEMPTY,
	[PKERN_E_TOO_SMALL]	= ERANGE,
	[PKERN_E_STATE]		= ENXIO,
	[PKERN_E_BADFULL]	= ENOBUFS,
	[PKERN_E_BADPAGE]	= EHWPOISON,
};

/**
 * pkern_errno() - the errno that reports a label-code error
 * @err: 0 or a negative PKERN_E_* code
 *
 * Return: 0 or a negative errno; anything that is not a PKERN_E_* code
 * reads as -EIO.
 */
int pkern_errno(int err)
{
	if (err > 0 || err <= -PKERN_E_MAX)
		return -EIO;
	return -err_errno[-err];
}

/**
 * pkern_err_from_errno() - the label-code error an errno reports
 * @errnum: an errno value, positive or negative
 *
 * The inverse of pkern_errno().
 *
 * Return: the negative PKERN_E_* code, or 0 if @errnum is 0 or reports
 * no label-code error (EBUSY, say).
 */
int pkern_err_from_errno(int errnum)
{
	int err;

	if (errnum < 0)
		errnum = -errnum;
	for (err = 1; err < PKERN_E_MAX; err++)
		if (err_errno[err] == errnum)
			return -err;
	return 0;
}
