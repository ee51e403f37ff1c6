/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/'s API for the tool.  pkern_compat.h typedefs __le16/32/64 from
 * <stdint.h> types, which clash with <linux/types.h> (pulled in by
 * <sys/stat.h> and by the uapi header) where __le64 is unsigned long
 * long.  Include linux/types.h first and let lib's typedefs land on
 * private names: same sizes, same layout, no clash.
 */
#ifndef PKDAXCTL_PKLIB_H
#define PKDAXCTL_PKLIB_H

#include <linux/types.h>

#define __le16 pkd_le16_t
#define __le32 pkd_le32_t
#define __le64 pkd_le64_t
#include "pkern_label.h"
#undef __le16
#undef __le32
#undef __le64

#endif /* PKDAXCTL_PKLIB_H */
