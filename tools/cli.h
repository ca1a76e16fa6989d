/* The onebot command: what its parts share. */
#ifndef ONEBOT_TOOLS_CLI_H
#define ONEBOT_TOOLS_CLI_H

#include <onebot/onebot.h>
#include <stdbool.h>
#include <stdio.h>

/* Exit statuses, documented in the man page; scripts branch on them. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_ERROR = 1,   /* anything else: protocol error, out of memory */
    CLI_EXIT_USAGE = 2,   /* bad command line; nothing was sent */
    CLI_EXIT_CONNECT = 3, /* could not connect, or the connection was lost */
    CLI_EXIT_AUTH = 4,    /* the access token was refused */
    CLI_EXIT_ACTION = 5,  /* the server answered status "failed", or QQ would refuse it (OB_EPERM, not sent) */
    CLI_EXIT_TIMEOUT = 6  /* no reply within --timeout */
};

typedef struct cli_ctx {
    const char *url, *token;
    int timeout_ms;    /* 0 = the library's default */
    bool json;         /* --json: machine output */
    bool quiet;        /* --quiet: no confirming line for actions that return nothing */
    bool no_check;     /* --no-check: send actions QQ would refuse by role (no check_permissions) */
    ob_client *client; /* made by cli_connect */
} cli_ctx;

/* Prints "onebot: <sentence>" and a hint to --help on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Connects ctx->client; on failure prints why and returns the exit status. */
int cli_connect(cli_ctx *ctx, bool reconnect);
/* Prints the client's last error (with the server's retcode and message for
 * a refused action) and maps rc to an exit status. */
int cli_report(cli_ctx *ctx, int rc);
/* Maps a library error code to an exit status. */
int cli_exit_status(int rc);

/* On an unknown command: "Did you mean ...?" with the closest names (edit
 * distance over the action table's names and the built-in subcommands). */
void cli_suggest_command(const char *word, FILE *out);

/* Global option help shared by every --help page. */
void cli_print_global_options(FILE *out);

/* Subcommands. argv[0] is the subcommand's name. */
int cli_cmd_call(cli_ctx *ctx, int argc, char **argv);
int cli_cmd_events(cli_ctx *ctx, int argc, char **argv);
void cli_help_call(FILE *out);
/* `onebot gateway` (cli_gateway.c): takes its whole command line, like `sim`. */
int cli_gateway_main(int argc, char **argv);
void cli_help_events(FILE *out);

/* The group API subcommands, generated from the action table. */
bool cli_action_exists(const char *name);
int cli_cmd_action(cli_ctx *ctx, int argc, char **argv);
void cli_help_action(const char *name, FILE *out);
/* "onebot NAME ARG... [--opt VALUE]" for help and the man page. */
struct ob__action_def;
void cli_action_synopsis(const struct ob__action_def *d, FILE *out);
/* One line per action: "  name  summary". */
void cli_list_actions(FILE *out);

/* Generated documentation. */
void cli_print_man(FILE *out);
void cli_print_bash_completion(FILE *out);

/* Pretty-prints JSON text with two-space indentation (string-aware, no parse). */
void cli_print_json_pretty(const char *json, size_t len, FILE *out);

#endif
