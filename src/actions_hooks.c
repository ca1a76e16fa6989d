/* The per-row hooks of the action table: what parameter types cannot say
 * (post_group_file's media segment, get_file's either-or arguments), the
 * blocking calls' id fallbacks and shut-list group ids, and
 * group_file_folder_makedir, a call of several requests. */
#include "actions.h"

#include "client_internal.h"
#include "media.h"
#include "names.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int post_group_file_encode(ob_client *c, const ob__action_def *d, const ob__arg *args, ob__jw *w);
static int get_file_validate(ob_client *c, const ob__action_def *d, const ob__arg *args);
static int upload_finish(ob_client *c, const ob__action_def *d, const ob__arg *args, void *out);
static int create_folder_finish(ob_client *c, const ob__action_def *d, const ob__arg *args, void *out);
static int makedir_run(ob_client *c, const ob__action_def *d, const ob__arg *args, void *out);
static int shut_list_finish(ob_client *c, const ob__action_def *d, const ob__arg *args, void *out);

const ob__action_hooks ob__hooks_post_group_file = {.encode = post_group_file_encode};
const ob__action_hooks ob__hooks_get_file = {.validate = get_file_validate};
const ob__action_hooks ob__hooks_upload = {.finish = upload_finish};
const ob__action_hooks ob__hooks_create_folder = {.finish = create_folder_finish};
const ob__action_hooks ob__hooks_makedir = {.run = makedir_run};
const ob__action_hooks ob__hooks_shut_list = {.finish = shut_list_finish};

/* post_group_file: message = [{"type": kind, "data": {"file": ..., "name"?}}] */
static int post_group_file_encode(ob_client *c, const ob__action_def *d, const ob__arg *args, ob__jw *w) {
    ob_media_kind kind = (ob_media_kind)args[OB_ARG(post_group_file, kind)].e;
    const char *file = args[OB_ARG(post_group_file, file)].s;
    ob__jw_key(w, "message");
    ob__jw_arr(w);
    ob__jw_obj(w);
    ob__jw_key(w, "type");
    ob__jw_str(w, ob_media_kind_name(kind));
    ob__jw_key(w, "data");
    ob__jw_obj(w);
    int rc = ob__action_put_media(c, d, w, "file", file);
    if (rc != OB_OK) return rc;
    if (kind == OB_MEDIA_FILE) { /* NapCat names the group file after data.name */
        char *name = ob__media_basename(file);
        if (!name) return OB_ENOMEM;
        ob__jw_key(w, "name");
        ob__jw_str(w, name);
        free(name);
    }
    ob__jw_obj_end(w);
    ob__jw_obj_end(w);
    ob__jw_arr_end(w);
    return OB_OK;
}

static int get_file_validate(ob_client *c, const ob__action_def *d, const ob__arg *args) {
    if (!args[OB_ARG(get_file, file_id)].s && !args[OB_ARG(get_file, file)].s)
        return ob__action_bad_arg(c, d, "give file_id or file (both are NULL)");
    return OB_OK;
}

/* The newest of count entries (structs of size bytes) whose name is name
 * and whose id is not empty, or NULL; the offsets locate the entry's name,
 * id (both const char *) and time (int64_t). Files and folders share it. */
static const void *newest_named(const void *entries, size_t count, size_t size, size_t name_at, size_t id_at,
                                size_t time_at, const char *name) {
    const char *best = NULL;
    for (size_t i = 0; i < count; i++) {
        const char *e = (const char *)entries + i * size;
        const char *e_name = *(const char *const *)(const void *)(e + name_at);
        const char *e_id = *(const char *const *)(const void *)(e + id_at);
        int64_t e_time = *(const int64_t *)(const void *)(e + time_at);
        if (strcmp(e_name, name) == 0 && *e_id && (!best || e_time > *(const int64_t *)(const void *)(best + time_at)))
            best = e;
    }
    return best;
}

static const ob_group_folder *newest_folder(const ob_group_file_list *l, const char *name) {
    return newest_named(l->folders, l->folder_count, sizeof *l->folders, offsetof(ob_group_folder, folder_name),
                        offsetof(ob_group_folder, folder_id), offsetof(ob_group_folder, create_time), name);
}

static const ob_group_file *newest_file(const ob_group_file_list *l, const char *name) {
    return newest_named(l->files, l->file_count, sizeof *l->files, offsetof(ob_group_file, file_name),
                        offsetof(ob_group_file, file_id), offsetof(ob_group_file, upload_time), name);
}

/* How many root entries makedir and the id fallbacks read: NapCat counts
 * files and folders together, and QQ lists folders first. */
#define OB_ROOT_SCAN_COUNT 1000

/* upload_group_file: NapCat may send file_id null; find the upload by name. */
static int upload_finish(ob_client *c, const ob__action_def *d, const ob__arg *args, void *out) {
    (void)d;
    char **id = out;
    if (!id || *id) return OB_OK;
    char *derived = NULL;
    const char *name = args[OB_ARG(upload_group_file, name)].s;
    if (!name && !(name = derived = ob__media_basename(args[OB_ARG(upload_group_file, file)].s))) return OB_OK;
    const char *folder = args[OB_ARG(upload_group_file, folder)].s;
    int64_t group_id = args[OB_ARG(upload_group_file, group_id)].i;
    ob_group_file_list *list = NULL;
    int rc = folder && *folder && strcmp(folder, "/") != 0
                 ? ob_get_group_files_by_folder(c, group_id, folder, OB_ROOT_SCAN_COUNT, &list)
                 : ob_get_group_root_files(c, group_id, OB_ROOT_SCAN_COUNT, &list);
    if (rc == OB_OK) {
        const ob_group_file *f = newest_file(list, name);
        if (f) *id = strdup(f->file_id);
        ob_free(list);
    }
    free(derived);
    return OB_OK; /* the upload itself worked; a missing id is not an error */
}

/* create_group_file_folder: the reply's groupItem is a raw QQ object that
 * older NapCat builds did not fill; find the folder by name instead. */
static int create_folder_finish(ob_client *c, const ob__action_def *d, const ob__arg *args, void *out) {
    char **id = out;
    int64_t group_id = args[OB_ARG(create_group_file_folder, group_id)].i;
    ob_group_file_list *list = NULL;
    (void)d;
    if (!id || *id || ob_get_group_root_files(c, group_id, OB_ROOT_SCAN_COUNT, &list) != OB_OK)
        return OB_OK; /* the folder exists; a missing id is not an error */
    const ob_group_folder *f = newest_folder(list, args[OB_ARG(create_group_file_folder, folder_name)].s);
    if (f) *id = strdup(f->folder_id);
    ob_free(list);
    return OB_OK;
}

/* get_group_shut_list: NapCat's raw member objects carry no group id. */
static int shut_list_finish(ob_client *c, const ob__action_def *d, const ob__arg *args, void *out) {
    (void)c;
    (void)d;
    ob_group_member_list *l = out ? *(ob_group_member_list **)out : NULL;
    for (size_t i = 0; l && i < l->count; i++)
        if (l->items[i].group_id == 0) l->items[i].group_id = args[OB_ARG(get_group_shut_list, group_id)].i;
    return OB_OK;
}

int ob__folder_path_normalise(const char *path, char **name_out, char *err, size_t errlen) {
    *name_out = NULL;
    if (!path) {
        snprintf(err, errlen, "the folder path is NULL");
        return OB_EINVAL;
    }
    const char *first = NULL;
    size_t first_len = 0;
    int segments = 0;
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            snprintf(err, errlen, "the folder path \"%s\" contains \"..\", which group files cannot follow", path);
            return OB_EINVAL;
        }
        if (n > 0 && !(n == 1 && p[0] == '.')) {
            if (segments++ == 0) {
                first = p;
                first_len = n;
            }
        }
        p += n;
        while (*p == '/') p++;
    }
    if (segments > 1) {
        snprintf(err, errlen,
                 "the folder path \"%s\" is nested, but QQ group files have only one folder level below the root",
                 path);
        return OB_EUNSUPPORTED;
    }
    if (segments == 0) return OB_OK;
    if (!(*name_out = strndup(first, first_len))) {
        snprintf(err, errlen, "out of memory");
        return OB_ENOMEM;
    }
    return OB_OK;
}

static int makedir_run(ob_client *c, const ob__action_def *d, const ob__arg *args, void *out) {
    char **id_out = out;
    int64_t group_id = args[OB_ARG(group_file_folder_makedir, group_id)].i;
    if (group_id <= 0) return ob__action_bad_arg(c, d, "group_id must be a positive id, not %lld", (long long)group_id);
    char err[512];
    char *name = NULL;
    int rc = ob__folder_path_normalise(args[OB_ARG(group_file_folder_makedir, path)].s, &name, err, sizeof err);
    if (rc != OB_OK)
        return ob__client_fail(c, rc, 0, "group_file_folder_makedir", "ob_group_file_folder_makedir: %s", err);
    char *id = NULL;
    if (!name) { /* the root */
        id = strdup("/");
    } else {
        ob_group_file_list *list = NULL;
        rc = ob_get_group_root_files(c, group_id, OB_ROOT_SCAN_COUNT, &list);
        if (rc != OB_OK) {
            free(name);
            return rc;
        }
        const ob_group_folder *f = newest_folder(list, name);
        if (f) id = strdup(f->folder_id);
        ob_free(list);
        if (!f) {
            rc = ob_create_group_file_folder(c, group_id, name, &id);
            if (rc == OB_OK && !id)
                rc = ob__client_fail(c, OB_EPROTO, 0, "create_group_file_folder",
                                     "created folder \"%s\", but neither the reply nor the root listing "
                                     "gives its id",
                                     name);
            if (rc != OB_OK) {
                free(name);
                return rc;
            }
        }
    }
    free(name);
    if (!id) return ob__client_fail(c, OB_ENOMEM, 0, "group_file_folder_makedir", "out of memory");
    if (id_out) *id_out = id;
    else free(id);
    return OB_OK;
}
