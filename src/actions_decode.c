/* The action decoder: a reply's data turned into a row's result by its kind
 * (descriptor-decoded objects and lists, JSON text, an integer or a string
 * at a dotted path), the public ob_*_decode functions built on it, and the
 * results written back as JSON or freed for the CLI. */
#include "actions.h"

#include "client_internal.h"

#include <stdlib.h>
#include <string.h>

/* The token of a dotted path below tok, or -1 (null counts as missing). */
static int token_at(const ob__jdoc *doc, int tok, const char *path) {
    char seg[64];
    while (tok >= 0 && path && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof seg) return -1;
        memcpy(seg, path, n);
        seg[n] = '\0';
        tok = ob__jget(doc, tok, seg);
        path += n + (path[n] == '.');
    }
    return tok >= 0 && ob__jis_null(doc, tok) ? -1 : tok;
}

void ob__action_clear_out(ob__rkind kind, void *out) {
    if (!out) return;
    if (kind == OB_RK_I64) *(int64_t *)out = 0;
    else if (kind != OB_RK_NONE) *(void **)out = NULL;
}

/* data (token tok of doc, -1 when absent) → out by kind. */
static int decode_value(ob__rkind kind, const ob__desc *desc, const char *key, const ob__jdoc *doc, int tok,
                        void *out) {
    if (tok >= 0 && ob__jis_null(doc, tok)) tok = -1;
    void *block = NULL;
    int rc;
    switch (kind) {
    case OB_RK_NONE: return OB_OK;
    case OB_RK_OBJ:
        if (tok < 0 || doc->tok[tok].type != JSMN_OBJECT) return OB_EPROTO;
        rc = ob__decode(desc, doc, tok, &block);
        break;
    case OB_RK_LIST:
        if (tok < 0 || doc->tok[tok].type != JSMN_ARRAY) return OB_EPROTO;
        rc = ob__decode_list(desc, doc, tok, &block);
        break;
    case OB_RK_JSON: {
        const char *text = "null";
        size_t len = 4;
        if (tok >= 0) {
            text = ob__jstart(doc, tok);
            len = ob__jlen(doc, tok);
            if (doc->tok[tok].type == JSMN_STRING) { /* jsmn's string tokens exclude the quotes */
                text--;
                len += 2;
            }
        }
        ob_json *j = malloc(sizeof *j + len + 1);
        if (!j) return OB_ENOMEM;
        char *copy = (char *)(j + 1);
        memcpy(copy, text, len);
        copy[len] = '\0';
        j->json = copy;
        j->len = len;
        block = j;
        rc = OB_OK;
        break;
    }
    case OB_RK_I64: {
        int v = token_at(doc, tok, key);
        int64_t n;
        if (v < 0 || doc->tok[v].type == JSMN_OBJECT || doc->tok[v].type == JSMN_ARRAY || ob__jint(doc, v, &n) != OB_OK)
            return OB_EPROTO;
        if (out) *(int64_t *)out = n;
        return OB_OK;
    }
    case OB_RK_STR:
    case OB_RK_STR_OPT: {
        if (tok >= 0 && doc->tok[tok].type != JSMN_OBJECT) return OB_EPROTO;
        int v = token_at(doc, tok, key);
        if (v < 0) return kind == OB_RK_STR_OPT ? OB_OK : OB_EPROTO;
        if (doc->tok[v].type != JSMN_STRING) return OB_EPROTO;
        char *s = malloc(ob__jlen(doc, v) + 1);
        if (!s) return OB_ENOMEM;
        if (ob__junescape(doc, v, s) < 0) {
            free(s);
            return OB_EPROTO;
        }
        if (kind == OB_RK_STR_OPT && !*s) { /* NapCat's "no id" */
            free(s);
            return OB_OK;
        }
        block = s;
        rc = OB_OK;
        break;
    }
    default: return OB_EPROTO;
    }
    if (rc != OB_OK) return rc;
    if (out) *(void **)out = block;
    else ob_free(block);
    return OB_OK;
}

int ob__action_decode_kind(const ob_reply *r, ob__rkind kind, const ob__desc *desc, const char *key, void *out) {
    ob__action_clear_out(kind, out);
    if (!r) return OB_EINVAL;
    if (r->code != OB_OK) return r->code;
    if (kind == OB_RK_NONE) return OB_OK;
    const ob__reply_ext *x = ob__reply_ext_of(r);
    if (x) return decode_value(kind, desc, key, x->doc, x->data_tok, out);
    ob__jdoc own = {0};
    const char *js = r->data_json && r->data_len ? r->data_json : "null";
    size_t len = r->data_json && r->data_len ? r->data_len : 4;
    int rc = ob__jdoc_parse(&own, js, len);
    if (rc == OB_OK) rc = decode_value(kind, desc, key, &own, 0, out);
    else if (rc != OB_ENOMEM) rc = OB_EPROTO;
    ob__jdoc_free(&own);
    return rc;
}

int ob__action_decode(const ob__action_def *d, const ob_reply *r, void *out) {
    if (d->decode) return d->decode(r, out);
    return ob__action_decode_kind(r, d->result, d->desc, d->result_key, out);
}

/* The public decoders of include/onebot/group.h, message.h and system.h, one per
 * result of the table's rows (the OB_ACTIONS decoder column names them). */

#define OB_DECODER(fn, T, kind, desc) \
    int fn(const ob_reply *r, T **out) { return ob__action_decode_kind(r, OB_RK_##kind, desc, NULL, out); }
OB_DECODER(ob_group_info_decode, ob_group_info, OBJ, &ob__desc_group_info)
OB_DECODER(ob_group_list_decode, ob_group_list, LIST, &ob__desc_group_info)
OB_DECODER(ob_group_member_decode, ob_group_member, OBJ, &ob__desc_group_member)
OB_DECODER(ob_group_member_list_decode, ob_group_member_list, LIST, &ob__desc_group_member)
OB_DECODER(ob_group_shut_list_decode, ob_group_member_list, LIST, &ob__desc_shut_member)
OB_DECODER(ob_group_file_list_decode, ob_group_file_list, OBJ, &ob__desc_group_file_list)
OB_DECODER(ob_group_honor_info_decode, ob_group_honor_info, OBJ, &ob__desc_group_honor_info)
OB_DECODER(ob_essence_list_decode, ob_essence_list, LIST, &ob__desc_essence_msg)
OB_DECODER(ob_file_decode, ob_file, OBJ, &ob__desc_file)
OB_DECODER(ob_json_decode, ob_json, JSON, NULL)
OB_DECODER(ob_login_info_decode, ob_login_info, OBJ, &ob__desc_login_info)
/* <onebot/message.h> */
OB_DECODER(ob_message_info_decode, ob_message_info, OBJ, &ob__desc_message_info)
OB_DECODER(ob_message_list_decode, ob_message_list, OBJ, &ob__desc_message_list)
OB_DECODER(ob_emoji_like_list_decode, ob_emoji_like_list, OBJ, &ob__desc_emoji_like_list)
OB_DECODER(ob_friend_list_decode, ob_friend_list, LIST, &ob__desc_friend)
OB_DECODER(ob_friend_category_list_decode, ob_friend_category_list, LIST, &ob__desc_friend_category)
OB_DECODER(ob_stranger_info_decode, ob_stranger_info, OBJ, &ob__desc_stranger_info)
OB_DECODER(ob_group_system_msg_decode, ob_group_system_msg, OBJ, &ob__desc_group_system_msg)
/* <onebot/system.h> */
OB_DECODER(ob_status_decode, ob_status, OBJ, &ob__desc_status)
OB_DECODER(ob_version_info_decode, ob_version_info, OBJ, &ob__desc_version_info)
OB_DECODER(ob_group_at_all_remain_decode, ob_group_at_all_remain, OBJ, &ob__desc_group_at_all_remain)
OB_DECODER(ob_group_file_system_info_decode, ob_group_file_system_info, OBJ, &ob__desc_group_file_system_info)

int ob_message_id_decode(const ob_reply *r, int64_t *message_id_out) {
    return ob__action_decode_kind(r, OB_RK_I64, NULL, "message_id", message_id_out);
}

int ob_group_file_url_decode(const ob_reply *r, char **url_out) {
    return ob__action_decode_kind(r, OB_RK_STR, NULL, "url", url_out);
}

int ob_file_id_decode(const ob_reply *r, char **file_id_out) {
    return ob__action_decode_kind(r, OB_RK_STR_OPT, NULL, "file_id", file_id_out);
}

int ob_folder_id_decode(const ob_reply *r, char **folder_id_out) {
    return ob__action_decode_kind(r, OB_RK_STR_OPT, NULL, "groupItem.folderInfo.folderId", folder_id_out);
}

void ob__action_result_json(const ob__action_def *d, const void *out, ob__jw *w) {
    if (d->result == OB_RK_I64 && out) {
        ob__jw_int(w, *(const int64_t *)out);
        return;
    }
    const void *block = out && d->result != OB_RK_NONE && d->result != OB_RK_I64 ? *(void *const *)out : NULL;
    if (!block) {
        ob__jw_null(w);
        return;
    }
    if (d->result == OB_RK_OBJ) ob__encode(w, d->desc, block);
    else if (d->result == OB_RK_LIST) ob__encode_list(w, d->desc, block);
    else if (d->result == OB_RK_JSON) ob__jw_raw(w, ((const ob_json *)block)->json, ((const ob_json *)block)->len);
    else ob__jw_str(w, block); /* STR, STR_OPT */
}

void ob__action_result_free(const ob__action_def *d, void *out) {
    if (out && d->result != OB_RK_NONE && d->result != OB_RK_I64) ob_free(*(void **)out);
    ob__action_clear_out(d->result, out);
}
