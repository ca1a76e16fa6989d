/* `onebot call ACTION key=value ... key:=JSON`: any action, the reply as the
 * server sent it. Values follow httpie's convention: `=` always sends a
 * string, `:=` sends the JSON value as written, so nothing is guessed. */
#include "cli.h"
#include "codec.h"

#include <stdlib.h>
#include <strings.h>
#include <string.h>

void cli_help_call(FILE *out) {
    fputs("Usage: onebot call ACTION [key=value | key:=JSON ...]\n"
          "Sends any OneBot action and prints the reply (status, retcode, data,\n"
          "message, wording): indented by default, one line with --json.\n"
          "  key=value    the value as a JSON string\n"
          "  key:=JSON    the value as JSON (numbers, true/false, arrays, objects)\n"
          "Example: onebot call get_group_info group_id:=123456 no_cache:=true\n"
          "Exit status 5 when the server answers status \"failed\". The simulator's sim_*\n"
          "actions need its control token as --token.\n\n",
          out);
    cli_print_global_options(out);
}

/* Builds the params object; NULL (after printing a usage error) on a bad pair. */
static char *build_params(int n, char **pairs) {
    ob__jw w = {0};
    ob__jdoc doc = {0};
    ob__jw_obj(&w);
    for (int i = 0; i < n; i++) {
        const char *p = pairs[i];
        const char *eq = strchr(p, '=');
        if (!eq || eq == p || (eq == p + 1 && p[0] == ':')) {
            cli_usage_error("call", "'%s' is not key=value or key:=JSON", p);
            goto fail;
        }
        bool raw = eq[-1] == ':';
        size_t keylen = (size_t)(eq - p) - (raw ? 1 : 0);
        for (int j = 0; j < i; j++) {
            if (!strncmp(pairs[j], p, keylen) &&
                (pairs[j][keylen] == '=' || (pairs[j][keylen] == ':' && pairs[j][keylen + 1] == '='))) {
                cli_usage_error("call", "key '%.*s' given twice", (int)keylen, p);
                goto fail;
            }
        }
        char *key = strndup(p, keylen);
        if (!key) goto fail;
        ob__jw_key(&w, key);
        free(key);
        const char *val = eq + 1;
        if (raw) {
            if (ob__jdoc_parse(&doc, val, strlen(val)) != 0) {
                cli_usage_error("call", "the value of '%.*s' is not valid JSON: %s", (int)keylen, p, val);
                goto fail;
            }
            ob__jw_raw(&w, val, strlen(val));
        } else {
            ob__jw_str(&w, val);
        }
    }
    ob__jw_obj_end(&w);
    ob__jdoc_free(&doc);
    return ob__buf_take(&w.b);
fail:
    ob__jdoc_free(&doc);
    ob__buf_free(&w.b);
    return NULL;
}

int cli_cmd_call(cli_ctx *ctx, int argc, char **argv) {
    int first = 1;
    if (first < argc && !strcmp(argv[first], "--")) first++;
    if (first >= argc) return cli_usage_error("call", "call needs an ACTION");
    const char *action = argv[first];
    if (!*action || action[0] == '-') return cli_usage_error("call", "'%s' is not an action name", action);
    int npairs = argc - first - 1;
    char **pairs = argv + first + 1;
    char *params = build_params(npairs, pairs);
    if (!params) return CLI_EXIT_USAGE;

    int status = cli_connect(ctx, false);
    if (status != CLI_EXIT_OK) {
        free(params);
        return status;
    }
    ob_reply *r = NULL;
    int rc = ob_call(ctx->client, action, params, &r);
    free(params);
    if (r) {
        ob__jw w = {0};
        ob__jw_obj(&w);
        ob__jw_key(&w, "status");
        ob__jw_str(&w, r->status);
        ob__jw_key(&w, "retcode");
        ob__jw_int(&w, r->retcode);
        ob__jw_key(&w, "data");
        ob__jw_raw(&w, r->data_json, r->data_len);
        ob__jw_key(&w, "message");
        ob__jw_str(&w, r->message);
        ob__jw_key(&w, "wording");
        ob__jw_str(&w, r->wording);
        ob__jw_obj_end(&w);
        if (w.b.oom) {
            ob__buf_free(&w.b);
            ob_free(r);
            return CLI_EXIT_ERROR;
        }
        if (ctx->json) printf("%.*s\n", (int)w.b.len, w.b.p);
        else cli_print_json_pretty(w.b.p, w.b.len, stdout);
        ob__buf_free(&w.b);
        ob_free(r);
    }
    status = cli_report(ctx, rc);
    const ob_error *e = ob_last_error(ctx->client);
    /* an unknown action: 1404 over WebSocket; over HTTP NapCat answers
       retcode 200 with "不支持的Api <name>" (docs/protocol.md) */
    bool unknown = e && (e->retcode == 1404 ||
                         (e->retcode == 200 && e->message && strncasecmp(e->message, "不支持的Api", 15) == 0));
    if (rc == OB_EACTION && unknown && !strncmp(action, "sim_", 4))
        fputs("onebot: sim_* actions are the simulator's control actions: give its control token with --token\n"
              "onebot: (or ONEBOT_TOKEN), the value the simulator was started with as --control-token\n",
              stderr);
    return status;
}

/* Reindents without parsing: the reply was already validated by the client. */
void cli_print_json_pretty(const char *js, size_t len, FILE *out) {
    int depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char ch = js[i];
        if (in_str) {
            fputc(ch, out);
            if (ch == '\\' && i + 1 < len) fputc(js[++i], out);
            else if (ch == '"') in_str = false;
            continue;
        }
        switch (ch) {
        case '"':
            in_str = true;
            fputc(ch, out);
            break;
        case '{':
        case '[': {
            size_t j = i + 1;
            while (j < len && (js[j] == ' ' || js[j] == '\n' || js[j] == '\t' || js[j] == '\r')) j++;
            if (j < len && (js[j] == '}' || js[j] == ']')) { /* empty: keep on one line */
                fputc(ch, out);
                fputc(js[j], out);
                i = j;
                break;
            }
            fputc(ch, out);
            depth++;
            fprintf(out, "\n%*s", depth * 2, "");
            break;
        }
        case '}':
        case ']':
            depth--;
            fprintf(out, "\n%*s%c", depth * 2, "", ch);
            break;
        case ',': fprintf(out, ",\n%*s", depth * 2, ""); break;
        case ':': fputs(": ", out); break;
        case ' ':
        case '\n':
        case '\t':
        case '\r': break;
        default: fputc(ch, out);
        }
    }
    fputc('\n', out);
}
