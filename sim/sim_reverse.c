/* NapCat's WebSocket client network type (reverse WS). */
#include "sim_server_internal.h"

int sim_reverse_start(ob_sim *s, size_t account, char *err, size_t errlen) {
    (void)s;
    snprintf(err, errlen, "account %zu: --reverse-ws is not available yet", account);
    return -1;
}
size_t sim_reverse_count(const ob_sim *s) { return (void)s, 0; }
void sim_reverse_fill(ob_sim *s, struct pollfd *pfd, long long now, int *timeout) {
    (void)s, (void)pfd, (void)now, (void)timeout;
}
void sim_reverse_after_poll(ob_sim *s, const struct pollfd *pfd, size_t n) { (void)s, (void)pfd, (void)n; }
void sim_reverse_free(ob_sim *s, size_t account) { (void)s, (void)account; }
void sim_reverse_gone(struct sim_reverse *r) { (void)r; }
