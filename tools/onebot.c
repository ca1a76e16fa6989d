/* onebot: one binary, subcommands like git. Global options are read wherever
 * they appear (before or after the subcommand) so that
 * `onebot get_group_member_list 123 --json` works as users expect. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#ifdef OB_CLI_HAVE_SIM
#include "sim.h"
#endif

#define DEFAULT_URL "ws://127.0.0.1:3001"

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    fputs("onebot: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (cmd) fprintf(stderr, "\nTry 'onebot %s --help'.\n", cmd);
    else fputs("\nTry 'onebot --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

int cli_exit_status(int rc) {
    switch (rc) {
    case OB_OK: return CLI_EXIT_OK;
    case OB_EACTION:
    case OB_EPERM: return CLI_EXIT_ACTION;
    case OB_EAUTH: return CLI_EXIT_AUTH;
    case OB_ETIMEOUT: return CLI_EXIT_TIMEOUT;
    case OB_ECLOSED:
    case OB_EIO: return CLI_EXIT_CONNECT;
    case OB_EINVAL: return CLI_EXIT_USAGE;
    default: return CLI_EXIT_ERROR;
    }
}

int cli_report(cli_ctx *ctx, int rc) {
    if (rc == OB_OK) return CLI_EXIT_OK;
    const ob_error *e = ctx->client ? ob_last_error(ctx->client) : NULL;
    const char *msg = (e && e->message && *e->message) ? e->message : ob_strerror(rc);
    const char *action = (e && e->action && *e->action) ? e->action : NULL;
    if (rc == OB_EACTION || (rc == OB_EAUTH && e && e->retcode)) {
        fprintf(stderr, "onebot: %s%sfailed: retcode %d: %s\n", action ? action : "", action ? ": " : "",
                e ? e->retcode : 0, msg);
        if (e && e->wording && *e->wording && strcmp(e->wording, msg) != 0)
            fprintf(stderr, "onebot: wording: %s\n", e->wording);
    } else {
        fprintf(stderr, "onebot: %s%s%s (%s)\n", action ? action : "", action ? ": " : "", msg, ob_err_name(rc));
    }
    return cli_exit_status(rc);
}

int cli_connect(cli_ctx *ctx, bool reconnect) {
    ob_options opt = {0};
    opt.url = ctx->url;
    opt.access_token = ctx->token;
    opt.timeout_ms = ctx->timeout_ms;
    opt.connect_timeout_ms = ctx->timeout_ms;
    opt.reconnect = reconnect;
    opt.check_permissions = !ctx->no_check; /* QQ's role rules before sending: exit 5, nothing sent */
    ctx->client = ob_client_new(&opt);
    if (!ctx->client) {
        fputs("onebot: out of memory\n", stderr);
        return CLI_EXIT_ERROR;
    }
    int rc = ob_connect(ctx->client);
    if (rc != OB_OK) {
        const ob_error *e = ob_last_error(ctx->client);
        fprintf(stderr, "onebot: cannot connect to %s: %s (%s)\n", ctx->url,
                (e && e->message && *e->message) ? e->message : ob_strerror(rc), ob_err_name(rc));
        if (rc == OB_EAUTH) fputs("onebot: check --token or ONEBOT_TOKEN\n", stderr);
        /* the first thing a newcomer meets: nothing is running yet */
        if (rc == OB_EIO && e && e->message && strstr(e->message, "Connection refused"))
            fprintf(stderr,
                    "onebot: nothing listens at %s: start NapCat (OneBot v11, \"WebSocket server\") or the "
                    "simulator (onebot sim --demo), or point --url (or ONEBOT_URL) at your server\n",
                    ctx->url);
        return rc == OB_EAUTH      ? CLI_EXIT_AUTH
               : rc == OB_EINVAL   ? CLI_EXIT_USAGE
               : rc == OB_ETIMEOUT ? CLI_EXIT_TIMEOUT
                                   : CLI_EXIT_CONNECT;
    }
    return CLI_EXIT_OK;
}

void cli_print_global_options(FILE *out) {
    fputs("Global options (anywhere on the line):\n"
          "  --url URL       server, default " DEFAULT_URL " (or $ONEBOT_URL); ws://, wss://,\n"
          "                  http://, https:// (NapCat's HTTP server; events over its SSE)\n"
          "  --token TOKEN   access token (or $ONEBOT_TOKEN)\n"
          "  --timeout SEC   per-call and connect timeout in seconds (default 30)\n"
          "  --json          machine output: one JSON value per result\n"
          "  -q, --quiet     no \"ok: ...\" line after an action that returns nothing\n"
          "  --no-check      send even what QQ refuses by role (see a command's --help)\n"
          "  --trace         print every frame sent and received to stderr (tokens as ***),\n"
          "                  as ONEBOT_TRACE=1 does; ONEBOT_TRACE=FILE writes them to FILE\n"
          "  -h, --help      help for onebot or for the subcommand\n",
          out);
}

static void print_help(FILE *out) {
    fputs("Usage: onebot [GLOBAL OPTIONS] COMMAND [ARGS]\n"
          "Manage QQ groups through a OneBot v11 server (NapCat) over WebSocket or HTTP.\n\n"
          "Actions (one per function of the library; `onebot COMMAND --help`):\n",
          out);
    cli_list_actions(out);
    fputs("\nOther commands:\n"
          "  call ACTION [key=value | key:=JSON ...]   any action, raw reply\n"
          "  events [--filter KIND] [--group ID]       follow events, one line each\n"
          "  sim [OPTIONS]                             run the simulator (see `onebot sim --help`)\n"
          "  gateway --redis URL --connect URL...      NapCat accounts <-> Redis Streams (docs/scaling.md)\n"
          "  help [COMMAND]                            this text, or a command's\n\n",
          out);
    cli_print_global_options(out);
    fputs("\nExit status: 0 ok, 1 other error, 2 usage error (nothing sent), 3 connection\n"
          "error, 4 token refused, 5 the server refused the action (retcode and message\n"
          "on stderr), or QQ would refuse it by role and nothing was sent (the rule on\n"
          "stderr; --no-check sends anyway), 6 timeout.\n"
          "Also: onebot --version, onebot --man (man page), onebot --completion bash.\n",
          out);
}

static int unknown_command(const char *cmd) {
    fprintf(stderr, "onebot: unknown command '%s'\n", cmd);
    cli_suggest_command(cmd, stderr);
    fputs("Try 'onebot --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

static int help_for(const char *cmd, FILE *out) {
    if (!cmd) {
        print_help(out);
        return CLI_EXIT_OK;
    }
    if (!strcmp(cmd, "call")) cli_help_call(out);
    else if (!strcmp(cmd, "events")) cli_help_events(out);
    else if (cli_action_exists(cmd)) cli_help_action(cmd, out);
    else if (!strcmp(cmd, "sim")) fputs("Usage: onebot sim [OPTIONS]; run `onebot sim --help`.\n", out);
    else if (!strcmp(cmd, "gateway")) fputs("Usage: onebot gateway [OPTIONS]; run `onebot gateway --help`.\n", out);
    else return unknown_command(cmd);
    return CLI_EXIT_OK;
}

/* Reads one global option at argv[*i] if it is one. Returns 1 when consumed,
 * 0 when argv[*i] is not a global option, -1 (after printing) on a bad value. */
static int take_global(cli_ctx *ctx, int argc, char **argv, int *i, const char *cmd) {
    static const char *const with_value[] = {"--url", "--token", "--timeout"};
    const char *arg = argv[*i];
    if (!strcmp(arg, "--json")) {
        ctx->json = true;
        return 1;
    }
    if (!strcmp(arg, "--no-check")) {
        ctx->no_check = true;
        return 1;
    }
    if (!strcmp(arg, "--trace")) { /* the library prints every frame (ONEBOT_TRACE); a FILE given there stays */
        const char *t = getenv("ONEBOT_TRACE");
        if (!t || !t[0] || !strcmp(t, "0")) setenv("ONEBOT_TRACE", "1", 1);
        return 1;
    }
    if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
        ctx->quiet = true;
        return 1;
    }
    for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++) {
        size_t n = strlen(with_value[k]);
        const char *val;
        if (!strncmp(arg, with_value[k], n) && arg[n] == '=') val = arg + n + 1;
        else if (!strcmp(arg, with_value[k])) {
            if (*i + 1 >= argc) {
                cli_usage_error(cmd, "%s needs a value", arg);
                return -1;
            }
            val = argv[++*i];
        } else continue;
        if (k == 0) ctx->url = val;
        else if (k == 1) ctx->token = val;
        else {
            char *end;
            errno = 0;
            double sec = strtod(val, &end);
            if (errno || end == val || *end || !(sec > 0) || sec > 86400) {
                cli_usage_error(cmd, "--timeout wants a number of seconds (0 < SEC <= 86400), not '%s'", val);
                return -1;
            }
            ctx->timeout_ms = (int)(sec * 1000 + 0.5);
            if (ctx->timeout_ms < 1) ctx->timeout_ms = 1;
        }
        return 1;
    }
    return 0;
}

static int run(int argc, char **argv);

/* Output that could not be written (a full disk, a closed pipe with SIGPIPE
 * ignored) must not end in status 0: scripts would take a truncated result
 * for a whole one. */
int main(int argc, char **argv) {
    int status = run(argc, argv);
    errno = 0;
    bool flush_failed = fflush(stdout) != 0;
    int err = errno;
    if (flush_failed || ferror(stdout)) {
        fprintf(stderr, "onebot: cannot write the output: %s\n", flush_failed && err ? strerror(err) : "write error");
        if (status == CLI_EXIT_OK) status = CLI_EXIT_ERROR;
    }
    return status;
}

static int run(int argc, char **argv) {
    cli_ctx ctx = {0};
    ctx.url = getenv("ONEBOT_URL");
    if (!ctx.url || !*ctx.url) ctx.url = DEFAULT_URL;
    ctx.token = getenv("ONEBOT_TOKEN");

    /* `onebot sim` hands its whole command line to the simulator untouched. */
    int first = 1;
    while (first < argc && argv[first][0] == '-') {
        if (!strcmp(argv[first], "--url") || !strcmp(argv[first], "--token") || !strcmp(argv[first], "--timeout"))
            first++;
        first++;
    }
    if (first < argc && !strcmp(argv[first], "gateway")) return cli_gateway_main(argc - first, argv + first);
    if (first < argc && !strcmp(argv[first], "sim")) {
#ifdef OB_CLI_HAVE_SIM
        return ob_sim_main(argc - first, argv + first);
#else
        fputs("onebot: this build has no simulator (configure with -DOB_BUILD_SIM=ON)\n", stderr);
        return CLI_EXIT_ERROR;
#endif
    }

    /* Split the line into global options and the command's own words. */
    char **words = calloc((size_t)argc + 1, sizeof *words);
    if (!words) return CLI_EXIT_ERROR;
    int nwords = 0;
    bool help = false, after_dashdash = false;
    const char *cmd = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!after_dashdash) {
            if (!strcmp(a, "--")) {
                after_dashdash = true;
                /* before the command it only ends the global options; after
                   it, the command sees it too (its own words may start with -) */
                if (cmd) words[nwords++] = argv[i];
                continue;
            }
            int g = take_global(&ctx, argc, argv, &i, cmd);
            if (g < 0) {
                free(words);
                return CLI_EXIT_USAGE;
            }
            if (g > 0) continue;
            if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
                help = true;
                continue;
            }
            if (!cmd && !strcmp(a, "--version")) {
                printf("onebot %s\n", ob_version());
                free(words);
                return 0;
            }
            if (!cmd && !strcmp(a, "--man")) {
                cli_print_man(stdout);
                free(words);
                return 0;
            }
            if (!cmd && !strcmp(a, "--completion")) {
                if (i + 1 >= argc || strcmp(argv[i + 1], "bash")) {
                    free(words);
                    return cli_usage_error(NULL, "--completion supports: bash");
                }
                cli_print_bash_completion(stdout);
                free(words);
                return 0;
            }
            if (!cmd && a[0] == '-') {
                free(words);
                return cli_usage_error(NULL, "unknown option '%s'", a);
            }
        }
        if (!cmd) cmd = a;
        words[nwords++] = argv[i];
    }

    int status;
    if (!cmd) {
        print_help(help ? stdout : stderr);
        status = help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    } else if (!strcmp(cmd, "help")) {
        status = help_for(nwords > 1 ? words[1] : NULL, stdout);
    } else if (help) {
        status = help_for(cmd, stdout);
    } else if (!strcmp(cmd, "call")) {
        status = cli_cmd_call(&ctx, nwords, words);
    } else if (!strcmp(cmd, "events")) {
        status = cli_cmd_events(&ctx, nwords, words);
    } else if (cli_action_exists(cmd)) {
        status = cli_cmd_action(&ctx, nwords, words);
    } else {
        status = unknown_command(cmd);
    }
    ob_client_free(ctx.client);
    free(words);
    return status;
}
