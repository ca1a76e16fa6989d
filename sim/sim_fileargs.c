/* File arguments as NapCat takes them (docs/protocol.md §3.4): a local path or
 * file:// URI on the simulator host, base64://, data:<mime>;base64,; and the
 * check of file and folder names given by a client. */
#include "sim_files.h"
#include "text.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* The JSON unescaper turns \u0000 into U+FFFD, so a NUL smuggled into a
 * name is only visible in the raw text of the param. */
static bool raw_param_has_nul(sim_ctx *c, const char *key) {
    int t = sim_param_tok(c, key);
    const ob__jdoc *d = sim_params_doc(c);
    if (t < 0 || d->tok[t].type != JSMN_STRING) return false;
    const char *s = ob__jstart(d, t);
    size_t n = ob__jlen(d, t);
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '\\') continue;
        if (s[i + 1] == 'u' && i + 5 < n && strncmp(s + i + 2, "0000", 4) == 0) return true;
        i++; /* skip the escaped character, so "\\u0000" stays literal text */
    }
    return false;
}

bool sim_check_name(sim_ctx *c, const char *key, const char *name) {
    if (raw_param_has_nul(c, key))
        return sim_fail(c, SIM_RC_BAD_PARAM, "%s must not contain NUL characters", key), false;
    size_t n = strlen(name);
    if (n == 0) return sim_fail(c, SIM_RC_BAD_PARAM, "%s must not be empty", key), false;
    if (n > SIM_NAME_BYTES)
        return sim_fail(c, SIM_RC_BAD_PARAM, "%s is too long (%zu bytes, at most %d)", key, n, SIM_NAME_BYTES), false;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return sim_fail(c, SIM_RC_BAD_PARAM, "%s must be a plain name, not \"%s\"", key, name), false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch == '/' || ch == '\\')
            return sim_fail(c, SIM_RC_BAD_PARAM, "%s must be a plain name without '/' or '\\' (got \"%s\")", key, name),
                   false;
        if (ch < 0x20 || ch == 0x7f)
            return sim_fail(c, SIM_RC_BAD_PARAM, "%s must not contain control characters", key), false;
    }
    return true;
}

const char *sim_file_uri_path(sim_ctx *c, const char *uri) {
    const char *p = uri + 7;
    if (strncasecmp(p, "localhost/", 10) == 0) p += 9;
    if (*p != '/') return NULL;
    size_t n = strlen(p);
    char *out = sim_ctx_alloc(c, n + 1);
    if (!out || ob__percent_decode(p, n, out, false) < 0) return NULL;
    return out;
}

/* base64:// and data: payloads: standard or URL-safe, padding optional,
 * whitespace skipped. The bytes are owned by the ctx. */
static bool base64_decode(sim_ctx *c, const char *s, unsigned char **out, size_t *len) {
    size_t n = strlen(s);
    unsigned char *buf = sim_ctx_alloc(c, ob__base64_decoded_max(n));
    if (!buf) return false;
    long got = ob__base64_decode(s, n, buf);
    if (got < 0) return false;
    *out = buf;
    *len = (size_t)got;
    return true;
}

/* real (a resolved path) is root or below it, on a '/' boundary. */
static bool path_under(const char *real, const char *root) {
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/') return real[0] == '/';
    return strncmp(real, root, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

static bool outside_root(sim_ctx *c, const char *path) {
    return sim_fail(c, SIM_RC_REFUSED, "文件处理失败: %s is outside the simulator's files root %s (see --files-root)",
                    path, sim_files_root(c)),
           false;
}

/* Opens path for reading when it resolves (symlinks and ".." followed) to a
 * file under the files root; -1 with the failure recorded otherwise. The
 * resolved path is opened with O_NOFOLLOW, and where /proc shows what was
 * opened, that is checked again (a directory swapped for a symlink between
 * the two steps). */
static int open_in_root(sim_ctx *c, const char *path) {
    char *real = realpath(path, NULL);
    if (!real)
        return sim_fail(c, SIM_RC_REFUSED, "文件处理失败: cannot open %s on the simulator host: %s", path,
                        strerror(errno)),
               -1;
    bool inside = path_under(real, sim_files_root(c));
    int fd = inside ? open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW) : -1;
    int saved = errno;
    free(real);
    if (!inside) return outside_root(c, path), -1;
    if (fd < 0)
        return sim_fail(c, SIM_RC_REFUSED, "文件处理失败: cannot open %s on the simulator host: %s", path,
                        strerror(saved)),
               -1;
    char link[64], opened[SIM_MAX_PATH + 1];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, opened, sizeof opened - 1);
    if (n > 0 && (size_t)n < sizeof opened - 1) {
        opened[n] = '\0';
        if (opened[0] == '/' && !path_under(opened, sim_files_root(c))) {
            close(fd);
            return outside_root(c, path), -1;
        }
    }
    return fd;
}

/* Reads a regular file under the files root; never follows into devices or FIFOs. */
static bool read_local(sim_ctx *c, const char *path, const unsigned char **data, size_t *len) {
    int fd = open_in_root(c, path);
    if (fd < 0) return false;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return sim_fail(c, SIM_RC_REFUSED, "文件处理失败: %s is not a regular file", path), false;
    }
    if ((uint64_t)sb.st_size > SIM_MAX_BASE64) {
        close(fd);
        return sim_fail(c, SIM_RC_REFUSED, "文件处理失败: %s is too large (%lld bytes, at most %u)", path,
                        (long long)sb.st_size, SIM_MAX_BASE64),
               false;
    }
    size_t want = (size_t)sb.st_size;
    unsigned char *buf = sim_ctx_alloc(c, want + 1);
    if (!buf) {
        close(fd);
        return sim_fail(c, SIM_RC_REFUSED, "out of memory"), false;
    }
    size_t got = 0;
    while (got < want) {
        ssize_t r = read(fd, buf + got, want - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (got != want) return sim_fail(c, SIM_RC_REFUSED, "文件处理失败: short read on %s", path), false;
    *data = buf;
    *len = got;
    return true;
}

bool sim_file_arg_in_root(sim_ctx *c, const char *arg) {
    const char *path = arg;
    if (strncasecmp(arg, "file://", 7) == 0) path = sim_file_uri_path(c, arg);
    else if (strstr(arg, "://") || strncasecmp(arg, "data:", 5) == 0) return true;
    if (!path || !path[0]) return true; /* not a local path: the caller judges it */
    int fd = open_in_root(c, path);
    if (fd < 0) return false;
    close(fd);
    return true;
}

bool sim_load_file_arg(sim_ctx *c, const char *arg, const unsigned char **data, size_t *len) {
    if (strncasecmp(arg, "http://", 7) == 0 || strncasecmp(arg, "https://", 8) == 0)
        return sim_fail(c, SIM_RC_REFUSED,
                        "文件下载失败: the simulator has no network access and cannot download %.200s; "
                        "pass a local path, file:// or base64:// instead",
                        arg),
               false;
    if (strncasecmp(arg, "base64://", 9) == 0) {
        unsigned char *buf;
        if (!base64_decode(c, arg + 9, &buf, len))
            return sim_fail(c, SIM_RC_REFUSED, "文件处理失败: the base64:// payload is not valid base64"), false;
        *data = buf;
        return true;
    }
    if (strncasecmp(arg, "data:", 5) == 0) {
        const char *comma = strchr(arg, ',');
        const char *b64 = comma ? strstr(arg, ";base64,") : NULL;
        if (!comma || b64 != comma - 7)
            return sim_fail(c, SIM_RC_REFUSED, "识别URL失败: only data:<mime>;base64,<data> URIs are supported"), false;
        unsigned char *buf;
        if (!base64_decode(c, comma + 1, &buf, len))
            return sim_fail(c, SIM_RC_REFUSED, "文件处理失败: the data: URI payload is not valid base64"), false;
        *data = buf;
        return true;
    }
    if (strlen(arg) > SIM_MAX_PATH)
        return sim_fail(c, SIM_RC_BAD_PARAM, "file is too long for a path or URI (at most %d bytes)", SIM_MAX_PATH),
               false;
    if (strncasecmp(arg, "file://", 7) == 0) {
        const char *path = sim_file_uri_path(c, arg);
        if (!path)
            return sim_fail(c, SIM_RC_REFUSED, "识别URL失败: %s is not a file:// URI of an absolute path", arg), false;
        return read_local(c, path, data, len);
    }
    struct stat sb;
    if (arg[0] && stat(arg, &sb) == 0) return read_local(c, arg, data, len);
    return sim_fail(c, SIM_RC_REFUSED,
                    "识别URL失败: \"%.200s\" is neither an existing path on the simulator host nor a "
                    "file://, base64://, data: or http(s):// URI",
                    arg),
           false;
}
