/* Internal: file arguments (images, voice, video, group files, avatars,
 * notice images) turned into what the server can open. */
#ifndef OB_MEDIA_H
#define OB_MEDIA_H

#include <onebot/client.h>
#include <stdbool.h>
#include <stddef.h>

/* The largest local file embedded as base64://: its text must fit in
 * NapCat's 50 MiB WebSocket frame together with the rest of the request. */
#define OB_MEDIA_BASE64_MAX ((size_t)36 * 1024 * 1024)

/* True when arg is sent exactly as given: http://, https://, base64://,
 * data: and file:// URIs (case-insensitive scheme). */
bool ob__media_is_uri(const char *arg);

/* Resolves a file argument. URIs pass through. A local path must name a
 * readable regular file; it becomes its absolute path (mode OB_MEDIA_PATH,
 * or OB_MEDIA_AUTO with server_local) or base64://<content> (otherwise).
 * *out: malloc'd. On failure OB_EINVAL (or OB_ENOMEM) with a sentence naming
 * the path and the reason in err, and nothing is allocated. */
int ob__media_prepare(const char *arg, ob_media_mode mode, bool server_local, char **out, char *err, size_t errlen);

/* The name a file argument shows in a group: the last path segment of a
 * local path, file:// or http(s):// URL (query and fragment dropped), or
 * "file" when there is none (base64://, data:). malloc'd; NULL on oom. */
char *ob__media_basename(const char *arg);

#endif
