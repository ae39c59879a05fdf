/*
 * builtin.h: the drmscope subcommand table.
 *
 * Each subcommand lives in its own file and exports one entry point,
 * cmd_<name>(argc, argv), where argv[0] is the subcommand's name. It returns
 * the process exit status: DRMSCOPE_EXIT_OK, DRMSCOPE_EXIT_FINDING (a
 * regression, a mismatch, a failed workload) or DRMSCOPE_EXIT_USAGE (a usage
 * or input error). Subcommands never call exit() themselves.
 */
#ifndef DRMSCOPE_BUILTIN_H
#define DRMSCOPE_BUILTIN_H

#include <stdio.h>

enum drmscope_exit {
	DRMSCOPE_EXIT_OK = 0,
	DRMSCOPE_EXIT_FINDING = 1,
	DRMSCOPE_EXIT_USAGE = 2,
};

struct drmscope_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;	/* one line for `drmscope help` */
	const char *usage;	/* full text for `drmscope help CMD` and CMD --help */
};

/* The table, terminated by an entry whose name is NULL (src/commands.c). */
extern const struct drmscope_cmd drmscope_commands[];

const struct drmscope_cmd *drmscope_find_cmd(const char *name);

/* Print a command's usage text to @out. */
void drmscope_print_usage(FILE *out, const struct drmscope_cmd *cmd);

/*
 * Common helper for subcommands: if argv holds -h or --help before a "--",
 * print usage to stdout and return 1; the caller then returns
 * DRMSCOPE_EXIT_OK.
 */
int drmscope_wants_help(int argc, char **argv);

/* Print "drmscope CMD: usage error: ..." and a hint to stderr; returns DRMSCOPE_EXIT_USAGE. */
int drmscope_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_upgrade(int argc, char **argv);

#endif
