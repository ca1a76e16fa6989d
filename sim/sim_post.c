/* NapCat's HTTP client network type (HTTP POST). */
#include "sim_server_internal.h"

int sim_post_start(ob_sim *s, size_t account, char *err, size_t errlen) {
    (void)s;
    snprintf(err, errlen, "account %zu: --http-post is not available yet", account);
    return -1;
}
void sim_post_event(ob_sim *s, size_t account, const char *text, size_t len) {
    (void)s, (void)account, (void)text, (void)len;
}
size_t sim_post_count(const ob_sim *s) { return (void)s, 0; }
void sim_post_fill(ob_sim *s, struct pollfd *pfd, long long now, int *timeout) {
    (void)s, (void)pfd, (void)now, (void)timeout;
}
void sim_post_after_poll(ob_sim *s, const struct pollfd *pfd, size_t n) { (void)s, (void)pfd, (void)n; }
void sim_post_free(ob_sim *s, size_t account) { (void)s, (void)account; }
