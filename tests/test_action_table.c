/* Unit tests for the action table's own rules (src/actions.h, actions.c):
 * every row with a result and an _async twin names its public decoder and
 * the blocking call decodes with it; hooks' argument indexes by name; the
 * parameter-type list (names, hints, choices, shapes, required); lookups by
 * name and former name. No sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "actions.h"

/* A caller's own reply (decoders parse data_json; they never look past it). */
static ob_reply reply_of(const char *data) {
    return (ob_reply){
        .code = OB_OK, .status = "ok", .message = "", .wording = "", .data_json = data, .data_len = strlen(data)};
}

static void test_every_result_row_names_its_decoder(void **state) {
    (void)state;
    for (size_t i = 0; i < OB_ACTION_COUNT; i++) {
        const ob__action_def *d = &ob__action_defs[i];
        if (d->result == OB_RK_NONE) {
            if (d->decoder || d->decode) fail_msg("%s has no result but names a decoder", d->name);
            continue;
        }
        if (!d->has_async) {
            /* no twin, no reply to decode: a multi-step call of its own */
            if (!d->hooks || !d->hooks->run) fail_msg("%s has a result, no _async twin and no run hook", d->name);
            continue;
        }
        if (!d->decoder || !d->decode) fail_msg("%s has a result but no public decoder in the table", d->name);
        if (strncmp(d->decoder, "ob_", 3) != 0 || strlen(d->decoder) < 10 ||
            strcmp(d->decoder + strlen(d->decoder) - 7, "_decode") != 0)
            fail_msg("%s: decoder \"%s\" is not an ob_*_decode function", d->name, d->decoder);
    }
}

/* The blocking call decodes through the row's decoder: a reply that only
 * the decoder's key accepts proves which one ran. */
static void test_decoders_match_the_blocking_results(void **state) {
    (void)state;
    ob_reply r = reply_of("{\"user_id\":42,\"nickname\":\"bot\"}");
    ob_login_info *li = NULL;
    assert_int_equal(ob_login_info_decode(&r, &li), OB_OK);
    assert_int_equal(li->user_id, 42);
    assert_string_equal(li->nickname, "bot");
    ob_free(li);
    li = NULL;
    assert_int_equal(ob__action_decode(ob__action_find("get_login_info"), &r, &li), OB_OK);
    assert_int_equal(li->user_id, 42);
    ob_free(li);

    /* the string results: the public decoder and the row give the same */
    static const struct {
        const char *row;
        int (*decode)(const ob_reply *r, char **out);
        const char *data, *want; /* want NULL: no id */
    } cases[] = {
        {"upload_group_file", ob_file_id_decode, "{\"file_id\":\"/abc-1\"}", "/abc-1"},
        {"upload_group_file", ob_file_id_decode, "{\"file_id\":null}", NULL},
        {"upload_group_file", ob_file_id_decode, "{\"file_id\":\"\"}", NULL},
        {"upload_group_file", ob_file_id_decode, "{}", NULL},
        {"upload_group_file", ob_file_id_decode, "null", NULL},
        {"create_group_file_folder", ob_folder_id_decode,
         "{\"groupItem\":{\"folderInfo\":{\"folderId\":\"/f-9\",\"folderName\":\"docs\"}}}", "/f-9"},
        {"create_group_file_folder", ob_folder_id_decode, "{\"groupItem\":null}", NULL},
        {"get_group_file_url", ob_group_file_url_decode, "{\"url\":\"https://u/\"}", "https://u/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        r = reply_of(cases[i].data);
        char *by_decoder = (char *)"x", *by_row = (char *)"x";
        assert_int_equal(cases[i].decode(&r, &by_decoder), OB_OK);
        assert_int_equal(ob__action_decode(ob__action_by_name(cases[i].row), &r, &by_row), OB_OK);
        if (cases[i].want) {
            assert_string_equal(by_decoder, cases[i].want);
            assert_string_equal(by_row, cases[i].want);
        } else {
            assert_null(by_decoder);
            assert_null(by_row);
        }
        ob_free(by_decoder);
        ob_free(by_row);
    }
    char *id = NULL;
    r = reply_of("{\"file_id\":7}");
    assert_int_equal(ob_file_id_decode(&r, &id), OB_EPROTO);

    /* a failed reply gives its code and clears the out slot */
    r = reply_of("null");
    r.code = OB_EACTION;
    id = (char *)"x";
    assert_int_equal(ob_folder_id_decode(&r, &id), OB_EACTION);
    assert_null(id);
    assert_int_equal(ob_login_info_decode(NULL, &li), OB_EINVAL);
}

static void test_args_by_name(void **state) {
    (void)state;
    /* constants: usable where the compiler wants one */
    _Static_assert(OB_ARG(upload_group_file, folder) == 3, "upload_group_file's folder");
    _Static_assert(OB_ARG(post_group_file, kind) == 1, "post_group_file's kind");
    struct {
        size_t index;
        const char *row, *param;
    } cases[] = {
        {OB_ARG(upload_group_file, group_id), "upload_group_file", "group_id"},
        {OB_ARG(upload_group_file, file), "upload_group_file", "file"},
        {OB_ARG(upload_group_file, name), "upload_group_file", "name"},
        {OB_ARG(upload_group_file, folder), "upload_group_file", "folder"},
        {OB_ARG(post_group_file, file), "post_group_file", "file"},
        {OB_ARG(get_file, file_id), "get_file", "file_id"},
        {OB_ARG(get_file, file), "get_file", "file"},
        {OB_ARG(create_group_file_folder, folder_name), "create_group_file_folder", "folder_name"},
        {OB_ARG(create_group_file_folder, name), "create_group_file_folder", "name"},   /* SAME takes a slot */
        {OB_ARG(get_group_member_info, no_cache), "get_group_member_info", "no_cache"}, /* FIXED too */
        {OB_ARG(group_file_folder_makedir, path), "group_file_folder_makedir", "path"},
        {OB_ARG(get_group_shut_list, group_id), "get_group_shut_list", "group_id"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const ob__action_def *d = ob__action_by_name(cases[i].row);
        assert_non_null(d);
        assert_true(cases[i].index < d->nparams);
        assert_string_equal(d->params[cases[i].index].name, cases[i].param);
    }
}

static void test_parameter_types(void **state) {
    (void)state;
    for (int t = 0; t < OB_PT_COUNT; t++) {
        assert_string_not_equal(ob__ptype_name((ob__ptype)t), "?");
        assert_true(ob__ptype_shape((ob__ptype)t) <= OB_PSHAPE_NONE);
    }
    assert_string_equal(ob__ptype_name((ob__ptype)OB_PT_COUNT), "?");
    assert_string_equal(ob__ptype_name(OB_PT_STR_OPT), "str?");
    assert_int_equal(ob__ptype_shape((ob__ptype)-1), OB_PSHAPE_NONE);
    assert_int_equal(ob__ptype_shape(OB_PT_ID_ARRAY), OB_PSHAPE_IDS);
    assert_int_equal(ob__ptype_shape(OB_PT_FLAG), OB_PSHAPE_BOOL);
    assert_int_equal(ob__ptype_min(OB_PT_ID), 1);
    assert_int_equal(ob__ptype_min(OB_PT_NONNEG), 0);
    assert_true(ob__ptype_min(OB_PT_I64) == INT64_MIN);

    char buf[128];
    assert_string_equal(ob__ptype_value_hint(OB_PT_ID, buf, sizeof buf), "a positive number");
    assert_string_equal(ob__ptype_value_hint(OB_PT_HONOR, buf, sizeof buf),
                        "all, talkative, performer, legend, strong_newbie or emotion");
    assert_string_equal(ob__ptype_value_hint(OB_PT_MEDIA_KIND, buf, sizeof buf), "image, record, video or file");
    assert_null(ob__ptype_value_hint(OB_PT_STR, buf, sizeof buf));
    char small[10];
    assert_string_equal(ob__ptype_value_hint(OB_PT_HONOR, small, sizeof small), "all, talk"); /* cut, terminated */

    assert_string_equal(ob__ptype_choice(OB_PT_HONOR, 0), "all");
    assert_string_equal(ob__ptype_choice(OB_PT_MEDIA_KIND, 3), "file");
    assert_null(ob__ptype_choice(OB_PT_MEDIA_KIND, 4));
    assert_null(ob__ptype_choice(OB_PT_ID, 0));
    int v = -1;
    assert_int_equal(ob__ptype_choice_parse(OB_PT_HONOR, "legend", &v), OB_OK);
    assert_int_equal(v, OB_HONOR_LEGEND);
    assert_int_equal(ob__ptype_choice_parse(OB_PT_MEDIA_KIND, "video", &v), OB_OK);
    assert_int_equal(v, OB_MEDIA_VIDEO);
    assert_int_equal(ob__ptype_choice_parse(OB_PT_MEDIA_KIND, "text", &v), OB_EINVAL);
    assert_int_equal(ob__ptype_choice_parse(OB_PT_ID, "1", &v), OB_EINVAL);
    assert_int_equal(ob__ptype_choice_parse(OB_PT_HONOR, NULL, &v), OB_EINVAL);
}

static void test_required_is_decided_once(void **state) {
    (void)state;
    static const struct {
        ob__ptype type;
        const char *def;
        bool required;
    } cases[] = {
        {OB_PT_ID, NULL, true},        {OB_PT_ID, "1", false},         {OB_PT_I64, NULL, true},
        {OB_PT_NONNEG, "1800", false}, {OB_PT_BOOL, NULL, true},       {OB_PT_BOOL, "false", false},
        {OB_PT_STR, NULL, true},       {OB_PT_STR_OPT, NULL, false},   {OB_PT_FILE_NAME, NULL, false},
        {OB_PT_MEDIA, NULL, true},     {OB_PT_MEDIA_OPT, NULL, false}, {OB_PT_TEXT, NULL, true},
        {OB_PT_MESSAGE, NULL, true},   {OB_PT_HONOR, NULL, true},      {OB_PT_ID_ARRAY, NULL, true},
        {OB_PT_FIXED, "true", false},  {OB_PT_SAME, NULL, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ob__param p = {"x", "x", cases[i].type, cases[i].def, "help"};
        if (ob__param_is_required(&p) != cases[i].required)
            fail_msg("type %s (default %s): required should be %d", ob__ptype_name(cases[i].type),
                     cases[i].def ? cases[i].def : "none", cases[i].required);
    }
    ob__param bad = {"x", "x", (ob__ptype)OB_PT_COUNT, NULL, "help"};
    assert_false(ob__param_is_required(&bad));
}

static void test_lookups(void **state) {
    (void)state;
    const ob__action_def *text = ob__action_by_name("send_group_text");
    assert_non_null(text);
    assert_string_equal(text->action, "send_group_msg");
    assert_ptr_equal(ob__action_by_name("send_group_msg"), text); /* the former name */
    assert_ptr_equal(ob__action_find("send_group_msg"), text);    /* not post_group_file, same wire action */
    assert_ptr_equal(ob__action_find("ob_send_group_msg"), text);
    assert_null(ob__action_by_name("_send_group_notice")); /* a wire action, not a name */
    assert_ptr_equal(ob__action_find("_send_group_notice"), ob__action_by_name("send_group_notice"));
    /* NapCat's name of set_group_avatar is a row of its own, same wire action */
    assert_ptr_equal(ob__action_find("set_group_portrait"), &ob__action_defs[OB_ACT_set_group_portrait]);
    assert_string_equal(ob__action_by_name("set_group_avatar")->action, "set_group_portrait");
    assert_null(ob__action_by_name(NULL));
    assert_null(ob__action_by_name("ob_set_group_ban"));
    for (size_t i = 0; i < OB_ACTION_COUNT; i++)
        assert_ptr_equal(ob__action_by_name(ob__action_defs[i].name), &ob__action_defs[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_result_row_names_its_decoder),
        cmocka_unit_test(test_decoders_match_the_blocking_results),
        cmocka_unit_test(test_args_by_name),
        cmocka_unit_test(test_parameter_types),
        cmocka_unit_test(test_required_is_decided_once),
        cmocka_unit_test(test_lookups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
