/* SPDX-License-Identifier: GPL-2.0-only */
/* pkdaxctl: command entry points and the error-reporting convention. */
#ifndef PKDAXCTL_H
#define PKDAXCTL_H

/* The release version: the one place it is defined */
#define PKERN_VERSION "0.9.0"

/* The build's git revision, when it was built from a git tree */
#ifndef PKERN_GIT_REV
#define PKERN_GIT_REV ""
#endif

/* Exit codes, documented in pkdaxctl(1) */
#define PKD_EXIT_OK	0	/* done; check: no problems */
#define PKD_EXIT_FAIL	1	/* refused or failed; check: problems found */
#define PKD_EXIT_USAGE	2	/* bad command line; check: could not check */

/* Name of the running command, for messages */
extern const char *pkd_cmd;

/* One line on stderr: "pkdaxctl <command>: <message>" */
void pkd_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* -v/--verbose count: each command adds detail with it */
extern int pkd_verbose;
/* Like pkd_err, printed only with -v: what the command looked at or did */
void pkd_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: message plus a pointer to --help; returns PKD_EXIT_USAGE */
int pkd_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_list(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_clear_errors(int argc, char **argv);
int cmd_read_labels(int argc, char **argv);
int cmd_write_labels(int argc, char **argv);

/* progress.c: a zeroing progress line, shown only on a terminal */
void pkd_progress_start(unsigned long long len);
void pkd_progress(unsigned long long done);
void pkd_progress_end(void);

/* Show man page pkdaxctl-@cmd; returns only with an exit status on failure */
int pkd_show_man(const char *cmd);

/* For the completion: names of regions or namespaces, one per line */
int pkd_list_names(const char *what, const char *image);

/* Each command's options (opts.h), for --help and the completion */
struct pkd_cmdline;
extern const struct pkd_cmdline list_cmdline, create_cmdline, destroy_cmdline,
	init_cmdline, check_cmdline, inspect_cmdline, clear_errors_cmdline,
	read_labels_cmdline, write_labels_cmdline;

#endif /* PKDAXCTL_H */
