/*
 * drmscope.c: the entry point. Parses the global options (--version, --help)
 * and dispatches to one subcommand from the table in commands.c, perf-style.
 * It checks at the end that everything written to stdout reached it, so a
 * full disk or a closed pipe is reported instead of lost.
 */
#include "builtin.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <drmscope/version.h>

static const char main_usage[] =
	"usage: drmscope [--version] [--help] COMMAND [ARGS...]\n";

const struct drmscope_cmd *drmscope_find_cmd(const char *name)
{
	const struct drmscope_cmd *cmd;

	for (cmd = drmscope_commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, name))
			return cmd;
	return NULL;
}

void drmscope_print_usage(FILE *out, const struct drmscope_cmd *cmd)
{
	fputs(cmd->usage, out);
}

int drmscope_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			const struct drmscope_cmd *cmd = drmscope_find_cmd(argv[0]);

			if (cmd)
				drmscope_print_usage(stdout, cmd);
			return 1;
		}
	}
	return 0;
}

int drmscope_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "drmscope %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'drmscope %s --help'.\n", cmd);
	return DRMSCOPE_EXIT_USAGE;
}

static void list_commands(FILE *out)
{
	const struct drmscope_cmd *cmd;

	fputs(main_usage, out);
	fputs("\ndrmscope records what a program says to a GPU kernel driver, replays it\n"
	      "against another driver build and reports what changed.\n\ncommands:\n", out);
	for (cmd = drmscope_commands; cmd->name; cmd++)
		fprintf(out, "  %-10s %s\n", cmd->name, cmd->summary);
	fputs("\nSee 'drmscope help COMMAND' for one command's options.\n", out);
}

int cmd_help(int argc, char **argv)
{
	const struct drmscope_cmd *cmd;

	if (drmscope_wants_help(argc, argv))
		return DRMSCOPE_EXIT_OK;
	if (argc < 2) {
		list_commands(stdout);
		return DRMSCOPE_EXIT_OK;
	}
	if (argc > 2)
		return drmscope_usage_error("help", "too many arguments");
	cmd = drmscope_find_cmd(argv[1]);
	if (!cmd) {
		fprintf(stderr, "drmscope: '%s' is not a drmscope command.\n", argv[1]);
		return DRMSCOPE_EXIT_USAGE;
	}
	drmscope_print_usage(stdout, cmd);
	return DRMSCOPE_EXIT_OK;
}

int cmd_version(int argc, char **argv)
{
	if (drmscope_wants_help(argc, argv))
		return DRMSCOPE_EXIT_OK;
	if (argc > 1)
		return drmscope_usage_error("version", "unexpected argument '%s'", argv[1]);
	printf("drmscope %s\n", DRMSCOPE_VERSION);
	return DRMSCOPE_EXIT_OK;
}

/* Flush stdout and report a write error (ENOSPC, EPIPE, ...) as a failure. */
static int finish_stdout(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "drmscope: error writing output: %s\n", strerror(errno));
		return status ? status : DRMSCOPE_EXIT_USAGE;
	}
	return status;
}

int main(int argc, char **argv)
{
	const struct drmscope_cmd *cmd;

	if (argc < 2) {
		fputs(main_usage, stderr);
		fputs("See 'drmscope help'.\n", stderr);
		return DRMSCOPE_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return finish_stdout(cmd_version(1, (char *[]){ "version", NULL }));
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return finish_stdout(cmd_help(1, (char *[]){ "help", NULL }));
	if (argv[1][0] == '-') {
		fprintf(stderr, "drmscope: unknown option '%s'\n%s", argv[1], main_usage);
		return DRMSCOPE_EXIT_USAGE;
	}
	cmd = drmscope_find_cmd(argv[1]);
	if (!cmd) {
		fprintf(stderr, "drmscope: '%s' is not a drmscope command. See 'drmscope help'.\n",
			argv[1]);
		return DRMSCOPE_EXIT_USAGE;
	}
	return finish_stdout(cmd->fn(argc - 1, argv + 1));
}
