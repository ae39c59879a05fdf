/*
 * commands.c: the table of drmscope subcommands. Only subcommands that work
 * are listed here; each one's code lives in its own file.
 */
#include "builtin.h"

#include <stddef.h>

const struct drmscope_cmd drmscope_commands[] = {
	{ "help", cmd_help, "show help for drmscope or one of its commands",
	  "usage: drmscope help [COMMAND]\n" },
	{ "version", cmd_version, "print the drmscope version",
	  "usage: drmscope version\n" },
	{ "info", cmd_info, "summarise a capture database",
	  "usage: drmscope info [--top N] [--no-check] DB\n"
	  "\n"
	  "Print what the capture DB holds: host, kernel, command and time of the\n"
	  "capture, lost events, processes, devices and their drivers, rows per\n"
	  "table, the most frequent ioctls, the time span and the replay runs.\n"
	  "The file is opened read-only and checked first (PRAGMA quick_check).\n"
	  "\n"
	  "  --top N      list the N most frequent ioctls (default 10)\n"
	  "  --no-check   skip the integrity check (it reads the whole file)\n"
	  "\n"
	  "Exit status: 0, or 2 if DB is missing, not a drmscope database,\n"
	  "truncated or corrupt.\n" },
	{ "query", cmd_query, "run read-only SQL on a capture database",
	  "usage: drmscope query [--format table|csv|json] [--check] DB SQL\n"
	  "\n"
	  "Run one SQL statement on the capture DB and print its rows. DB is\n"
	  "opened read-only and defensively: statements that write, ATTACH,\n"
	  "transactions and PRAGMAs that set something are refused. Tables, views\n"
	  "and columns are described in docs/schema.md; `drmscope query DB\n"
	  "\"SELECT name FROM sqlite_schema\"` lists them.\n"
	  "\n"
	  "  -f, --format table   aligned columns (default); NULL is shown as NULL,\n"
	  "                       control characters as escapes, BLOBs as x'hex'\n"
	  "                       of their first 16 bytes and their length\n"
	  "  -f, --format csv     RFC 4180: a header row, CRLF line ends, quoted\n"
	  "                       fields where needed; NULL is an empty field,\n"
	  "                       BLOBs are lowercase hex\n"
	  "  -f, --format json    an array of objects, one per row; NULL is null,\n"
	  "                       BLOBs are strings of lowercase hex (not base64)\n"
	  "  --check              first check the whole file (PRAGMA quick_check)\n"
	  "\n"
	  "Options may come before or after DB and SQL; put \"--\" before an SQL\n"
	  "text that starts with '-'.\n"
	  "\n"
	  "Example: drmscope query cap.db \"SELECT * FROM ioctl_summary\" -f csv\n"
	  "\n"
	  "Exit status: 0, or 2 on a usage error, an unreadable database or an\n"
	  "SQL error (SQLite's message is printed).\n" },
	{ NULL, NULL, NULL, NULL },
};
