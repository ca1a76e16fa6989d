/* Unit tests for the descriptor codec (src/codec.c) and every result
 * descriptor (src/descs.c), on NapCat-shaped samples written from
 * docs/protocol.md §2. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

/* Every pointer of a result must point into its one block. */
static void assert_in_block(const void *block, const void *p) {
    const char *b = block, *q = p;
    assert_non_null(q);
    assert_true(q >= b && q < b + malloc_usable_size((void *)block));
}

static ob__jdoc doc;

static int setup(void **state) {
    (void)state;
    memset(&doc, 0, sizeof doc);
    return 0;
}
static int teardown(void **state) {
    (void)state;
    ob__jdoc_free(&doc);
    return 0;
}

static void *decode_one(const ob__desc *d, const char *json, int *rc) {
    void *out = (void *)1;
    assert_int_equal(ob__jdoc_parse(&doc, json, strlen(json)), OB_OK);
    *rc = ob__decode(d, &doc, 0, &out);
    if (*rc) assert_null(out);
    return out;
}

static void *decode_ok(const ob__desc *d, const char *json) {
    int rc;
    void *out = decode_one(d, json, &rc);
    if (rc) fail_msg("decode %s failed (%d): %s", d->name, rc, json);
    return out;
}

static void *decode_list_ok(const ob__desc *d, const char *json) {
    void *out = NULL;
    assert_int_equal(ob__jdoc_parse(&doc, json, strlen(json)), OB_OK);
    int rc = ob__decode_list(d, &doc, 0, &out);
    if (rc) fail_msg("decode list of %s failed (%d): %s", d->name, rc, json);
    return out;
}

static char *encode(const ob__desc *d, const void *obj) {
    ob__jw w = {0};
    ob__encode(&w, d, obj);
    char *s = ob__buf_take(&w.b);
    assert_non_null(s);
    return s;
}

static char *encode_list(const ob__desc *d, const void *list) {
    ob__jw w = {0};
    ob__encode_list(&w, d, list);
    char *s = ob__buf_take(&w.b);
    assert_non_null(s);
    return s;
}

/* encode → decode → encode gives the same text: nothing is lost or invented. */
static void assert_round_trip(const ob__desc *d, const void *obj) {
    char *once = encode(d, obj);
    void *again = decode_ok(d, once);
    char *twice = encode(d, again);
    assert_string_equal(once, twice);
    free(once);
    free(twice);
    ob_free(again);
}

static void assert_list_round_trip(const ob__desc *d, const void *list) {
    char *once = encode_list(d, list);
    void *again = decode_list_ok(d, once);
    char *twice = encode_list(d, again);
    assert_string_equal(once, twice);
    free(once);
    free(twice);
    ob_free(again);
}

static const char member_list_json[] =
    "[{\"group_id\":123456,\"user_id\":10001,\"nickname\":\"Al\\u00efce\",\"card\":\"\\u7fa4\\u4e3b\","
    "\"sex\":\"female\",\"age\":23,\"area\":\"\",\"level\":\"12\",\"qq_level\":40,\"join_time\":1600000000,"
    "\"last_sent_time\":1700000000,\"title_expire_time\":0,\"unfriendly\":false,\"card_changeable\":true,"
    "\"is_robot\":false,\"shut_up_timestamp\":1700003600,\"role\":\"owner\",\"title\":\"Boss\"},"
    "{\"group_id\":123456,\"user_id\":\"10002\",\"nickname\":\"Bob\",\"card\":\"\",\"sex\":\"male\",\"age\":0,"
    "\"area\":\"\",\"level\":\"0\",\"qq_level\":0,\"join_time\":1600000001,\"last_sent_time\":0,"
    "\"title_expire_time\":0,\"unfriendly\":false,\"card_changeable\":true,\"is_robot\":true,"
    "\"shut_up_timestamp\":0,\"title\":\"\",\"qage\":3,\"extra\":{\"nested\":[1,2]}},"
    "{\"user_id\":10003,\"role\":\"admin\",\"sex\":\"unknown\",\"nickname\":null}]";

static void test_member_list(void **state) {
    (void)state;
    ob_group_member_list *l = decode_list_ok(&ob__desc_group_member, member_list_json);
    assert_int_equal(l->count, 3);
    assert_in_block(l, l->items);
    const ob_group_member *a = &l->items[0], *b = &l->items[1], *c = &l->items[2];
    assert_int_equal(a->group_id, 123456);
    assert_int_equal(a->user_id, 10001);
    assert_string_equal(a->nickname, "Al\xc3\xaf"
                                     "ce");
    assert_string_equal(a->card, "\xe7\xbe\xa4\xe4\xb8\xbb");
    assert_int_equal(a->sex, OB_SEX_FEMALE);
    assert_int_equal(a->age, 23);
    assert_string_equal(a->area, "");
    assert_string_equal(a->level, "12");
    assert_int_equal(a->qq_level, 40);
    assert_int_equal(a->join_time, 1600000000);
    assert_int_equal(a->last_sent_time, 1700000000);
    assert_false(a->unfriendly);
    assert_true(a->card_changeable);
    assert_false(a->is_robot);
    assert_int_equal(a->shut_up_timestamp, 1700003600);
    assert_int_equal(a->role, OB_ROLE_OWNER);
    assert_string_equal(a->title, "Boss");
    assert_int_equal(b->user_id, 10002); /* id as a string */
    assert_int_equal(b->sex, OB_SEX_MALE);
    assert_true(b->is_robot);
    assert_int_equal(b->role, OB_ROLE_UNKNOWN); /* key absent */
    /* missing keys: defaults; a null string: "" */
    assert_int_equal(c->group_id, 0);
    assert_int_equal(c->role, OB_ROLE_ADMIN);
    assert_int_equal(c->sex, OB_SEX_UNKNOWN);
    assert_string_equal(c->nickname, "");
    assert_string_equal(c->title, "");
    assert_false(c->card_changeable);
    for (size_t i = 0; i < l->count; i++) {
        assert_in_block(l, l->items[i].nickname);
        assert_in_block(l, l->items[i].card);
        assert_in_block(l, l->items[i].title);
        assert_in_block(l, l->items[i].level);
    }
    assert_list_round_trip(&ob__desc_group_member, l);
    ob_free(l);

    /* a single member (get_group_member_info) */
    ob_group_member *m = decode_ok(&ob__desc_group_member,
                                   "{\"group_id\":1,\"user_id\":2,\"nickname\":\"n\",\"role\":\"member\",\"sex\":1}");
    assert_int_equal(m->role, OB_ROLE_MEMBER);
    assert_int_equal(m->sex, OB_SEX_MALE);
    assert_round_trip(&ob__desc_group_member, m);
    ob_free(m);

    /* empty and null lists */
    l = decode_list_ok(&ob__desc_group_member, "[]");
    assert_int_equal(l->count, 0);
    assert_null(l->items);
    ob_free(l);
    l = decode_list_ok(&ob__desc_group_member, "null");
    assert_int_equal(l->count, 0);
    ob_free(l);
    void *out = (void *)1;
    assert_int_equal(ob__decode_list(&ob__desc_group_member, &doc, -1, &out), OB_OK); /* data absent */
    assert_int_equal(((ob_group_member_list *)out)->count, 0);
    ob_free(out);
}

static void test_shut_list(void **state) {
    (void)state;
    const char *json =
        "[{\"uid\":\"u_abc\",\"qid\":\"\",\"uin\":\"20001\",\"nick\":\"Muted\",\"remark\":\"\",\"cardType\":0,"
        "\"cardName\":\"M card\",\"role\":2,\"avatarPath\":\"/x\",\"shutUpTime\":1700007200,\"isDelete\":false,"
        "\"isSpecialConcerned\":false,\"isSpecialShield\":false,\"isRobot\":false,\"groupHonor\":{\"0\":1},"
        "\"memberRealLevel\":5,\"memberLevel\":5,\"globalGroupLevel\":0,\"globalGroupPoint\":0,"
        "\"memberTitleId\":0,\"memberSpecialTitle\":\"Quiet\",\"specialTitleExpireTime\":\"1800000000\","
        "\"userShowFlag\":0,\"userShowFlagNew\":0,\"richFlag\":0,\"mssVipType\":0,\"bigClubLevel\":0,"
        "\"bigClubFlag\":0,\"autoRemark\":\"\",\"creditLevel\":0,\"joinTime\":1600000000,"
        "\"lastSpeakTime\":1690000000,\"memberFlag\":0,\"memberFlagExt\":0,\"memberMobileFlag\":0,"
        "\"memberFlagExt2\":0,\"isSpecialShielded\":false,\"cardNameId\":0},"
        "{\"uin\":\"20002\",\"nick\":\"Admin\",\"cardName\":\"\",\"role\":3,\"shutUpTime\":1,\"isRobot\":true,"
        "\"memberSpecialTitle\":\"\",\"specialTitleExpireTime\":\"0\",\"joinTime\":1,\"lastSpeakTime\":2},"
        "{\"uin\":\"20003\",\"role\":4},{\"uin\":20004,\"role\":9}]";
    ob_group_member_list *l = decode_list_ok(&ob__desc_shut_member, json);
    assert_int_equal(l->count, 4);
    const ob_group_member *a = &l->items[0];
    assert_int_equal(a->group_id, 0);
    assert_int_equal(a->user_id, 20001);
    assert_string_equal(a->nickname, "Muted");
    assert_string_equal(a->card, "M card");
    assert_int_equal(a->role, OB_ROLE_MEMBER);
    assert_int_equal(a->shut_up_timestamp, 1700007200);
    assert_string_equal(a->title, "Quiet");
    assert_int_equal(a->title_expire_time, 1800000000);
    assert_int_equal(a->join_time, 1600000000);
    assert_int_equal(a->last_sent_time, 1690000000);
    assert_false(a->is_robot);
    assert_string_equal(a->level, "5");
    /* fields raw QQ objects lack are "" like every absent string, never NULL */
    for (size_t i = 0; i < l->count; i++) {
        assert_non_null(l->items[i].area);
        assert_string_equal(l->items[i].area, "");
        assert_non_null(l->items[i].level);
    }
    assert_string_equal(l->items[2].level, "");
    assert_int_equal(l->items[1].role, OB_ROLE_ADMIN);
    assert_true(l->items[1].is_robot);
    assert_int_equal(l->items[2].role, OB_ROLE_OWNER);
    assert_string_equal(l->items[2].nickname, "");
    assert_int_equal(l->items[3].user_id, 20004);
    assert_int_equal(l->items[3].role, OB_ROLE_UNKNOWN);
    assert_list_round_trip(&ob__desc_shut_member, l);
    ob_free(l);
}

static void test_group_info(void **state) {
    (void)state;
    const char *json = "{\"group_all_shut\":-1,\"group_remark\":\"mine\",\"group_id\":123456,"
                       "\"group_name\":\"Test [group]\",\"member_count\":42,\"max_member_count\":500,"
                       "\"groupCode\":\"123456\",\"extra\":{\"a\":[1]}}";
    ob_group_info *g = decode_ok(&ob__desc_group_info, json);
    assert_int_equal(g->group_id, 123456);
    assert_string_equal(g->group_name, "Test [group]");
    assert_int_equal(g->member_count, 42);
    assert_int_equal(g->max_member_count, 500);
    assert_true(g->all_shut);
    assert_string_equal(g->group_remark, "mine");
    assert_string_equal(g->raw_json, json);
    assert_in_block(g, g->raw_json);
    assert_round_trip(&ob__desc_group_info, g);
    ob_free(g);
    g = decode_ok(&ob__desc_group_info, "{\"group_id\":\"7\",\"group_all_shut\":0}");
    assert_false(g->all_shut);
    assert_int_equal(g->group_id, 7);
    assert_string_equal(g->group_remark, "");
    ob_free(g);

    /* get_group_list */
    ob_group_list *gl = decode_list_ok(
        &ob__desc_group_info,
        "[{\"group_id\":1,\"group_name\":\"a\"},{\"group_id\":2,\"group_name\":\"b\",\"group_all_shut\":0}]");
    assert_int_equal(gl->count, 2);
    assert_string_equal(gl->items[1].group_name, "b");
    assert_string_equal(gl->items[0].raw_json, "{\"group_id\":1,\"group_name\":\"a\"}");
    ob_free(gl);
}

static void test_file_list(void **state) {
    (void)state;
    const char *json =
        "{\"files\":[{\"group_id\":123,\"file_id\":\"0123456789abcdef0123456789abcdef\",\"file_name\":\"a.txt\","
        "\"busid\":102,\"size\":2048,\"file_size\":2048,\"upload_time\":1700000000,\"dead_time\":0,"
        "\"modify_time\":1700000001,\"download_times\":3,\"uploader\":10001,\"uploader_name\":\"Alice\"},"
        "{\"file_id\":\"f2\",\"file_name\":\"b.bin\",\"size\":\"999\"},"
        "{\"file_id\":\"f3\",\"file_size\":\"5\",\"size\":7}],"
        "\"folders\":[{\"group_id\":123,\"folder_id\":\"/abc-def\",\"folder\":\"/abc-def\",\"folder_name\":\"Docs\","
        "\"create_time\":1600000000,\"creator\":10001,\"creator_name\":\"Alice\",\"total_file_count\":4},"
        "{\"group_id\":123,\"folder_id\":\"\",\"folder_name\":\"placeholder\"},"
        "{\"folder\":\"/only-alt\",\"folder_name\":\"Alt\"}]}";
    ob_group_file_list *fl = decode_ok(&ob__desc_group_file_list, json);
    assert_int_equal(fl->file_count, 3);
    const ob_group_file *f = &fl->files[0];
    assert_int_equal(f->group_id, 123);
    assert_string_equal(f->file_id, "0123456789abcdef0123456789abcdef");
    assert_string_equal(f->file_name, "a.txt");
    assert_int_equal(f->busid, 102);
    assert_int_equal(f->file_size, 2048);
    assert_int_equal(f->upload_time, 1700000000);
    assert_int_equal(f->dead_time, 0);
    assert_int_equal(f->modify_time, 1700000001);
    assert_int_equal(f->download_times, 3);
    assert_int_equal(f->uploader, 10001);
    assert_string_equal(f->uploader_name, "Alice");
    assert_int_equal(fl->files[1].file_size, 999); /* only "size", as a string */
    assert_int_equal(fl->files[2].file_size, 5);   /* file_size wins over size */
    /* the placeholder folder with an empty id is dropped */
    assert_int_equal(fl->folder_count, 2);
    assert_string_equal(fl->folders[0].folder_id, "/abc-def");
    assert_string_equal(fl->folders[0].folder_name, "Docs");
    assert_int_equal(fl->folders[0].create_time, 1600000000);
    assert_int_equal(fl->folders[0].creator, 10001);
    assert_string_equal(fl->folders[0].creator_name, "Alice");
    assert_int_equal(fl->folders[0].total_file_count, 4);
    assert_string_equal(fl->folders[1].folder_id, "/only-alt");
    assert_string_equal(fl->folders[1].folder_name, "Alt");
    assert_in_block(fl, fl->folders);
    assert_in_block(fl, fl->files[2].file_id);
    assert_round_trip(&ob__desc_group_file_list, fl);
    ob_free(fl);

    /* get_group_files_by_folder: folders empty; or null; or missing */
    const char *variants[] = {"{\"files\":[],\"folders\":[]}", "{\"files\":null,\"folders\":null}", "{}",
                              "{\"folders\":[{\"folder_id\":\"\"},{\"folder_id\":null}]}"};
    for (size_t i = 0; i < 4; i++) {
        fl = decode_ok(&ob__desc_group_file_list, variants[i]);
        assert_int_equal(fl->file_count, 0);
        assert_int_equal(fl->folder_count, 0);
        assert_null(fl->folders);
        ob_free(fl);
    }
}

static void test_get_file(void **state) {
    (void)state;
    ob_file *f = decode_ok(
        &ob__desc_file,
        "{\"file\":\"/tmp/napcat/a.jpg\",\"url\":\"http://x/a.jpg\",\"file_size\":\"12345\",\"file_name\":\"a.jpg\"}");
    assert_string_equal(f->file, "/tmp/napcat/a.jpg");
    assert_string_equal(f->url, "http://x/a.jpg");
    assert_int_equal(f->file_size, 12345);
    assert_string_equal(f->file_name, "a.jpg");
    assert_null(f->base64);
    assert_round_trip(&ob__desc_file, f);
    ob_free(f);
    /* group-list alias mode: size and name are "" */
    f = decode_ok(&ob__desc_file,
                  "{\"file\":\"/p\",\"url\":\"/p\",\"file_size\":\"\",\"file_name\":\"\",\"base64\":\"QUJD\"}");
    assert_int_equal(f->file_size, 0);
    assert_string_equal(f->base64, "QUJD");
    assert_in_block(f, f->base64);
    assert_round_trip(&ob__desc_file, f);
    ob_free(f);
    f = decode_ok(&ob__desc_file, "{\"file_size\":77,\"base64\":null}");
    assert_int_equal(f->file_size, 77);
    assert_null(f->base64);
    assert_string_equal(f->url, "");
    ob_free(f);
}

static void test_honor(void **state) {
    (void)state;
    ob_group_honor_info *h =
        decode_ok(&ob__desc_group_honor_info,
                  "{\"group_id\":123,\"current_talkative\":{},\"talkative_list\":[],\"performer_list\":[],"
                  "\"legend_list\":[],\"emotion_list\":[],\"strong_newbie_list\":[]}");
    assert_int_equal(h->group_id, 123);
    assert_false(h->has_current_talkative);
    assert_int_equal(h->current_talkative.user_id, 0);
    assert_string_equal(h->current_talkative.nickname, "");
    assert_int_equal(h->talkative.count, 0);
    assert_round_trip(&ob__desc_group_honor_info, h);
    ob_free(h);

    h = decode_ok(
        &ob__desc_group_honor_info,
        "{\"group_id\":123,\"current_talkative\":{\"user_id\":\"10001\",\"nickname\":\"Al\","
        "\"avatar\":\"https://q/a\",\"description\":\"d\"},"
        "\"talkative_list\":[{\"user_id\":\"10001\",\"nickname\":\"Al\",\"avatar\":\"https://q/a\",\"description\":\"top\"},"
        "{\"user_id\":10002,\"nickname\":\"Bo\",\"avatar\":\"\",\"description\":\"\"}],"
        "\"performer_list\":[{\"user_id\":3,\"nickname\":\"P\"}],\"legend_list\":[{\"user_id\":4}],"
        "\"emotion_list\":[{\"user_id\":5},{\"user_id\":6}],\"strong_newbie_list\":[]}");
    assert_true(h->has_current_talkative);
    assert_int_equal(h->current_talkative.user_id, 10001);
    assert_string_equal(h->current_talkative.avatar, "https://q/a");
    assert_string_equal(h->current_talkative.description, "d");
    assert_int_equal(h->talkative.count, 2);
    assert_int_equal(h->talkative.items[1].user_id, 10002);
    assert_string_equal(h->talkative.items[0].description, "top");
    assert_int_equal(h->performer.count, 1);
    assert_string_equal(h->performer.items[0].nickname, "P");
    assert_int_equal(h->legend.count, 1);
    assert_int_equal(h->emotion.count, 2);
    assert_int_equal(h->emotion.items[1].user_id, 6);
    assert_int_equal(h->strong_newbie.count, 0);
    assert_round_trip(&ob__desc_group_honor_info, h);
    ob_free(h);

    /* current_talkative missing altogether */
    h = decode_ok(&ob__desc_group_honor_info, "{\"group_id\":1}");
    assert_false(h->has_current_talkative);
    ob_free(h);
}

static void test_essence(void **state) {
    (void)state;
    ob_essence_list *l = decode_list_ok(
        &ob__desc_essence_msg,
        "[{\"msg_seq\":1001,\"msg_random\":2002,\"sender_id\":10001,\"sender_nick\":\"Al\",\"operator_id\":10002,"
        "\"operator_nick\":\"Bo\",\"message_id\":-12345,\"operator_time\":1700000000,"
        "\"content\":[{\"type\":\"text\",\"data\":{\"text\":\"hello \"}},"
        "{\"type\":\"image\",\"data\":{\"file\":\"\",\"url\":\"https://img/x.png\",\"summary\":\"[pic]\",\"sub_type\":0}},"
        "{\"type\":\"at\",\"data\":{\"qq\":10003}},{\"type\":\"mface\",\"data\":{\"emoji_id\":\"e1\"}}]},"
        "{\"msg_seq\":1,\"content\":\"a &#91;b&#93; &amp;&#44; c\"},{\"msg_seq\":2,\"content\":[]}]");
    assert_int_equal(l->count, 3);
    const ob_essence_msg *e = &l->items[0];
    assert_int_equal(e->msg_seq, 1001);
    assert_int_equal(e->msg_random, 2002);
    assert_int_equal(e->sender_id, 10001);
    assert_string_equal(e->sender_nick, "Al");
    assert_int_equal(e->operator_id, 10002);
    assert_string_equal(e->operator_nick, "Bo");
    assert_int_equal(e->message_id, -12345);
    assert_int_equal(e->operator_time, 1700000000);
    assert_int_equal(e->content.count, 4);
    const ob_segment *s = e->content.items;
    assert_int_equal(s[0].type, OB_SEG_TEXT);
    assert_string_equal(s[0].type_name, "text");
    assert_string_equal(s[0].text, "hello ");
    assert_string_equal(s[0].data_json, "{\"text\":\"hello \"}");
    assert_int_equal(s[1].type, OB_SEG_IMAGE);
    assert_string_equal(s[1].url, "https://img/x.png");
    assert_string_equal(s[1].summary, "[pic]");
    assert_string_equal(s[1].file, "");
    assert_int_equal(s[2].type, OB_SEG_AT);
    assert_string_equal(s[2].qq, "10003");
    assert_int_equal(s[3].type, OB_SEG_OTHER);
    assert_string_equal(s[3].type_name, "mface");
    assert_string_equal(s[3].data_json, "{\"emoji_id\":\"e1\"}");
    assert_in_block(l, s);
    assert_in_block(l, s[3].data_json);
    /* a CQ string becomes one unescaped text segment */
    const ob_message *m = &l->items[1].content;
    assert_int_equal(m->count, 1);
    assert_int_equal(m->items[0].type, OB_SEG_TEXT);
    assert_string_equal(m->items[0].type_name, "text");
    assert_string_equal(m->items[0].text, "a [b] &, c");
    assert_string_equal(m->items[0].data_json, "{\"text\":\"a [b] &, c\"}");
    assert_in_block(l, m->items[0].text);
    assert_int_equal(l->items[2].content.count, 0);
    assert_list_round_trip(&ob__desc_essence_msg, l);
    ob_free(l);
}

static void test_segments(void **state) {
    (void)state;
    struct {
        const char *json;
        ob_segment_type type;
    } segs[] = {
        {"{\"type\":\"text\",\"data\":{\"text\":\"hi\\n\"}}", OB_SEG_TEXT},
        {"{\"type\":\"at\",\"data\":{\"qq\":\"all\"}}", OB_SEG_AT},
        {"{\"type\":\"reply\",\"data\":{\"id\":\"-2147483648\"}}", OB_SEG_REPLY},
        {"{\"type\":\"face\",\"data\":{\"id\":\"14\"}}", OB_SEG_FACE},
        {"{\"type\":\"image\",\"data\":{\"file\":\"a.jpg\",\"url\":\"http://u\",\"summary\":\"\",\"sub_type\":0,\"file_size\":\"100\"}}",
         OB_SEG_IMAGE},
        {"{\"type\":\"record\",\"data\":{\"file\":\"r.amr\",\"path\":\"/p\",\"file_size\":5}}", OB_SEG_RECORD},
        {"{\"type\":\"video\",\"data\":{\"file\":\"v\",\"url\":\"http://v\"}}", OB_SEG_VIDEO},
        {"{\"type\":\"file\",\"data\":{\"file\":\"doc.pdf\",\"file_id\":\"/uuid\",\"file_size\":\"4096\"}}",
         OB_SEG_FILE},
        {"{\"type\":\"poke\",\"data\":{\"type\":\"1\",\"id\":\"2\"}}", OB_SEG_OTHER},
        {"{\"type\":\"json\"}", OB_SEG_OTHER},
        {"{\"data\":{\"text\":\"no type\"}}", OB_SEG_OTHER},
    };
    for (size_t i = 0; i < sizeof segs / sizeof *segs; i++) {
        ob_segment *s = decode_ok(&ob__desc_segment, segs[i].json);
        assert_int_equal(s->type, segs[i].type);
        assert_non_null(s->data_json);
        assert_non_null(s->text);
        assert_round_trip(&ob__desc_segment, s);
        ob_free(s);
    }
    ob_segment *s = decode_ok(&ob__desc_segment, segs[4].json);
    assert_int_equal(s->file_size, 100);
    assert_string_equal(s->file, "a.jpg");
    ob_free(s);
    s = decode_ok(&ob__desc_segment, segs[7].json);
    assert_int_equal(s->file_size, 4096);
    assert_string_equal(s->file_id, "/uuid");
    ob_free(s);
    s = decode_ok(&ob__desc_segment, segs[9].json);
    assert_string_equal(s->data_json, "{}");
    assert_string_equal(s->type_name, "json");
    ob_free(s);
    s = decode_ok(&ob__desc_segment, segs[0].json);
    assert_string_equal(s->text, "hi\n");
    ob_free(s);

    /* what the sender gets: typed segments by their fields, others raw */
    ob_segment text = {.type = OB_SEG_TEXT, .text = "hi \"you\""};
    char *j = encode(&ob__desc_segment, &text);
    assert_string_equal(j, "{\"type\":\"text\",\"data\":{\"text\":\"hi \\\"you\\\"\"}}");
    free(j);
    ob_segment at = {.type = OB_SEG_AT, .type_name = "ignored", .qq = "10001", .text = ""};
    j = encode(&ob__desc_segment, &at);
    assert_string_equal(j, "{\"type\":\"at\",\"data\":{\"qq\":\"10001\"}}");
    free(j);
    ob_segment poke = {.type = OB_SEG_OTHER, .type_name = "poke", .data_json = "{\"qq\":\"1\"}"};
    j = encode(&ob__desc_segment, &poke);
    assert_string_equal(j, "{\"type\":\"poke\",\"data\":{\"qq\":\"1\"}}");
    free(j);
    ob_segment bare = {.type = OB_SEG_OTHER, .type_name = "shake"};
    j = encode(&ob__desc_segment, &bare);
    assert_string_equal(j, "{\"type\":\"shake\",\"data\":{}}");
    free(j);
}

static void test_wrong_shapes(void **state) {
    (void)state;
    const char *bad[] = {
        "{\"user_id\":\"abc\"}",
        "{\"user_id\":1.5}",
        "{\"user_id\":99999999999999999999}",
        "{\"user_id\":{}}",
        "{\"user_id\":[1]}",
        "{\"user_id\":true}",
        "{\"nickname\":{}}",
        "{\"nickname\":[\"x\"]}",
        "{\"is_robot\":\"maybe\"}",
        "{\"is_robot\":[]}",
        "{\"role\":3}",
        "{\"role\":{}}",
        "{\"sex\":[]}",
        "{\"sex\":\"x\",\"age\":\"1e400\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc;
        void *out = decode_one(&ob__desc_group_member, bad[i], &rc);
        if (rc != OB_EPROTO) fail_msg("accepted %s", bad[i]);
        assert_null(out);
    }
    const char *bad_lists[] = {
        "{\"files\":{}}",
        "{\"files\":\"x\"}",
        "{\"files\":[1]}",
        "{\"files\":[null]}",
        "{\"folders\":[{\"folder_id\":{}}]}",
        "{\"files\":[{\"file_size\":\"big\"}]}",
        "{\"files\":[{\"size\":\"-\"}]}",
    };
    for (size_t i = 0; i < sizeof bad_lists / sizeof *bad_lists; i++) {
        int rc;
        void *out = decode_one(&ob__desc_group_file_list, bad_lists[i], &rc);
        if (rc != OB_EPROTO) fail_msg("accepted %s", bad_lists[i]);
        assert_null(out);
    }
    int rc;
    assert_null(decode_one(&ob__desc_essence_msg, "{\"content\":{\"type\":\"text\"}}", &rc));
    assert_int_equal(rc, OB_EPROTO);
    assert_null(decode_one(&ob__desc_essence_msg, "{\"content\":[{\"type\":\"text\",\"data\":\"x\"}]}", &rc));
    assert_int_equal(rc, OB_EPROTO);
    assert_null(decode_one(&ob__desc_essence_msg, "{\"content\":[\"text\"]}", &rc));
    assert_int_equal(rc, OB_EPROTO);
    assert_null(decode_one(&ob__desc_essence_msg, "{\"content\":[{\"type\":7}]}", &rc));
    assert_int_equal(rc, OB_EPROTO);
    assert_null(decode_one(&ob__desc_group_honor_info, "{\"current_talkative\":[]}", &rc));
    assert_int_equal(rc, OB_EPROTO);
    assert_null(decode_one(&ob__desc_group_honor_info, "{\"current_talkative\":{\"user_id\":\"x\"}}", &rc));
    assert_int_equal(rc, OB_EPROTO);

    /* the top level must be an object (or an array for lists) */
    void *out = (void *)1;
    assert_int_equal(ob__jdoc_parse(&doc, "[{}]", 4), OB_OK);
    assert_int_equal(ob__decode(&ob__desc_group_info, &doc, 0, &out), OB_EPROTO);
    assert_null(out);
    out = (void *)1;
    assert_int_equal(ob__decode(&ob__desc_group_info, &doc, -1, &out), OB_EPROTO);
    assert_int_equal(ob__decode(&ob__desc_group_info, &doc, 99, &out), OB_EPROTO);
    assert_int_equal(ob__decode(&ob__desc_group_info, &doc, 1, &out), OB_OK); /* the inner {} */
    ob_free(out);
    assert_int_equal(ob__jdoc_parse(&doc, "{\"a\":1}", 7), OB_OK);
    out = (void *)1;
    assert_int_equal(ob__decode_list(&ob__desc_group_info, &doc, 0, &out), OB_EPROTO);
    assert_null(out);
    assert_int_equal(ob__decode_list(&ob__desc_group_info, &doc, 2, &out), OB_EPROTO); /* the 1 */
    assert_int_equal(ob__jdoc_parse(&doc, "\"str\"", 5), OB_OK);
    assert_int_equal(ob__decode_list(&ob__desc_group_info, &doc, 0, &out), OB_EPROTO);
}

static void test_lenient_values(void **state) {
    (void)state;
    /* nulls take defaults; unknown keys are ignored; duplicates: the last wins */
    ob_group_member *m =
        decode_ok(&ob__desc_group_member,
                  "{\"user_id\":null,\"nickname\":null,\"is_robot\":null,\"role\":null,\"sex\":null,"
                  "\"unknown\":{\"deep\":[[{}]]},\"age\":\"31\",\"card\":12345,\"title\":true,"
                  "\"level\":\"a\",\"level\":\"b\",\"join_time\":1e9,\"qq_level\":\"-3\",\"unfriendly\":1,"
                  "\"card_changeable\":\"false\",\"group_id\":9007199254740993}");
    assert_int_equal(m->user_id, 0);
    assert_string_equal(m->nickname, "");
    assert_false(m->is_robot);
    assert_int_equal(m->role, OB_ROLE_UNKNOWN);
    assert_int_equal(m->age, 31);
    assert_string_equal(m->card, "12345"); /* a number where a string belongs: its text */
    assert_string_equal(m->title, "true");
    assert_string_equal(m->level, "b");
    assert_int_equal(m->join_time, 1000000000);
    assert_int_equal(m->qq_level, -3);
    assert_true(m->unfriendly);
    assert_false(m->card_changeable);
    assert_int_equal(m->group_id, 9007199254740993LL);
    ob_free(m);

    /* keys in an unexpected order still all land */
    m = decode_ok(&ob__desc_group_member,
                  "{\"title\":\"t\",\"role\":\"admin\",\"user_id\":5,\"nickname\":\"n\",\"group_id\":4}");
    assert_string_equal(m->title, "t");
    assert_int_equal(m->role, OB_ROLE_ADMIN);
    assert_int_equal(m->user_id, 5);
    assert_string_equal(m->nickname, "n");
    assert_int_equal(m->group_id, 4);
    ob_free(m);

    /* escaped strings are unescaped; \u0000 cannot cut them short */
    m = decode_ok(&ob__desc_group_member, "{\"nickname\":\"a\\u0000b\\\"c\\ud83d\\ude00\"}");
    assert_string_equal(m->nickname, "a\xef\xbf\xbd"
                                     "b\"c\xf0\x9f\x98\x80");
    ob_free(m);
}

/* Every field of every descriptor given every shape of value: the result
 * is OB_OK or OB_EPROTO, never a crash, and an OK block is consistent. */
static void test_every_field_every_shape(void **state) {
    (void)state;
    const char *shapes[] = {"{}",
                            "[]",
                            "\"s\"",
                            "\"\"",
                            "1.5",
                            "-7",
                            "\"99999999999999999999999\"",
                            "true",
                            "null",
                            "[{}]",
                            "{\"a\":[1]}",
                            "[{\"type\":\"text\"}]",
                            "\"&#91;x&#93;\"",
                            "[null]",
                            "1e400"};
    char json[256];
    for (size_t di = 0; ob__desc_all[di]; di++) {
        const ob__desc *d = ob__desc_all[di];
        for (size_t fi = 0; fi < d->nfields; fi++) {
            if (!d->fields[fi].key[0]) continue;
            for (size_t si = 0; si < sizeof shapes / sizeof *shapes; si++) {
                snprintf(json, sizeof json, "{\"%s\":%s}", d->fields[fi].key, shapes[si]);
                int rc;
                void *out = decode_one(d, json, &rc);
                assert_true(rc == OB_OK || rc == OB_EPROTO);
                if (rc == OB_OK) {
                    char *enc = encode(d, out);
                    ob__jdoc d2 = {0};
                    if (ob__jdoc_parse(&d2, enc, strlen(enc)) != OB_OK) fail_msg("encoded invalid JSON: %s", enc);
                    ob__jdoc_free(&d2);
                    free(enc);
                    ob_free(out);
                }
            }
        }
    }
}

static void test_desc_lookup(void **state) {
    (void)state;
    assert_ptr_equal(ob__desc_by_name("group_member"), &ob__desc_group_member);
    assert_ptr_equal(ob__desc_by_name("ob_group_member"), &ob__desc_group_member);
    assert_ptr_equal(ob__desc_by_name("shut_member"), &ob__desc_shut_member);
    assert_ptr_equal(ob__desc_by_name("group_file_list"), &ob__desc_group_file_list);
    assert_ptr_equal(ob__desc_by_name("essence_msg"), &ob__desc_essence_msg);
    assert_null(ob__desc_by_name("nope"));
    assert_null(ob__desc_by_name(NULL));
    size_t n = 0;
    while (ob__desc_all[n]) n++;
    assert_int_equal(n, 11);
    ob_free(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_member_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shut_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_honor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_essence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lenient_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_field_every_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_desc_lookup, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
