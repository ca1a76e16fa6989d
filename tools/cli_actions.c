/* The group API subcommands. Everything here is read from the action table
 * (src/actions.h): the subcommand names, their arguments, help, defaults
 * and result printing. Each subcommand then calls the library's typed
 * function (ob_set_group_ban, ...) through a thunk that the same table
 * generates, so the compiler checks every call against include/onebot/group.h
 * and the CLI exercises exactly the code a C program would. */
#include "cli.h"
#include "cli_print.h"
#include "actions.h"
#include "permissions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- thunks: ob__arg[] -> ob_<name>(c, ...) ---- */

typedef int (*cli_thunk)(ob_client *c, const ob__arg *a, void *out);

#define CLI_OUT_NONE(T)
#define CLI_OUT_OBJ(T) , (T **)out
#define CLI_OUT_LIST(T) , (T **)out
#define CLI_OUT_JSON(T) , (T **)out
#define CLI_OUT_I64(T) , (T *)out
#define CLI_OUT_STR(T) , (T **)out
#define CLI_OUT_STR_OPT(T) , (T **)out

#define CLI_PARAM_INDEX(type, name, ...) PI_##name,
#define CLI_PARAM_ARG(type, name, ...) OB_P_UNPACK(type, a[PI_##name])

/* Rows whose blocking function has unusual out parameters (gen ASYNC) are
 * called through ob__action_call, the engine every typed function runs on. */
#define CLI_THUNK_BOTH(name, rkind, rtype) \
    static int thunk_##name(ob_client *c, const ob__arg *a, void *out) { \
        enum { OB_PARAMS_##name(CLI_PARAM_INDEX) PI_end_ }; \
        (void)a; \
        (void)out; \
        return ob_##name(c OB_PARAMS_##name(CLI_PARAM_ARG) CLI_OUT_##rkind(rtype)); \
    }
#define CLI_THUNK_BLOCKING CLI_THUNK_BOTH
#define CLI_THUNK_ASYNC(name, rkind, rtype) \
    static int thunk_##name(ob_client *c, const ob__arg *a, void *out) { \
        return ob__action_call(c, &ob__action_defs[OB_ACT_##name], a, out); \
    }
#define CLI_X_THUNK(name, wire, gen, rkind, rtype, ...) CLI_THUNK_##gen(name, rkind, rtype)
OB_ACTIONS(CLI_X_THUNK)

#define CLI_X_ENTRY(name, ...) thunk_##name,
static const cli_thunk thunks[OB_ACTION_COUNT] = {OB_ACTIONS(CLI_X_ENTRY)};

/* ---- the command line of one action ---- */

static bool param_is_bool(const ob__param *p) { return ob__ptype_shape(p->type) == OB_PSHAPE_BOOL; }

/* The row has a parameter that empties something when left out (a card, a
 * title): the command line then wants it, or --clear (ob__param_empties). */
static bool has_clear(const ob__action_def *d) {
    for (size_t i = 0; i < d->nparams; i++)
        if (ob__param_empties(&d->params[i])) return true;
    return false;
}

/* "GROUP_ID" for positional arguments. */
static void upper_name(const char *name, char *buf, size_t len) {
    size_t i = 0;
    for (; name[i] && i + 1 < len; i++) buf[i] = (name[i] >= 'a' && name[i] <= 'z') ? (char)(name[i] - 32) : name[i];
    buf[i] = '\0';
}

/* What a value looks like, for help and errors (the table's value hint). */
static const char *value_hint(const ob__param *p) {
    static char buf[160];
    const char *hint = ob__ptype_value_hint(p->type, buf, sizeof buf);
    return hint ? hint : "text";
}

static bool parse_int(const char *s, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || s[0] == ' ') return false;
    *out = v;
    return true;
}

static bool parse_bool(const char *s, bool *out) {
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcmp(s, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(s, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

typedef struct parse_state {
    const ob__action_def *d;
    ob__arg *args;
    bool *given;
    int64_t *ids; /* id arrays: one buffer (only one array param per row) */
    size_t nids;
    void *message; /* decoded ob_message block (ob_free) */
} parse_state;

/* Converts one value for parameter p. Returns 0 or a usage error status. */
static int set_value(parse_state *st, size_t i, const char *val) {
    const ob__param *p = &st->d->params[i];
    ob__arg *a = &st->args[i];
    const char *cmd = st->d->name;
    int64_t v;
    switch (ob__ptype_shape(p->type)) {
    case OB_PSHAPE_I64:
        if (!parse_int(val, &v) || v < ob__ptype_min(p->type))
            return cli_usage_error(cmd, "%s must be %s, not '%s'", p->name, value_hint(p), val);
        a->i = v;
        break;
    case OB_PSHAPE_BOOL:
        if (!parse_bool(val, &a->b))
            return cli_usage_error(cmd, "%s must be %s, not '%s'", p->name, value_hint(p), val);
        break;
    case OB_PSHAPE_IDS:
        for (const char *s = val; *s;) {
            size_t n = strcspn(s, ",");
            char tmp[32];
            if (n == 0 || n >= sizeof tmp)
                return cli_usage_error(cmd, "%s wants ids separated by commas, not '%s'", p->name, val);
            memcpy(tmp, s, n);
            tmp[n] = '\0';
            if (!parse_int(tmp, &v) || v < ob__ptype_min(p->type))
                return cli_usage_error(cmd, "%s: '%s' is not a positive number", p->name, tmp);
            int64_t *grown = realloc(st->ids, (st->nids + 1) * sizeof *grown);
            if (!grown) return CLI_EXIT_ERROR;
            st->ids = grown;
            st->ids[st->nids++] = v;
            s += n;
            if (*s) s++;
        }
        a->arr.ids = st->ids;
        a->arr.n = st->nids;
        break;
    case OB_PSHAPE_HONOR:
    case OB_PSHAPE_KIND:
        if (ob__ptype_choice_parse(p->type, val, &a->e) != OB_OK)
            return cli_usage_error(cmd, "%s must be one of %s, not '%s'", p->name, value_hint(p), val);
        break;
    case OB_PSHAPE_MSG: {
        ob__jdoc doc = {0};
        void *msg = NULL;
        int rc = ob__jdoc_parse(&doc, val, strlen(val));
        if (rc == OB_OK && doc.ntok > 0 && doc.tok[0].type == JSMN_ARRAY)
            rc = ob__decode_list(&ob__desc_segment, &doc, 0, &msg);
        else rc = OB_EINVAL;
        ob__jdoc_free(&doc);
        if (rc != OB_OK)
            return cli_usage_error(cmd,
                                   "%s must be a JSON array of segments such as "
                                   "'[{\"type\":\"text\",\"data\":{\"text\":\"hi\"}}]'",
                                   p->name);
        ob_free(st->message);
        st->message = msg;
        a->msg = msg;
        break;
    }
    case OB_PSHAPE_STR:
        if (p->type == OB_PT_JSON) { /* checked here too, so a typo sends nothing and connects to nothing */
            ob__jdoc doc = {0};
            int rc = ob__jdoc_parse(&doc, val, strlen(val));
            ob__jdoc_free(&doc);
            if (rc != OB_OK) return cli_usage_error(cmd, "%s must be valid JSON (one value)", p->name);
        }
        a->s = val;
        break;
    case OB_PSHAPE_NONE: a->s = val; break;
    }
    st->given[i] = true;
    return 0;
}

/* The seed's default for an optional parameter not given. */
static void set_default(parse_state *st, size_t i) {
    const ob__param *p = &st->d->params[i];
    ob__arg *a = &st->args[i];
    if (!p->def) return; /* optional strings stay NULL: the key is left out */
    if (param_is_bool(p)) parse_bool(p->def, &a->b);
    else if (ob__ptype_shape(p->type) == OB_PSHAPE_I64) parse_int(p->def, &a->i);
    /* strings with a default ("\"\"" for titles and cards) stay NULL too:
       the library leaves the key out and NapCat applies that same default */
}

static const ob__param *find_option(const ob__action_def *d, const char *name, size_t n, size_t *index) {
    for (size_t i = 0; i < d->nparams; i++) {
        const ob__param *p = &d->params[i];
        if (!ob__param_is_input(p) || ob__param_is_required(p)) continue;
        if (strlen(p->name) != n) continue;
        bool same = true;
        for (size_t k = 0; k < n && same; k++) same = p->name[k] == name[k] || (p->name[k] == '_' && name[k] == '-');
        if (same) {
            *index = i;
            return p;
        }
    }
    return NULL;
}

/* A row's name, or its former name ("send_group_msg"). */
bool cli_action_exists(const char *name) { return ob__action_by_name(name) != NULL; }

static const ob__action_def *action_by_name(const char *name, size_t *index) {
    const ob__action_def *d = ob__action_by_name(name);
    if (d) *index = (size_t)(d - ob__action_defs);
    return d;
}

void cli_list_actions(FILE *out) {
    int width = 27; /* the summaries line up, two spaces after the longest name */
    for (size_t i = 0; i < OB_ACTION_COUNT; i++)
        if ((int)strlen(ob__action_defs[i].name) + 1 > width) width = (int)strlen(ob__action_defs[i].name) + 1;
    for (size_t i = 0; i < OB_ACTION_COUNT; i++)
        fprintf(out, "  %-*s %s\n", width, ob__action_defs[i].name, ob__action_defs[i].summary);
}

/* The list field of an object result that only wraps a list (NapCat's
 * {"messages": [...]}): printed as that list's table. NULL otherwise. */
static const ob__field *wrapped_list(const ob__action_def *d) {
    if (d->result != OB_RK_OBJ || d->desc->nfields != 1 || d->desc->fields[0].type != OB_FT_LIST) return NULL;
    return &d->desc->fields[0];
}

void cli_action_synopsis(const ob__action_def *d, FILE *out) {
    fprintf(out, "onebot %s", d->name);
    for (size_t i = 0; i < d->nparams; i++) {
        const ob__param *p = &d->params[i];
        char up[64];
        upper_name(p->name, up, sizeof up);
        if (ob__param_is_required(p)) fprintf(out, ob__ptype_shape(p->type) == OB_PSHAPE_IDS ? " %s..." : " %s", up);
    }
    for (size_t i = 0; i < d->nparams; i++) {
        const ob__param *p = &d->params[i];
        char up[64];
        upper_name(p->name, up, sizeof up);
        if (ob__param_empties(p)) fprintf(out, " (--%s %s | --clear)", p->name, up);
        else if (ob__param_is_input(p) && !ob__param_is_required(p))
            fprintf(out, param_is_bool(p) ? " [--%s[=BOOL]]" : " [--%s %s]", p->name, up);
    }
}

void cli_help_action(const char *name, FILE *out) {
    size_t idx;
    const ob__action_def *d = action_by_name(name, &idx);
    if (!d) return;
    fputs("Usage: ", out);
    cli_action_synopsis(d, out);
    fprintf(out, "\n%s.\nCalls ob_%s(), which sends the action %s.\n", d->summary, d->name, d->action);
    const ob__perm_rule *rule = ob__perm_rule_of((int)idx);
    if (rule)
        fprintf(out, "%s. onebot checks it first (exit 5, nothing sent; --no-check sends anyway).\n", rule->requires);
    bool any = false;
    for (size_t i = 0; i < d->nparams; i++) {
        const ob__param *p = &d->params[i];
        if (!ob__param_is_input(p)) continue;
        if (!any) {
            fputs("\nArguments:\n", out);
            any = true;
        }
        char left[96], up[64];
        upper_name(p->name, up, sizeof up);
        if (ob__param_is_required(p)) snprintf(left, sizeof left, "%s", up);
        else if (param_is_bool(p)) snprintf(left, sizeof left, "--%s[=BOOL]", p->name);
        else snprintf(left, sizeof left, "--%s %s", p->name, up);
        char hint[8];
        bool self_explaining = ob__ptype_choice(p->type, 0) || !ob__ptype_value_hint(p->type, hint, sizeof hint);
        fprintf(out, "  %-30s %s", left, p->help);
        if (!self_explaining) fprintf(out, " (%s)", value_hint(p));
        if (ob__param_empties(p)) fputs("; required, or --clear", out);
        else if (p->def && !ob__param_is_required(p)) fprintf(out, "; default %s", p->def);
        fputc('\n', out);
    }
    if (has_clear(d)) fprintf(out, "  %-30s %s\n", "--clear", "send it empty, which clears it");
    fputs("\nPrints: ", out);
    switch (d->result) {
    case OB_RK_NONE: fputs("\"ok: \" and the arguments sent (--json: null; --quiet: nothing)", out); break;
    case OB_RK_LIST: fprintf(out, "%s as a table (--json: a JSON array)", d->result_type); break;
    case OB_RK_OBJ:
        if (wrapped_list(d))
            fprintf(out, "%s as a table of its %s (--json: a JSON object)", d->result_type, wrapped_list(d)->key);
        else fprintf(out, "%s as key/value lines (--json: a JSON object)", d->result_type);
        break;
    case OB_RK_JSON: fputs("the reply's data, indented (--json: on one line)", out); break;
    case OB_RK_I64: fprintf(out, "the number %s", d->result_key ? d->result_key : "returned"); break;
    case OB_RK_STR:
    case OB_RK_STR_OPT:
        fprintf(out, "the %s (--json: a JSON string%s)", d->result_key ? d->result_key : "folder id",
                d->result == OB_RK_STR_OPT ? ", or null when the server gave none" : "");
        break;
    }
    fputs("\n\n", out);
    cli_print_global_options(out);
}

/* "ok: set_group_ban group_id=100100 user_id=20003 duration=600": what an
 * action without a result did, with every value it sent (defaults too). */
static void print_ok(const parse_state *st, FILE *out) {
    const ob__action_def *d = st->d;
    fprintf(out, "ok: %s", d->name);
    for (size_t i = 0; i < d->nparams; i++) {
        const ob__param *p = &d->params[i];
        const ob__arg *a = &st->args[i];
        if (!ob__param_is_input(p)) continue;
        switch (ob__ptype_shape(p->type)) {
        case OB_PSHAPE_I64:
            if (p->type == OB_PT_ID_OPT && a->i == 0) break; /* none: left out of the request */
            fprintf(out, " %s=%lld", p->name, (long long)a->i);
            break;
        case OB_PSHAPE_BOOL: fprintf(out, " %s=%s", p->name, a->b ? "true" : "false"); break;
        case OB_PSHAPE_IDS:
            fprintf(out, " %s=", p->name);
            for (size_t k = 0; k < a->arr.n; k++) fprintf(out, "%s%lld", k ? "," : "", (long long)a->arr.ids[k]);
            break;
        case OB_PSHAPE_HONOR:
        case OB_PSHAPE_KIND: fprintf(out, " %s=%s", p->name, ob__ptype_choice(p->type, a->e)); break;
        case OB_PSHAPE_STR:
            if (a->s) { /* quoted and escaped: one line whatever the text holds */
                ob__jw w = {0};
                ob__jw_str(&w, a->s);
                if (!w.b.oom) fprintf(out, " %s=%.*s", p->name, (int)w.b.len, w.b.p);
                ob__buf_free(&w.b);
            }
            break;
        case OB_PSHAPE_MSG:
        case OB_PSHAPE_NONE: break;
        }
    }
    fputc('\n', out);
}

/* Prints what the typed call returned. */
static void print_result(const cli_ctx *ctx, const parse_state *st, void *block, int64_t number, char *text) {
    const ob__action_def *d = st->d;
    switch (d->result) {
    case OB_RK_NONE:
        if (ctx->json) puts("null");
        else if (!ctx->quiet) print_ok(st, stdout);
        break;
    case OB_RK_OBJ: {
        const ob__field *list = ctx->json ? NULL : wrapped_list(d);
        if (list) cli_print_typed(ctx, list->sub, true, (const char *)block + list->offset, stdout);
        else cli_print_typed(ctx, d->desc, false, block, stdout);
        break;
    }
    case OB_RK_LIST: cli_print_typed(ctx, d->desc, true, block, stdout); break;
    case OB_RK_JSON: {
        const ob_json *j = block;
        if (ctx->json) printf("%.*s\n", (int)j->len, j->json);
        else cli_print_json_pretty(j->json, j->len, stdout);
        break;
    }
    case OB_RK_I64: printf("%lld\n", (long long)number); break;
    case OB_RK_STR:
    case OB_RK_STR_OPT:
        if (ctx->json) {
            ob__jw w = {0};
            ob__jw_str(&w, text);
            printf("%.*s\n", (int)w.b.len, w.b.p ? w.b.p : "null");
            ob__buf_free(&w.b);
        } else if (text) {
            puts(text);
        }
        break;
    }
}

int cli_cmd_action(cli_ctx *ctx, int argc, char **argv) {
    size_t idx;
    const ob__action_def *d = action_by_name(argv[0], &idx);
    ob__arg args[16] = {{0}};
    bool given[16] = {0};
    if (!d || d->nparams > 16) return cli_usage_error(NULL, "unknown command '%s'", argv[0]);
    parse_state st = {.d = d, .args = args, .given = given};
    int status = 0;

    size_t next_pos = 0; /* index into params of the next positional */
    bool options_done = false, clear = false;
    for (int i = 1; i < argc && !status; i++) {
        const char *a = argv[i];
        if (!options_done && !strcmp(a, "--")) {
            options_done = true;
            continue;
        }
        if (!options_done && a[0] == '-' && a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t n = eq ? (size_t)(eq - name) : strlen(name), pi;
            if (!strcmp(name, "clear") && has_clear(d)) {
                if (clear) status = cli_usage_error(d->name, "--clear given twice");
                clear = true;
                continue;
            }
            const ob__param *p = find_option(d, name, n, &pi);
            if (!p) {
                status = cli_usage_error(d->name, "unknown option '%s'", a);
                break;
            }
            if (given[pi]) {
                status = cli_usage_error(d->name, "--%s given twice", p->name);
                break;
            }
            const char *val = eq ? eq + 1 : NULL;
            if (!val && param_is_bool(p)) val = "true";
            if (!val) {
                if (i + 1 >= argc) {
                    status = cli_usage_error(d->name, "--%s needs a value", p->name);
                    break;
                }
                val = argv[++i];
            }
            status = set_value(&st, pi, val);
            continue;
        }
        /* a positional: the next required parameter; extra ones extend an id array */
        while (next_pos < d->nparams && !ob__param_is_required(&d->params[next_pos])) next_pos++;
        if (next_pos >= d->nparams) {
            size_t last = d->nparams;
            for (size_t k = 0; k < d->nparams; k++)
                if (ob__param_is_required(&d->params[k])) last = k;
            if (last < d->nparams && ob__ptype_shape(d->params[last].type) == OB_PSHAPE_IDS) {
                status = set_value(&st, last, a);
                continue;
            }
            status = cli_usage_error(d->name, "unexpected argument '%s'", a);
            break;
        }
        status = set_value(&st, next_pos++, a);
    }
    for (size_t i = 0; i < d->nparams && !status; i++) {
        const ob__param *p = &d->params[i];
        char up[64];
        upper_name(p->name, up, sizeof up);
        if (ob__param_is_required(p) && !given[i]) {
            status = cli_usage_error(d->name, "missing %s (%s)", up, p->help);
        } else if (ob__param_empties(p) && given[i] == clear) {
            status = clear
                         ? cli_usage_error(d->name, "--clear and --%s exclude each other", p->name)
                         : cli_usage_error(d->name, "give --%s %s, or --clear to empty it (%s)", p->name, up, p->help);
        } else if (ob__param_empties(p) && clear) {
            st.args[i].s = "";
        } else if (!given[i]) {
            set_default(&st, i);
        }
    }
    if (status) {
        free(st.ids);
        ob_free(st.message);
        return status;
    }

    status = cli_connect(ctx, false);
    if (status == CLI_EXIT_OK) {
        void *block = NULL;
        int64_t number = 0;
        char *text = NULL;
        void *out = d->result == OB_RK_I64                                   ? (void *)&number
                    : (d->result == OB_RK_STR || d->result == OB_RK_STR_OPT) ? (void *)&text
                    : d->result == OB_RK_NONE                                ? NULL
                                                                             : (void *)&block;
        int rc = thunks[idx](ctx->client, args, out);
        if (rc == OB_OK) print_result(ctx, &st, block, number, text);
        status = cli_report(ctx, rc);
        ob_free(block);
        ob_free(text);
    }
    free(st.ids);
    ob_free(st.message);
    return status;
}
