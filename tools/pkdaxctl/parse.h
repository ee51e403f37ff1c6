/* SPDX-License-Identifier: GPL-2.0-only */
/* Command-line value parsers shared by the pkdaxctl commands. */
#ifndef PKDAXCTL_PARSE_H
#define PKDAXCTL_PARSE_H

#include <stddef.h>
#include "pklib.h"

/* Each returns 0, or -EINVAL (malformed) / -ERANGE (does not fit). */
int pkd_parse_size(const char *s, u64 *out);
int pkd_parse_align(const char *s, u64 *out);
int pkd_parse_uuid(const char *s, u8 out[PKERN_UUID_LEN]);
int pkd_parse_kind(const char *s, u32 *kind);
int pkd_parse_u32(const char *s, u32 *out);

/* ndctl-style human size, e.g. "4.00 GiB (4.29 GB)"; plain bytes when small */
void pkd_human_size(u64 bytes, char *buf, size_t len);
void pkd_uuid_str(const u8 uuid[PKERN_UUID_LEN], char buf[37]);
bool pkd_uuid_is_null(const u8 uuid[PKERN_UUID_LEN]);

#endif /* PKDAXCTL_PARSE_H */
