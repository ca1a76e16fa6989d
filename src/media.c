/* File arguments: URIs pass through, local files become an absolute path or
 * base64:// text, depending on where the server runs. */
#include "media.h"

#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const uri_prefixes[] = {"http://", "https://", "base64://", "data:", "file://"};

bool ob__media_is_uri(const char *arg) {
    if (!arg) return false;
    for (size_t i = 0; i < sizeof uri_prefixes / sizeof uri_prefixes[0]; i++)
        if (strncasecmp(arg, uri_prefixes[i], strlen(uri_prefixes[i])) == 0) return true;
    return false;
}

/* Reads the whole regular file at fd (size known) into base64:// text. */
static int encode_file_base64(int fd, size_t size, const char *path, char **out, char *err, size_t errlen) {
    if (size > OB_MEDIA_BASE64_MAX) {
        snprintf(err, errlen,
                 "%s is %zu bytes, too large to embed as base64:// (limit %zu, NapCat's frames stop at "
                 "50 MiB); pass a URL, or use OB_MEDIA_PATH when the server shares this file system",
                 path, size, OB_MEDIA_BASE64_MAX);
        return OB_EINVAL;
    }
    unsigned char *raw = malloc(size ? size : 1);
    char *text = malloc(9 + ob__base64_encoded_len(size) + 1);
    if (!raw || !text) {
        free(raw);
        free(text);
        snprintf(err, errlen, "out of memory reading %s", path);
        return OB_ENOMEM;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, raw + got, size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            snprintf(err, errlen, "cannot read %s: %s", path, n < 0 ? strerror(errno) : "file shrank while reading");
            free(raw);
            free(text);
            return OB_EINVAL;
        }
        got += (size_t)n;
    }
    memcpy(text, "base64://", 9);
    ob__base64_encode(raw, size, text + 9);
    free(raw);
    *out = text;
    return OB_OK;
}

int ob__media_prepare(const char *arg, ob_media_mode mode, bool server_local, char **out, char *err, size_t errlen) {
    *out = NULL;
    if (!arg || !*arg) {
        snprintf(err, errlen, "the file argument is empty");
        return OB_EINVAL;
    }
    if (ob__media_is_uri(arg)) {
        *out = strdup(arg);
        if (!*out) {
            snprintf(err, errlen, "out of memory");
            return OB_ENOMEM;
        }
        return OB_OK;
    }
    int fd = open(arg, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot read %s: %s", arg, strerror(errno));
        return OB_EINVAL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot read %s: %s", arg, strerror(errno));
        close(fd);
        return OB_EINVAL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "cannot send %s: %s", arg,
                 S_ISDIR(st.st_mode) ? "it is a directory" : "it is not a regular file");
        close(fd);
        return OB_EINVAL;
    }
    bool as_path = mode == OB_MEDIA_PATH || (mode == OB_MEDIA_AUTO && server_local);
    int rc;
    if (as_path) {
        char *abs = realpath(arg, NULL);
        if (!abs) {
            snprintf(err, errlen, "cannot resolve %s: %s", arg, strerror(errno));
            rc = OB_EINVAL;
        } else {
            *out = abs;
            rc = OB_OK;
        }
    } else {
        rc = encode_file_base64(fd, (size_t)st.st_size, arg, out, err, errlen);
    }
    close(fd);
    return rc;
}

/* Percent-decodes in[0..len) into out (room for len+1 bytes), keeping
 * every "%00" as those three characters: a file name cannot hold a NUL. */
static size_t decode_name(const char *in, size_t len, char *out) {
    size_t n = 0;
    while (len > 0) {
        const char *nul = NULL;
        for (size_t i = 0; i + 2 < len && !nul; i++)
            if (in[i] == '%' && in[i + 1] == '0' && in[i + 2] == '0') nul = in + i;
        size_t piece = nul ? (size_t)(nul - in) : len;
        n += (size_t)ob__percent_decode(in, piece, out + n, false); /* no %00 in piece: never -1 */
        if (!nul) break;
        memcpy(out + n, "%00", 3);
        n += 3;
        in += piece + 3;
        len -= piece + 3;
    }
    out[n] = '\0';
    return n;
}

char *ob__media_basename(const char *arg) {
    if (!arg) return strdup("file");
    bool is_url = false;
    const char *start = arg;
    if (strncasecmp(arg, "base64://", 9) == 0 || strncasecmp(arg, "data:", 5) == 0) return strdup("file");
    const char *scheme_end = strstr(arg, "://");
    if (scheme_end && ob__media_is_uri(arg)) {
        is_url = true;
        start = scheme_end + 3;
    }
    size_t end = strlen(start);
    if (is_url) /* the name is in the path, before ?query and #fragment */
        end = strcspn(start, "?#");
    while (end > 0 && start[end - 1] == '/') end--;
    size_t begin = end;
    while (begin > 0 && start[begin - 1] != '/') begin--;
    /* a URL with no path ("https://host") names only its host */
    if (end == begin || (is_url && memchr(start, '/', end) == NULL)) return strdup("file");
    char *name = malloc(end - begin + 1);
    if (!name) return NULL;
    if (is_url) {
        decode_name(start + begin, end - begin, name);
    } else {
        memcpy(name, start + begin, end - begin);
        name[end - begin] = '\0';
    }
    return name;
}
