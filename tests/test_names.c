/* Unit tests for src/names.c: every enum <-> wire-name table round-trips,
 * refuses what is out of range, unknown names and NULL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "names.h"

/* T_name(value) is text and T_parse(text) gives value back. */
#define ROUND_TRIP(T, value, text) \
    do { \
        assert_string_equal(T##_name(value), text); \
        T out_ = (T)-1; \
        assert_int_equal(T##_parse(text, &out_), OB_OK); \
        assert_int_equal(out_, value); \
    } while (0)
/* T_parse(text) is OB_EINVAL and leaves *out as it was. */
#define REFUSED(T, text, keep) \
    do { \
        T out_ = keep; \
        assert_int_equal(T##_parse(text, &out_), OB_EINVAL); \
        assert_int_equal(out_, keep); \
    } while (0)
/* No name past the last value nor below the first; no parse into NULL. */
#define RANGE(T, last, valid_text) \
    do { \
        assert_null(T##_name((T)((int)(last) + 1))); \
        assert_null(T##_name((T)-1)); \
        assert_int_equal(T##_parse(valid_text, NULL), OB_EINVAL); \
        REFUSED(T, NULL, last); \
        REFUSED(T, "", last); \
    } while (0)

static void test_role(void **state) {
    (void)state;
    ROUND_TRIP(ob_role, OB_ROLE_MEMBER, "member");
    ROUND_TRIP(ob_role, OB_ROLE_ADMIN, "admin");
    ROUND_TRIP(ob_role, OB_ROLE_OWNER, "owner");
    assert_string_equal(ob_role_name(OB_ROLE_UNKNOWN), "unknown");
    REFUSED(ob_role, "unknown", OB_ROLE_ADMIN); /* a name, not a value to parse */
    REFUSED(ob_role, "Owner", OB_ROLE_ADMIN);
    RANGE(ob_role, OB_ROLE_OWNER, "owner");
}

static void test_sex(void **state) {
    (void)state;
    ROUND_TRIP(ob_sex, OB_SEX_MALE, "male");
    ROUND_TRIP(ob_sex, OB_SEX_FEMALE, "female");
    assert_string_equal(ob_sex_name(OB_SEX_UNKNOWN), "unknown");
    REFUSED(ob_sex, "unknown", OB_SEX_MALE);
    REFUSED(ob_sex, "fem", OB_SEX_MALE);
    RANGE(ob_sex, OB_SEX_FEMALE, "male");
}

static void test_media_kind(void **state) {
    (void)state;
    static const char *const names[] = {
        [OB_MEDIA_IMAGE] = "image", [OB_MEDIA_RECORD] = "record", [OB_MEDIA_VIDEO] = "video", [OB_MEDIA_FILE] = "file"};
    for (int k = OB_MEDIA_IMAGE; k <= OB_MEDIA_FILE; k++) ROUND_TRIP(ob_media_kind, (ob_media_kind)k, names[k]);
    REFUSED(ob_media_kind, "text", OB_MEDIA_VIDEO); /* a segment type, not a media kind */
    REFUSED(ob_media_kind, "at", OB_MEDIA_VIDEO);
    REFUSED(ob_media_kind, "images", OB_MEDIA_VIDEO);
    RANGE(ob_media_kind, OB_MEDIA_FILE, "file");
}

static void test_honor_type(void **state) {
    (void)state;
    static const char *const names[] = {
        [OB_HONOR_ALL] = "all",       [OB_HONOR_TALKATIVE] = "talkative",         [OB_HONOR_PERFORMER] = "performer",
        [OB_HONOR_LEGEND] = "legend", [OB_HONOR_STRONG_NEWBIE] = "strong_newbie", [OB_HONOR_EMOTION] = "emotion"};
    for (int h = OB_HONOR_ALL; h <= OB_HONOR_EMOTION; h++) ROUND_TRIP(ob_honor_type, (ob_honor_type)h, names[h]);
    REFUSED(ob_honor_type, "strong", OB_HONOR_LEGEND);
    RANGE(ob_honor_type, OB_HONOR_EMOTION, "all");
}

static void test_segment_type(void **state) {
    (void)state;
    static const char *const want[] = {"text", "at", "reply", "face", "image", "record", "video", "file"};
    for (int t = OB_SEG_TEXT; t < OB_SEG_OTHER; t++) {
        assert_string_equal(ob__segment_type_name((ob_segment_type)t), want[t]);
        assert_int_equal(ob__segment_type_parse(want[t], strlen(want[t])), t);
    }
    assert_null(ob__segment_type_name(OB_SEG_OTHER));
    assert_null(ob__segment_type_name((ob_segment_type)-1));
    assert_int_equal(ob__segment_type_parse("textual", 4), OB_SEG_TEXT); /* only n bytes count */
    assert_int_equal(ob__segment_type_parse("tex", 3), OB_SEG_OTHER);
    assert_int_equal(ob__segment_type_parse("json", 4), OB_SEG_OTHER);
    assert_int_equal(ob__segment_type_parse(NULL, 0), OB_SEG_OTHER);
    /* a media kind is named after its segment type */
    assert_string_equal(ob_media_kind_name(OB_MEDIA_RECORD), ob__segment_type_name(OB_SEG_RECORD));
}

static void test_event_kind(void **state) {
    (void)state;
    assert_string_equal(ob_event_kind_name(OB_EV_GROUP_MESSAGE), "group_message");
    assert_string_equal(ob_event_kind_name(OB_EV_FRIEND_REQUEST), "friend_request");
    assert_string_equal(ob_event_kind_name(OB_EV_OTHER), "other");
    assert_string_equal(ob_event_kind_name((ob_event_kind)(OB_EV_OTHER + 1)), "unknown");
    assert_string_equal(ob_event_kind_name((ob_event_kind)-1), "unknown");
    for (int k = 0; k <= OB_EV_OTHER; k++) /* every kind named, no two alike */
        for (int j = 0; j < k; j++)
            assert_string_not_equal(ob_event_kind_name((ob_event_kind)k), ob_event_kind_name((ob_event_kind)j));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role),       cmocka_unit_test(test_sex),          cmocka_unit_test(test_media_kind),
        cmocka_unit_test(test_honor_type), cmocka_unit_test(test_segment_type), cmocka_unit_test(test_event_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
