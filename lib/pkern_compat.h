/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Environment glue for the pkern label format.
 *
 * The label code is compiled unchanged into the kernel module and into
 * userspace.  It includes only this header, which maps fixed-width types,
 * little-endian conversion, memcpy/memset, errno values and the CRC-32 to
 * whatever the build environment provides, and brings in the uapi header
 * (namespace kinds and region states are its values).
 */
#ifndef PKERN_COMPAT_H
#define PKERN_COMPAT_H

#ifdef __KERNEL__
#include <linux/array_size.h>
#include <linux/build_bug.h>
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/crc32.h>
#include <asm/byteorder.h>
#include <uapi/linux/pkern.h>

/* Same polynomial and conditioning as zlib's crc32(): init ~0, final xor. */
static inline u32 pkern_crc32(const void *buf, size_t len)
{
	return ~crc32_le(~0U, buf, len);
}

#else /* userspace */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <endian.h>
#include <zlib.h>
/* __le16/32/64 as the uapi headers define them, so tools can mix both */
#include <linux/types.h>
/* userspace builds with -I include/uapi: this is the uapi header */
#include <linux/pkern.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define cpu_to_le16(x) htole16(x)
#define cpu_to_le32(x) htole32(x)
#define cpu_to_le64(x) htole64(x)
#define le16_to_cpu(x) le16toh(x)
#define le32_to_cpu(x) le32toh(x)
#define le64_to_cpu(x) le64toh(x)

static inline u32 pkern_crc32(const void *buf, size_t len)
{
	return (u32)crc32(0L, (const unsigned char *)buf, (unsigned int)len);
}
#endif /* __KERNEL__ */

#endif /* PKERN_COMPAT_H */
