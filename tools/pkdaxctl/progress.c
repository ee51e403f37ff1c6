// SPDX-License-Identifier: GPL-2.0-only
/*
 * A progress line for long zeroing, on stderr only when stderr is a
 * terminal: a script or a log gets nothing but the result.
 */
#include <stdio.h>
#include <unistd.h>

#include "pkdaxctl.h"

#define PROGRESS_MIN	(32ull << 20)	/* shorter zeroing is not worth a line */

static unsigned long long total;

void pkd_progress_start(unsigned long long len)
{
	total = len >= PROGRESS_MIN && isatty(STDERR_FILENO) ? len : 0;
}

void pkd_progress(unsigned long long done)
{
	if (!total)
		return;
	fprintf(stderr, "\rpkdaxctl %s: zeroing %llu of %llu MiB", pkd_cmd,
		done >> 20, total >> 20);
	fflush(stderr);
}

void pkd_progress_end(void)
{
	if (!total)
		return;
	/* cleared, so what is printed next starts at column 0 */
	fputs("\r\033[K", stderr);
	fflush(stderr);
	total = 0;
}
