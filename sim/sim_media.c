/* Segments as a receiver sees them (docs/protocol.md §3.4, §6): a message
 * the simulator stores is kept, and reported in the group message event and
 * by get_msg, in NapCat's receive shape, not as the sender wrote it.
 *
 *   image  {summary, file: "<MD5>.<ext>", sub_type, url, file_size}
 *   record {file: "<MD5>.amr", path, url, file_size}
 *   video  {file: "<MD5>.mp4", url, file_size}
 *   face   {id: "14", raw: {faceIndex, faceText, faceType, ...}, resultId, chainCount}
 *
 * Media bytes (base64://, data:, a file:// URI or a path under the files
 * root) are kept behind a download link on the simulator's own port
 * (sim_link_media); the URL of an http(s):// source, which the simulator
 * cannot fetch, is kept as the url and the MD5 is that of the URL. The CQ
 * form follows NapCat's encodeCQCode: every key in order, empty and null
 * values left out, objects as JSON, values escaped. */
#include "sim_internal.h"
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sim_cq_escape(ob__buf *b, const char *s, size_t n, bool param) {
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': ob__buf_puts(b, "&amp;"); break;
        case '[': ob__buf_puts(b, "&#91;"); break;
        case ']': ob__buf_puts(b, "&#93;"); break;
        case ',':
            if (param) {
                ob__buf_puts(b, "&#44;");
                break;
            } /* fall through */
        default: ob__buf_putc(b, s[i]);
        }
    }
}

bool sim_segment_reshaped(const char *type) {
    return strcmp(type, "image") == 0 || strcmp(type, "record") == 0 || strcmp(type, "video") == 0 ||
           strcmp(type, "face") == 0;
}

static const char *field(const sim_seg_field *f, size_t n, const char *key) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].key, key) == 0) return f[i].value;
    return NULL;
}

/* One data key: into the segment as a string (or a bare JSON value when
   json), and into the CQ code unless empty. */
void sim_segment_put(ob__jw *segs, ob__buf *raw, const char *key, const char *value, bool json) {
    ob__jw_key(segs, key);
    if (json) ob__jw_raw(segs, value, strlen(value));
    else ob__jw_str(segs, value);
    if (!value[0] || strcmp(value, "null") == 0) return;
    ob__buf_putc(raw, ',');
    ob__buf_puts(raw, key);
    ob__buf_putc(raw, '=');
    sim_cq_escape(raw, value, strlen(value), true);
}

static bool face(sim_ctx *c, const sim_seg_field *f, size_t n, ob__jw *segs, ob__buf *raw) {
    const char *id = field(f, n, "id");
    char *end = NULL;
    long v = id ? strtol(id, &end, 10) : -1;
    if (!id || !id[0] || *end || v < 0 || v > 65535)
        return sim_fail(c, SIM_RC_BAD_PARAM, "face segment: data.id must be a face number"), false;
    char ids[16], rawjson[320];
    snprintf(ids, sizeof ids, "%ld", v);
    /* QQ's faceElement as NT hands it over; faceType 1 for the classic faces, 2 for newer ones. */
    snprintf(rawjson, sizeof rawjson,
             "{\"faceIndex\":%ld,\"faceText\":null,\"faceType\":%d,\"packId\":null,\"stickerId\":null,"
             "\"sourceType\":null,\"stickerType\":null,\"resultId\":null,\"surpriseId\":null,\"randomType\":null,"
             "\"chainCount\":null}",
             v, v < 260 ? 1 : 2);
    sim_segment_put(segs, raw, "id", ids, false);
    sim_segment_put(segs, raw, "raw", rawjson, true);
    sim_segment_put(segs, raw, "resultId", "null", true);
    sim_segment_put(segs, raw, "chainCount", "null", true);
    return true;
}

/* The extension QQ would give the file: from its bytes for images, else
   from the name given, else the kind's usual one. */
static const char *extension(const char *type, const unsigned char *d, size_t len, const char *name) {
    if (strcmp(type, "image") == 0) {
        if (len >= 8 && memcmp(d, "\x89PNG", 4) == 0) return "png";
        if (len >= 3 && memcmp(d, "\xff\xd8\xff", 3) == 0) return "jpg";
        if (len >= 6 && memcmp(d, "GIF8", 4) == 0) return "gif";
        if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0) return "webp";
    }
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (dot && dot[1] && strlen(dot) <= 5 && !strpbrk(dot, "/?&#")) return dot + 1;
    return strcmp(type, "record") == 0 ? "amr" : strcmp(type, "video") == 0 ? "mp4" : "jpg";
}

void sim_segment_open(ob__jw *segs, ob__buf *raw, const char *type) {
    ob__jw_obj(segs);
    ob__jw_key_str(segs, "type", type);
    ob__jw_key(segs, "data");
    ob__jw_obj(segs);
    ob__buf_puts(raw, "[CQ:");
    ob__buf_puts(raw, type);
}

void sim_segment_close(ob__jw *segs, ob__buf *raw) {
    ob__jw_obj_end(segs);
    ob__jw_obj_end(segs);
    ob__buf_putc(raw, ']');
}

bool sim_segment_receive(sim_ctx *c, const char *type, const sim_seg_field *f, size_t n, ob__jw *segs, ob__buf *raw) {
    sim_segment_open(segs, raw, type);
    bool ok;
    if (strcmp(type, "face") == 0) {
        ok = face(c, f, n, segs, raw);
    } else {
        /* NapCat's source priority: url, then file, then path. */
        const char *src = NULL;
        static const char *const keys[] = {"url", "file", "path"};
        for (int i = 0; i < 3 && !src; i++) {
            const char *v = field(f, n, keys[i]);
            if (v && v[0]) src = v;
        }
        if (!src) return sim_fail(c, SIM_RC_BAD_PARAM, "%s segment: data.file is required", type), false;
        bool remote = strncasecmp(src, "http://", 7) == 0 || strncasecmp(src, "https://", 8) == 0;
        const unsigned char *data = (const unsigned char *)src;
        size_t len = strlen(src);
        if (!remote && !sim_load_file_arg(c, src, &data, &len)) return false;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        char name[2 * EVP_MAX_MD_SIZE + 8] = "";
        if (EVP_Digest(data, len, md, &mdlen, EVP_md5(), NULL) == 1)
            for (unsigned int i = 0; i < mdlen; i++) snprintf(name + 2 * i, 3, "%02X", md[i]);
        const char *given = field(f, n, "name");
        snprintf(name + strlen(name), 8, ".%s",
                 extension(type, remote ? NULL : data, remote ? 0 : len, given && given[0] ? given : src));
        const char *url = remote ? src : sim_link_media(c, data, len, name);
        if (!url) return false;
        char size[24];
        snprintf(size, sizeof size, "%zu", remote ? (size_t)0 : len);
        if (strcmp(type, "image") == 0) {
            const char *summary = field(f, n, "summary"), *sub = field(f, n, "sub_type");
            char *end = NULL;
            long st = sub ? strtol(sub, &end, 10) : 0;
            char subs[16];
            snprintf(subs, sizeof subs, "%ld", sub && !*end ? st : 0L);
            sim_segment_put(segs, raw, "summary", summary ? summary : "", false);
            sim_segment_put(segs, raw, "file", name, false);
            sim_segment_put(segs, raw, "sub_type", subs, true);
        } else {
            sim_segment_put(segs, raw, "file", name, false);
            if (strcmp(type, "record") == 0) sim_segment_put(segs, raw, "path", "", false);
        }
        sim_segment_put(segs, raw, "url", url, false);
        sim_segment_put(segs, raw, "file_size", size, false);
        ok = true;
    }
    sim_segment_close(segs, raw);
    return ok;
}
