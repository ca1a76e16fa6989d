/* Fuzzes everything that reads handshake bytes from a peer: the HTTP head
 * parser (request and response), the client's 101 checks, the URL parser,
 * and a server session fed the bytes over a socketpair (handshake, then
 * whatever frames follow). None of it may crash, leak or read out of bounds. */
#include "http.h"
#include "net.h"
#include "ws.h"
#include <onebot/types.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void touch_head(const ob__http_head *h) {
    size_t n = 0;
    static const char *const names[] = {
        "Upgrade",       "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Accept", "Sec-WebSocket-Version",
        "Authorization", "Host"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = ob__http_get(h, names[i], &n);
        if (v && n > 0 && v[n - 1] == '\0') abort(); /* values never include NULs */
        ob__http_has_token(h, names[i], "upgrade");
        ob__http_has_token(h, names[i], "websocket");
    }
}

static int on_upgrade(ob__ws *ws, const ob__http_head *req, void *ud) {
    (void)ud;
    touch_head(req);
    ob__ws_send(ws, "hello", 5);
    return ob__ws_target(ws)[1] == 'x' ? 403 : 101;
}

static void on_message(ob__ws *ws, const char *data, size_t len, bool is_text, void *ud) {
    (void)data;
    (void)is_text;
    (void)ud;
    if (len > 3) ob__ws_send(ws, data, 3);
}

static void feed_server(const uint8_t *data, size_t size) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return;
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    int big = 1 << 20;
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(sv[1], data + off, size - off);
        if (w <= 0) break;
        off += (size_t)w;
    }
    shutdown(sv[1], SHUT_WR);
    ob__ws_handlers h = {.on_message = on_message, .on_upgrade = on_upgrade};
    ob__ws *ws = ob__ws_server(sv[0], 4096, &h, NULL);
    for (int i = 0; ws && i < 8 && !ob__ws_is_closed(ws); i++) ob__ws_io(ws, 3);
    ob__ws_free(ws);
    close(sv[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ob__http_head h;
    const char *buf = (const char *)data;
    int r = ob__http_parse(buf, size, 1, &h);
    if (r > 0) {
        if ((size_t)r > size || h.head_len != (size_t)r) abort();
        touch_head(&h);
    }
    r = ob__http_parse(buf, size, 0, &h);
    if (r > 0) {
        if ((size_t)r > size) abort();
        touch_head(&h);
        char err[256];
        int rc = ob__ws_client_check_response(&h, "dGhlIHNhbXBsZSBub25jZQ==", err, sizeof err);
        if (rc != OB_OK && rc != OB_EAUTH && rc != OB_EPROTO) abort();
        if (rc != OB_OK && err[0] == '\0') abort();
    }
    if (size < 4096) {
        char *s = malloc(size + 1);
        if (!s) return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        ob__url u;
        char err[256];
        if (ob__url_parse(s, &u, err, sizeof err) == OB_OK) {
            if (!u.host[0] || u.path[0] != '/' || u.port < 1 || u.port > 65535) abort();
        }
        free(s);
    }
    feed_server(data, size);
    return 0;
}
