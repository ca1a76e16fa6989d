/* async_kick: many actions in flight at once through the _async API.
 *
 *   async_kick [--url URL] [--token T] [--dry-run] GROUP_ID USER_ID...
 *   async_kick [--url URL] [--token T] [--dry-run] GROUP_ID --silent-days N
 *
 * The second form first fetches the member list (asynchronously too) and
 * kicks every plain member who has been in the group for N days or more and
 * has not spoken in the last N days. All kicks are sent
 * before any reply is awaited; the replies are matched by the library. */
#include <onebot/onebot.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct kick_job {
    int64_t user_id;
    int rc; /* reply code, set by the callback */
    bool done;
} kick_job;

typedef struct run {
    int64_t group_id;
    bool dry_run;
    long silent_days; /* 0 = kick the listed users */
    kick_job *jobs;
    size_t njobs, cap, pending;
    bool list_done;
    int list_rc;
} run;

static void add_job(run *r, int64_t user_id) {
    if (r->njobs == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->jobs = realloc(r->jobs, r->cap * sizeof *r->jobs);
        if (!r->jobs) {
            perror("async_kick");
            exit(1);
        }
    }
    r->jobs[r->njobs++] = (kick_job){.user_id = user_id};
}

static void on_kicked(ob_client *c, const ob_reply *reply, void *userdata) {
    (void)c;
    kick_job *job = userdata;
    job->rc = reply->code;
    job->done = true;
    if (reply->code == OB_OK) printf("kicked %lld\n", (long long)job->user_id);
    else
        printf("could not kick %lld: %s\n", (long long)job->user_id,
               *reply->message ? reply->message : ob_strerror(reply->code));
}

/* Picks the silent members; runs inside ob_poll, like every reply callback. */
static void on_member_list(ob_client *c, const ob_reply *reply, void *userdata) {
    (void)c;
    run *r = userdata;
    ob_group_member_list *list = NULL;
    r->list_done = true;
    r->list_rc = reply->code == OB_OK ? ob_group_member_list_decode(reply, &list) : reply->code;
    if (r->list_rc != OB_OK) return;
    int64_t cutoff = (int64_t)time(NULL) - (int64_t)r->silent_days * 86400;
    for (size_t i = 0; i < list->count; i++) {
        const ob_group_member *m = &list->items[i];
        /* silent for N days as a member: someone who joined yesterday and
           has not spoken yet is not */
        int64_t last_seen = m->last_sent_time > m->join_time ? m->last_sent_time : m->join_time;
        if (m->role == OB_ROLE_MEMBER && last_seen < cutoff) add_job(r, m->user_id);
    }
    ob_free(list);
}

static int usage(void) {
    fputs("usage: async_kick [--url URL] [--token T] [--dry-run] GROUP_ID (USER_ID... | --silent-days N)\n", stderr);
    return 2;
}

static bool parse_id(const char *s, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    /* ERANGE: a number past INT64_MAX would come back clamped to it */
    if (errno || end == s || *end || v <= 0) return false;
    *out = v;
    return true;
}

int main(int argc, char **argv) {
    ob_options opt = {0};
    run r = {0};
    for (int i = 1; i < argc; i++) {
        int64_t id;
        if (!strcmp(argv[i], "--url") && i + 1 < argc) opt.url = argv[++i];
        else if (!strcmp(argv[i], "--token") && i + 1 < argc) opt.access_token = argv[++i];
        else if (!strcmp(argv[i], "--dry-run")) r.dry_run = true;
        else if (!strcmp(argv[i], "--silent-days") && i + 1 < argc) {
            if (!parse_id(argv[++i], &id) || id > 36500) return usage(); /* days * 86400 must not overflow */
            r.silent_days = (long)id;
        } else if (parse_id(argv[i], &id)) {
            if (!r.group_id) r.group_id = id;
            else add_job(&r, id);
        } else return usage();
    }
    if (!r.group_id || (r.njobs == 0) == (r.silent_days == 0)) return usage();

    ob_client *c = ob_client_new(&opt);
    int rc = c ? ob_connect(c) : OB_ENOMEM;
    if (rc == OB_OK && r.silent_days) {
        rc = ob_get_group_member_list_async(c, r.group_id, on_member_list, &r);
        while (rc == OB_OK && !r.list_done) rc = ob_poll(c, 1000);
        if (rc == OB_OK) rc = r.list_rc;
    }
    if (rc == OB_OK) {
        printf("%zu member(s) to kick from %lld%s\n", r.njobs, (long long)r.group_id, r.dry_run ? " (dry run)" : "");
        for (size_t i = 0; i < r.njobs && !r.dry_run; i++) {
            /* jobs no longer grows here, so the pointers handed out stay valid */
            rc = ob_set_group_kick_async(c, r.group_id, r.jobs[i].user_id, false, on_kicked, &r.jobs[i]);
            if (rc != OB_OK) break;
            r.pending++;
        }
        size_t done = 0;
        while (rc == OB_OK && done < r.pending) {
            rc = ob_poll(c, 1000);
            done = 0;
            for (size_t i = 0; i < r.pending; i++) done += r.jobs[i].done;
        }
    }
    int failed = 0;
    for (size_t i = 0; i < r.pending; i++) failed += r.jobs[i].done && r.jobs[i].rc != OB_OK;
    if (rc != OB_OK) fprintf(stderr, "async_kick: %s\n", c ? ob_last_error(c)->message : ob_strerror(rc));
    else printf("%zu sent, %d failed\n", r.pending, failed);
    ob_client_free(c);
    free(r.jobs);
    return rc != OB_OK || failed ? 1 : 0;
}
