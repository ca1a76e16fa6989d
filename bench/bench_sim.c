/* Scenario 7: the simulator under mixed group-management load. For each
 * group size it builds a fresh on-disk world (WAL, synchronous=FULL: every
 * acknowledged write is a durable commit), then 8 libonebot clients, each on
 * its own thread and connection (/api, no event fan-out), run a fixed mix of
 * moderation writes and reads for a few seconds:
 *
 *   per 20 actions: 6 set_group_ban, 3 set_group_card, 1 set_group_admin,
 *   1 set_group_special_title, 6 get_group_member_info, 2 get_group_info,
 *   1 get_group_member_list every 5th cycle (else one more member_info).
 *
 * Prints sim_aps_<size> (actions/s) and sim_wps_<size> (durable writes/s).
 * Usage: bench_sim --dir DIR [--clients 8] [--seconds 3] [--members 100,1000,10000]
 *        bench_sim --dir DIR --serve N   builds the N-member world, prints the
 *        port and serves until killed (for the Node peer's run of the same mix). */
#include "bench_util.h"
#include "json.h"
#include "sim.h"

#include <onebot/onebot.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GROUP_ID 736120411LL
#define FIRST_USER 2000000000LL
#define CONTROL_TOKEN "bench-control"

typedef struct load {
    int port, index;
    size_t members;
    double deadline;
    long actions, writes, failures;
    char error[256];
} load;

static void *sim_thread(void *arg) {
    ob_sim_run(arg);
    return NULL;
}

static ob_client *connect_client(int port, const char *path, char *err, size_t errlen) {
    char url[96];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d%s", port, path);
    ob_options opt = {.url = url, .access_token = CONTROL_TOKEN, .timeout_ms = 60000};
    ob_client *c = ob_client_new(&opt);
    int rc = c ? ob_connect(c) : OB_ENOMEM;
    if (rc != OB_OK) {
        snprintf(err, errlen, "connect: %s", ob_strerror(rc));
        ob_client_free(c);
        return NULL;
    }
    return c;
}

/* One group owned by the bot, and its members added in all-or-nothing batches. */
static int seed(int port, size_t members, char *err, size_t errlen) {
    ob_client *c = connect_client(port, "/api", err, errlen);
    if (!c) return -1;
    char params[160];
    snprintf(params, sizeof params,
             "{\"group_id\":%lld,\"group_name\":\"bench %zu\",\"bot_role\":\"owner\",\"max_member_count\":%zu}",
             GROUP_ID, members, members + 100);
    ob_reply *r = NULL;
    int rc = ob_call(c, "sim_create_group", params, &r);
    ob_free(r);
    for (size_t first = 0; rc == OB_OK && first < members; first += 1000) {
        size_t n = members - first < 1000 ? members - first : 1000;
        ob__buf b = {0};
        char item[160];
        int len = snprintf(item, sizeof item, "{\"group_id\":%lld,\"sub_type\":\"none\",\"members\":[", GROUP_ID);
        ob__buf_put(&b, item, (size_t)len);
        for (size_t i = first; i < first + n; i++) {
            len = snprintf(item, sizeof item,
                           "%s{\"user_id\":%lld,\"nickname\":\"member %zu\",\"card\":\"\",\"role\":\"member\"}",
                           i > first ? "," : "", FIRST_USER + (long long)i, i);
            ob__buf_put(&b, item, (size_t)len);
        }
        ob__buf_puts(&b, "]}");
        char *text = ob__buf_take(&b);
        r = NULL;
        rc = text ? ob_call(c, "sim_add_members", text, &r) : OB_ENOMEM;
        free(text);
        ob_free(r);
    }
    if (rc != OB_OK) {
        const ob_error *e = ob_last_error(c);
        snprintf(err, errlen, "seeding %zu members: %s (%s)", members, ob_strerror(rc), e->message);
    }
    ob_client_free(c);
    return rc == OB_OK ? 0 : -1;
}

static void *load_thread(void *arg) {
    load *l = arg;
    ob_client *c = connect_client(l->port, "/api", l->error, sizeof l->error);
    if (!c) {
        l->failures++;
        return NULL;
    }
    /* Admin toggles stay on a few low members of this client's own; bans and
       cards spread over the rest, so clients rarely touch the same row. */
    int64_t own_admin = FIRST_USER + 1 + l->index;
    for (long k = 0; bench_now() < l->deadline; k++) {
        int64_t uid = FIRST_USER + 16 + (int64_t)(((size_t)l->index * 7919u + (size_t)k * 31u) % (l->members - 16));
        int rc = OB_OK;
        bool write = true;
        long step = k % 20;
        if (step < 6) {
            rc = ob_set_group_ban(c, GROUP_ID, uid, step % 2 ? 600 : 0);
        } else if (step < 9) {
            char card[32];
            snprintf(card, sizeof card, "card %ld", k);
            rc = ob_set_group_card(c, GROUP_ID, uid, card);
        } else if (step == 9) {
            rc = ob_set_group_admin(c, GROUP_ID, own_admin, (k / 20) % 2 == 0);
        } else if (step == 10) {
            rc = ob_set_group_special_title(c, GROUP_ID, uid, "bench");
        } else if (step < 17 || (step == 19 && (k / 20) % 5 != 0)) {
            ob_group_member *m = NULL;
            rc = ob_get_group_member_info(c, GROUP_ID, uid, &m);
            ob_free(m);
            write = false;
        } else if (step < 19) {
            ob_group_info *g = NULL;
            rc = ob_get_group_info(c, GROUP_ID, &g);
            ob_free(g);
            write = false;
        } else {
            ob_group_member_list *list = NULL;
            rc = ob_get_group_member_list(c, GROUP_ID, &list);
            if (rc == OB_OK && list->count < l->members) rc = OB_EPROTO;
            ob_free(list);
            write = false;
        }
        if (rc != OB_OK) {
            if (l->failures++ == 0) {
                const ob_error *e = ob_last_error(c);
                snprintf(l->error, sizeof l->error, "step %ld: %s (%s)", step, ob_strerror(rc), e->message);
            }
            continue;
        }
        l->actions++;
        l->writes += write;
    }
    ob_client_free(c);
    return NULL;
}

static int run_size(const char *dir, size_t members, int clients, double seconds, bool serve) {
    char path[1024], err[256] = "";
    snprintf(path, sizeof path, "%s/bench-sim-%zu.db", dir, members);
    for (const char *suffix = "";; suffix = suffix[0] ? NULL : "-wal") {
        char p[1100];
        snprintf(p, sizeof p, "%s%s", path, suffix);
        unlink(p);
        if (!suffix) break;
    }
    ob_sim_config cfg = {.db_path = path, .control_token = CONTROL_TOKEN, .heartbeat_ms = -1};
    ob_sim *s = ob_sim_new(&cfg, err, sizeof err);
    if (!s) {
        fprintf(stderr, "bench_sim: %s\n", err);
        return -1;
    }
    pthread_t st;
    if (pthread_create(&st, NULL, sim_thread, s) != 0) {
        ob_sim_free(s);
        return -1;
    }

    int rc = seed(ob_sim_port(s), members, err, sizeof err);
    if (serve) {
        if (rc != 0) {
            fprintf(stderr, "bench_sim: %s\n", err);
            return -1;
        }
        printf("%d\n", ob_sim_port(s));
        fflush(stdout);
        pthread_join(st, NULL); /* until the process is killed */
        return 0;
    }
    load *loads = calloc((size_t)clients, sizeof *loads);
    pthread_t *threads = calloc((size_t)clients, sizeof *threads);
    double t0 = 0, wall = 0;
    long actions = 0, writes = 0, failures = 0;
    if (rc == 0 && loads && threads) {
        t0 = bench_now();
        for (int i = 0; i < clients; i++) {
            loads[i] = (load){.port = ob_sim_port(s), .index = i, .members = members, .deadline = t0 + seconds};
            pthread_create(&threads[i], NULL, load_thread, &loads[i]);
        }
        for (int i = 0; i < clients; i++) pthread_join(threads[i], NULL);
        wall = bench_now() - t0;
        for (int i = 0; i < clients; i++) {
            actions += loads[i].actions;
            writes += loads[i].writes;
            if (loads[i].failures && !failures) fprintf(stderr, "bench_sim: client %d: %s\n", i, loads[i].error);
            failures += loads[i].failures;
        }
    } else if (rc != 0) {
        fprintf(stderr, "bench_sim: %s\n", err);
    }
    ob_sim_stop(s);
    pthread_join(st, NULL);
    ob_sim_free(s);
    free(loads);
    free(threads);
    if (rc != 0 || failures) return -1;

    char name[64];
    snprintf(name, sizeof name, "sim_aps_%zu", members);
    bench_emit(name, "libonebot", (double)actions / wall);
    snprintf(name, sizeof name, "sim_wps_%zu", members);
    bench_emit(name, "libonebot", (double)writes / wall);
    return 0;
}

int main(int argc, char **argv) {
    const char *dir = NULL, *sizes = "100,1000,10000";
    size_t serve = 0;
    int clients = 8;
    double seconds = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "--clients") && i + 1 < argc) clients = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--members") && i + 1 < argc) sizes = argv[++i];
        else if (!strcmp(argv[i], "--serve") && i + 1 < argc) serve = strtoul(argv[++i], NULL, 10);
        else dir = NULL, i = argc;
    }
    if (!dir || clients <= 0 || seconds <= 0) {
        fprintf(stderr,
                "usage: bench_sim --dir DIR [--clients 8] [--seconds 3] [--members 100,1000,10000] | --serve N\n");
        return 2;
    }
    if (serve) return run_size(dir, serve, clients, seconds, true) == 0 ? 0 : 1;
    for (const char *p = sizes; *p;) {
        char *end;
        size_t n = strtoul(p, &end, 10);
        if (end == p || n < 32) {
            fprintf(stderr, "bench_sim: group sizes must be numbers >= 32\n");
            return 2;
        }
        if (run_size(dir, n, clients, seconds, false) != 0) return 1;
        p = *end == ',' ? end + 1 : end;
    }
    return 0;
}
