/* Scenario 5: decoding a 3 000-member get_group_member_list reply (the whole
 * frame, about 1.1 MB) into typed results, in memory, no socket. Reports the
 * median of many runs for: the client's own path (tokenize the frame once,
 * decode "data" from those tokens into one ob_group_member_list block), its
 * two halves, and the public decoder given only the reply's data text.
 *
 * Usage: bench_decode [--members N] [--runs R] [--write FILE]
 * --write also saves the exact frame so the peers parse the very same bytes. */
#include "bench_fixture.h"
#include "bench_util.h"
#include "client_internal.h"
#include "codec.h"
#include "json.h"

#include <onebot/onebot.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what, int rc) {
    fprintf(stderr, "bench_decode: %s: %s\n", what, ob_strerror(rc));
    exit(1);
}

/* Touches what a caller would read, so no run can be skipped or trimmed,
 * and fails loudly if the decode is wrong. */
static void check(const ob_group_member_list *l, size_t members) {
    if (!l || l->count != members) {
        fprintf(stderr, "bench_decode: wrong member count\n");
        exit(1);
    }
    const ob_group_member *last = &l->items[members - 1];
    if (l->items[0].role != OB_ROLE_OWNER || last->user_id != 1000000000LL + (long long)(members - 1) * 7919 ||
        last->group_id != BENCH_GROUP_ID || last->nickname[0] == '\0') {
        fprintf(stderr, "bench_decode: decoded values do not match the fixture\n");
        exit(1);
    }
}

int main(int argc, char **argv) {
    size_t members = 3000, runs = 40;
    const char *write_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--members") && i + 1 < argc) members = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--write") && i + 1 < argc) write_path = argv[++i];
        else {
            fprintf(stderr, "usage: bench_decode [--members N] [--runs R] [--write FILE]\n");
            return 2;
        }
    }
    if (members == 0 || runs == 0) {
        fprintf(stderr, "bench_decode: members and runs must be > 0\n");
        return 2;
    }

    size_t data_len, frame_len;
    char *data = bench_member_list_json(members, &data_len);
    char *frame = data ? bench_reply_frame(data, data_len, "\"42\"", 4, &frame_len) : NULL;
    if (!frame) {
        fprintf(stderr, "bench_decode: out of memory\n");
        return 1;
    }
    if (write_path) {
        FILE *f = fopen(write_path, "wb");
        if (!f || fwrite(frame, 1, frame_len, f) != frame_len || fclose(f) != 0) {
            perror(write_path);
            return 1;
        }
    }

    double *full = calloc(runs, sizeof *full), *tokenize = calloc(runs, sizeof *tokenize),
           *decode = calloc(runs, sizeof *decode), *pub = calloc(runs, sizeof *pub);
    if (!full || !tokenize || !decode || !pub) {
        fprintf(stderr, "bench_decode: out of memory\n");
        return 1;
    }

    ob__jdoc doc = {0};
    for (size_t r = 0; r < runs + 2; r++) { /* two untimed runs warm caches and the token array */
        size_t slot = r < 2 ? 0 : r - 2;
        double t0 = bench_now();
        int rc = ob__jdoc_parse(&doc, frame, frame_len);
        if (rc != OB_OK) die("tokenize", rc);
        double t1 = bench_now();
        int data_tok = ob__jget(&doc, 0, "data");
        if (data_tok < 0) die("no data key", OB_EPROTO);
        void *list = NULL;
        rc = ob__decode_list(&ob__desc_group_member, &doc, data_tok, &list);
        if (rc != OB_OK) die("decode", rc);
        double t2 = bench_now();
        check(list, members);
        ob_free(list);
        tokenize[slot] = t1 - t0;
        decode[slot] = t2 - t1;
        full[slot] = t2 - t0;

        /* The public decoder with a reply that carries no tokens: it must parse data_json itself. */
        ob_reply reply = {
            .code = OB_OK, .status = "ok", .message = "", .wording = "", .data_json = data, .data_len = data_len};
        ob_group_member_list *typed = NULL;
        t0 = bench_now();
        rc = ob_group_member_list_decode(&reply, &typed);
        t1 = bench_now();
        if (rc != OB_OK) die("ob_group_member_list_decode", rc);
        check(typed, members);
        ob_free(typed);
        pub[slot] = t1 - t0;
    }
    ob__jdoc_free(&doc);

    bench_emit("decode_ms", "libonebot", median(full, runs) * 1e3);
    bench_emit("decode_tokenize_ms", "libonebot", median(tokenize, runs) * 1e3);
    bench_emit("decode_typed_ms", "libonebot", median(decode, runs) * 1e3);
    bench_emit("decode_public_ms", "libonebot", median(pub, runs) * 1e3);
    bench_emit("decode_frame_bytes", "fixture", (double)frame_len);
    free(full);
    free(tokenize);
    free(decode);
    free(pub);
    free(frame);
    free(data);
    return 0;
}
