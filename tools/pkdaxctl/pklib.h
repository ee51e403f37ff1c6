/* SPDX-License-Identifier: GPL-2.0-only */
/* lib/'s API for the tool. */
#ifndef PKDAXCTL_PKLIB_H
#define PKDAXCTL_PKLIB_H

#include "pkern_label.h"

#endif /* PKDAXCTL_PKLIB_H */
