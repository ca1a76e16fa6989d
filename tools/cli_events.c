/* `onebot events`: follows the event stream, one readable line per event. */
#include "cli.h"
#include "codec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct events_opts {
    bool want[OB_EV_OTHER + 1];
    bool filtered;
    int64_t group_id; /* 0 = every group */
    long count;       /* stop after this many printed events; 0 = never */
    long printed;
    bool json;
    bool show_heartbeat;
} events_opts;

void cli_help_events(FILE *out) {
    fputs("Usage: onebot events [--filter KIND[,KIND...]] [--group ID] [--count N] [--json]\n"
          "Follows events: one line each with the time, group, user and what happened;\n"
          "with --json the event exactly as received. Reconnects when the connection\n"
          "drops. Heartbeats are hidden unless asked for with --filter heartbeat.\n"
          "  --filter KIND   only these kinds (repeatable):",
          out);
    for (int k = 0; k <= OB_EV_OTHER; k++)
        fprintf(out, "%s%s", k % 5 ? " " : "\n                    ", ob_event_kind_name((ob_event_kind)k));
    fputs("\n  --group ID      only events of this group\n"
          "  --count N       exit after N events; lifecycle and heartbeat events (the\n"
          "                  connection's own) count only when --filter names them\n\n",
          out);
    cli_print_global_options(out);
}

static int kind_from_name(const char *name, size_t n) {
    for (int k = 0; k <= OB_EV_OTHER; k++) {
        const char *kn = ob_event_kind_name((ob_event_kind)k);
        if (strlen(kn) == n && !strncmp(kn, name, n)) return k;
    }
    return -1;
}

static bool parse_i64(const char *s, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end) return false;
    *out = v;
    return true;
}

/* ob_event has no field for a few notice details (card_new, file names,
 * titles); they are read from the event's JSON. Writes "" when absent. */
static void json_detail(const ob_event *ev, const char *obj_key, const char *key, char *buf, size_t len) {
    ob__jdoc doc = {0};
    buf[0] = '\0';
    if (ev->json && ob__jdoc_parse(&doc, ev->json, strlen(ev->json)) == OB_OK) {
        int t = 0;
        if (obj_key) t = ob__jget(&doc, 0, obj_key);
        if (t >= 0) t = ob__jget(&doc, t, key);
        if (t >= 0 && doc.tok[t].type == JSMN_STRING && ob__jlen(&doc, t) < len) {
            if (ob__junescape(&doc, t, buf) < 0) buf[0] = '\0';
        }
        for (char *p = buf; *p; p++)
            if ((unsigned char)*p < 0x20) *p = ' ';
    }
    ob__jdoc_free(&doc);
}

/* Who did it, for notices that carry an operator. */
static void put_operator(const ob_event *ev, FILE *out) {
    if (ev->operator_id && ev->operator_id != ev->user_id) fprintf(out, " by %lld", (long long)ev->operator_id);
}

static void put_what(const ob_event *ev, FILE *out) {
    const char *sub = ev->sub_type ? ev->sub_type : "";
    switch (ev->kind) {
    case OB_EV_GROUP_MESSAGE:
    case OB_EV_PRIVATE_MESSAGE: {
        const char *who = ev->sender_card && *ev->sender_card ? ev->sender_card
                          : ev->sender_nickname               ? ev->sender_nickname
                                                              : "";
        fprintf(out, "message #%lld%s%s%s: ", (long long)ev->message_id, *who ? " (" : "", who, *who ? ")" : "");
        for (const char *p = ev->raw_message ? ev->raw_message : ""; *p; p++)
            fputc((unsigned char)*p < 0x20 ? ' ' : *p, out);
        break;
    }
    case OB_EV_GROUP_INCREASE:
        fprintf(out, "joined (%s)", sub);
        put_operator(ev, out);
        break;
    case OB_EV_GROUP_DECREASE:
        fprintf(out, "left (%s)", sub);
        put_operator(ev, out);
        break;
    case OB_EV_GROUP_BAN:
        if (ev->user_id == 0) fputs(ev->duration ? "whole group muted" : "whole-group mute lifted", out);
        else if (!strcmp(sub, "lift_ban") || ev->duration == 0) fputs("ban lifted", out);
        else fprintf(out, "banned for %llds", (long long)ev->duration);
        put_operator(ev, out);
        break;
    case OB_EV_GROUP_RECALL:
        fprintf(out, "message #%lld recalled", (long long)ev->message_id);
        put_operator(ev, out);
        break;
    case OB_EV_GROUP_ADMIN: fputs(!strcmp(sub, "set") ? "made admin" : "no longer admin", out); break;
    case OB_EV_GROUP_CARD: {
        char before[512], after[512];
        json_detail(ev, NULL, "card_old", before, sizeof before);
        json_detail(ev, NULL, "card_new", after, sizeof after);
        fprintf(out, "card \"%s\" -> \"%s\"", before, after);
        break;
    }
    case OB_EV_GROUP_UPLOAD: {
        char name[512];
        json_detail(ev, "file", "name", name, sizeof name);
        fprintf(out, "uploaded \"%s\"", name);
        break;
    }
    case OB_EV_ESSENCE:
        fprintf(out, "message #%lld essence %s", (long long)ev->message_id, sub);
        put_operator(ev, out);
        break;
    case OB_EV_NOTIFY: {
        char detail[512];
        fprintf(out, "notify %s", sub);
        if (ev->target_id) fprintf(out, " -> %lld", (long long)ev->target_id);
        json_detail(ev, NULL, !strcmp(sub, "group_name") ? "name_new" : "title", detail, sizeof detail);
        if (*detail) fprintf(out, " \"%s\"", detail);
        break;
    }
    case OB_EV_GROUP_REQUEST:
    case OB_EV_FRIEND_REQUEST:
        fprintf(out, "%s request (%s): \"%s\" flag=%s", ev->kind == OB_EV_GROUP_REQUEST ? "join" : "friend", sub,
                ev->comment ? ev->comment : "", ev->flag ? ev->flag : "");
        break;
    case OB_EV_LIFECYCLE:
        fputs(!strcmp(sub, "disconnect")  ? "connection lost, reconnecting"
              : !strcmp(sub, "reconnect") ? "reconnected"
                                          : "connected",
              out);
        break;
    case OB_EV_HEARTBEAT: fputs("heartbeat", out); break;
    default: fprintf(out, "%s %s %s", ev->post_type ? ev->post_type : "", ev->detail_type ? ev->detail_type : "", sub);
    }
}

static void on_event(ob_client *c, const ob_event *ev, void *userdata) {
    events_opts *o = userdata;
    if (o->filtered ? !o->want[ev->kind] : (ev->kind == OB_EV_HEARTBEAT)) return;
    if (o->group_id && ev->group_id != o->group_id) return;
    if (o->json) {
        fputs(ev->json ? ev->json : "{}", stdout);
        fputc('\n', stdout);
    } else {
        char when[32] = "-";
        time_t t = ev->time ? (time_t)ev->time : time(NULL);
        struct tm tm;
        if (localtime_r(&t, &tm)) strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        printf("%s  %-14s", when, ob_event_kind_name(ev->kind));
        if (ev->group_id) printf("  group %lld", (long long)ev->group_id);
        if (ev->user_id) printf("  user %lld", (long long)ev->user_id);
        fputs("  ", stdout);
        put_what(ev, stdout);
        fputc('\n', stdout);
    }
    /* The reader is gone (`| head` with SIGPIPE ignored) or the disk is
       full: stop following; main reports the write error. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        ob_stop(c);
        return;
    }
    /* the connection's own events (lifecycle on every connect, heartbeats)
       are not what --count waits for, unless the filter asked for them */
    bool meta = ev->kind == OB_EV_LIFECYCLE || ev->kind == OB_EV_HEARTBEAT;
    if (o->count && (!meta || o->filtered) && ++o->printed >= o->count) ob_stop(c);
}

/* NapCat's forward WebSocket serves actions only on /api (events only on
 * /event, both on /): a follower there would wait forever in silence. */
static bool url_is_api_path(const char *url) {
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    if (!p) return false;
    size_t n = strcspn(p, "?#");
    return (n == 4 || (n == 5 && p[4] == '/')) && !strncmp(p, "/api", 4);
}

int cli_cmd_events(cli_ctx *ctx, int argc, char **argv) {
    events_opts o = {0};
    o.json = ctx->json;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        char opt[16];
        /* --opt VALUE or --opt=VALUE, as everywhere else */
        size_t n = strcspn(a, "=");
        if (n < sizeof opt) {
            memcpy(opt, a, n);
            opt[n] = '\0';
        } else {
            opt[0] = '\0';
        }
        if (!strcmp(opt, "--filter") || !strcmp(opt, "--group") || !strcmp(opt, "--count")) {
            if (a[n] == '=') val = a + n + 1;
            else if (i + 1 >= argc) return cli_usage_error("events", "%s needs a value", a);
            else val = argv[++i];
            a = opt;
        } else if (!strcmp(a, "--")) {
            continue;
        } else {
            return cli_usage_error("events", "unexpected argument '%s'", a);
        }
        if (!strcmp(a, "--filter")) {
            if (!*val) return cli_usage_error("events", "--filter wants event kinds separated by commas");
            for (const char *p = val; *p;) {
                size_t n = strcspn(p, ",");
                int k = kind_from_name(p, n);
                if (k < 0) return cli_usage_error("events", "unknown event kind '%.*s'", (int)n, p);
                o.want[k] = true;
                o.filtered = true;
                p += n;
                if (*p) p++;
            }
        } else if (!strcmp(a, "--group")) {
            if (!parse_i64(val, &o.group_id) || o.group_id <= 0)
                return cli_usage_error("events", "--group wants a group id, not '%s'", val);
        } else {
            int64_t n;
            if (!parse_i64(val, &n) || n <= 0)
                return cli_usage_error("events", "--count wants a positive number, not '%s'", val);
            o.count = (long)n;
        }
    }
    if (url_is_api_path(ctx->url))
        fprintf(stderr,
                "onebot: warning: %s: the /api path carries no events (only action replies); follow the "
                "server's root path (/) or /event instead\n",
                ctx->url);
    int status = cli_connect(ctx, true);
    if (status != CLI_EXIT_OK) return status;
    ob_on_event(ctx->client, on_event, &o);
    int rc = ob_run(ctx->client);
    return cli_report(ctx, rc);
}
