/* URL parsing: ws://, wss://, http://, https:// into host, port, path and
 * whether TLS is wanted. Bytes in, struct out: no sockets, no resolving. */
#include "url.h"
#include "text.h"

#include <onebot/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static bool is_host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_';
}

static bool is_ipv6_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

int ob__url_parse(const char *url, ob__url *out, char *err, size_t errlen) {
    if (!url || !out) {
        ob__errf(err, errlen, "no URL given");
        return OB_EINVAL;
    }
    memset(out, 0, sizeof *out);
    static const struct {
        const char *prefix;
        bool tls;
        int port;
    } schemes[] = {
        {"ws://", false, 80},
        {"wss://", true, 443},
        {"http://", false, 80},
        {"https://", true, 443},
    };
    const char *p = NULL;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i].prefix);
        if (strncasecmp(url, schemes[i].prefix, n) == 0) {
            p = url + n;
            out->tls = schemes[i].tls;
            out->port = schemes[i].port;
            break;
        }
    }
    if (!p) {
        ob__errf(err, errlen, "the URL '%.200s' must start with ws://, wss://, http:// or https://", url);
        return OB_EINVAL;
    }
    size_t auth_len = strcspn(p, "/?#");
    const char *auth_end = p + auth_len;
    if (memchr(p, '@', auth_len)) {
        ob__errf(err, errlen, "the URL '%.200s' has a user name; pass the access token separately", url);
        return OB_EINVAL;
    }
    const char *host = p, *host_end;
    const char *after_host;
    if (*p == '[') {
        host = p + 1;
        host_end = memchr(host, ']', (size_t)(auth_end - host));
        if (!host_end) {
            ob__errf(err, errlen, "the URL '%.200s' opens an IPv6 address with '[' but never closes it", url);
            return OB_EINVAL;
        }
        for (const char *c = host; c < host_end; c++) {
            if (!is_ipv6_char(*c)) {
                ob__errf(err, errlen, "the URL '%.200s' has a bad character in its IPv6 address", url);
                return OB_EINVAL;
            }
        }
        after_host = host_end + 1;
    } else {
        host_end = host;
        while (host_end < auth_end && *host_end != ':') host_end++;
        for (const char *c = host; c < host_end; c++) {
            if (!is_host_char(*c)) {
                ob__errf(err, errlen, "the URL '%.200s' has a bad character in its host name", url);
                return OB_EINVAL;
            }
        }
        after_host = host_end;
    }
    size_t host_len = (size_t)(host_end - host);
    if (host_len == 0) {
        ob__errf(err, errlen, "the URL '%.200s' has no host", url);
        return OB_EINVAL;
    }
    if (host_len >= sizeof out->host) {
        ob__errf(err, errlen, "the host name in the URL is longer than %zu characters", sizeof out->host - 1);
        return OB_EINVAL;
    }
    memcpy(out->host, host, host_len);
    out->host[host_len] = '\0';
    if (after_host < auth_end) {
        if (*after_host != ':' || after_host + 1 == auth_end) {
            ob__errf(err, errlen, "the URL '%.200s' has a malformed port", url);
            return OB_EINVAL;
        }
        long port = 0;
        for (const char *c = after_host + 1; c < auth_end; c++) {
            if (*c < '0' || *c > '9' || port > 65535) {
                ob__errf(err, errlen, "the URL '%.200s' has a malformed port", url);
                return OB_EINVAL;
            }
            port = port * 10 + (*c - '0');
        }
        if (port < 1 || port > 65535) {
            ob__errf(err, errlen, "the port in the URL '%.200s' is not between 1 and 65535", url);
            return OB_EINVAL;
        }
        out->port = (int)port;
    }
    /* The fragment never goes on the wire. */
    size_t path_len = strcspn(auth_end, "#");
    for (size_t i = 0; i < path_len; i++) {
        unsigned char c = (unsigned char)auth_end[i];
        if (c <= 0x20 || c == 0x7f) {
            ob__errf(err, errlen, "the URL '%.200s' has a space or control character in its path", url);
            return OB_EINVAL;
        }
    }
    size_t need = path_len + (auth_end[0] != '/' ? 1 : 0);
    if (need >= sizeof out->path) {
        ob__errf(err, errlen, "the URL path is longer than %zu characters", sizeof out->path - 1);
        return OB_EINVAL;
    }
    size_t o = 0;
    if (auth_end[0] != '/') out->path[o++] = '/';
    memcpy(out->path + o, auth_end, path_len);
    out->path[o + path_len] = '\0';
    return OB_OK;
}

bool ob__host_is_local(const char *host) {
    if (!host) return false;
    if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0) return true;
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    struct in6_addr a6;
    if (inet_pton(AF_INET6, host, &a6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&a6)) return true;
        if (IN6_IS_ADDR_V4MAPPED(&a6)) return a6.s6_addr[12] == 127;
    }
    return false;
}
