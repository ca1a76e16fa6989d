/* Unit tests for src/names.c: every enum <-> wire-name table round-trips,
 * refuses what is out of range, unknown names and NULL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "names.h"

static void test_role(void **state)
{
    (void)state;
    assert_string_equal(ob_role_name(OB_ROLE_MEMBER), "member");
    assert_string_equal(ob_role_name(OB_ROLE_ADMIN), "admin");
    assert_string_equal(ob_role_name(OB_ROLE_OWNER), "owner");
    assert_string_equal(ob_role_name(OB_ROLE_UNKNOWN), "unknown");
    assert_null(ob_role_name((ob_role)(OB_ROLE_OWNER + 1)));
    assert_null(ob_role_name((ob_role)-1));
    for (int r = OB_ROLE_MEMBER; r <= OB_ROLE_OWNER; r++) {
        ob_role out = OB_ROLE_UNKNOWN;
        assert_int_equal(ob_role_parse(ob_role_name((ob_role)r), &out), OB_OK);
        assert_int_equal(out, r);
    }
    ob_role out = OB_ROLE_ADMIN;
    assert_int_equal(ob_role_parse("unknown", &out), OB_EINVAL);
    assert_int_equal(ob_role_parse("Owner", &out), OB_EINVAL);
    assert_int_equal(ob_role_parse("", &out), OB_EINVAL);
    assert_int_equal(ob_role_parse(NULL, &out), OB_EINVAL);
    assert_int_equal(out, OB_ROLE_ADMIN); /* untouched on failure */
    assert_int_equal(ob_role_parse("owner", NULL), OB_EINVAL);
}

static void test_sex(void **state)
{
    (void)state;
    assert_string_equal(ob_sex_name(OB_SEX_MALE), "male");
    assert_string_equal(ob_sex_name(OB_SEX_FEMALE), "female");
    assert_string_equal(ob_sex_name(OB_SEX_UNKNOWN), "unknown");
    assert_null(ob_sex_name((ob_sex)(OB_SEX_FEMALE + 1)));
    assert_null(ob_sex_name((ob_sex)-1));
    for (int s = OB_SEX_MALE; s <= OB_SEX_FEMALE; s++) {
        ob_sex out = OB_SEX_UNKNOWN;
        assert_int_equal(ob_sex_parse(ob_sex_name((ob_sex)s), &out), OB_OK);
        assert_int_equal(out, s);
    }
    ob_sex out = OB_SEX_MALE;
    assert_int_equal(ob_sex_parse("unknown", &out), OB_EINVAL);
    assert_int_equal(ob_sex_parse("fem", &out), OB_EINVAL);
    assert_int_equal(ob_sex_parse(NULL, &out), OB_EINVAL);
    assert_int_equal(out, OB_SEX_MALE);
    assert_int_equal(ob_sex_parse("male", NULL), OB_EINVAL);
}

static void test_media_kind(void **state)
{
    (void)state;
    static const char *const want[] = {"image", "record", "video", "file"};
    static const ob_media_kind kinds[] = {OB_MEDIA_IMAGE, OB_MEDIA_RECORD, OB_MEDIA_VIDEO, OB_MEDIA_FILE};
    for (int i = 0; i < 4; i++) {
        assert_string_equal(ob_media_kind_name(kinds[i]), want[i]);
        ob_media_kind out = (ob_media_kind)-1;
        assert_int_equal(ob_media_kind_parse(want[i], &out), OB_OK);
        assert_int_equal(out, kinds[i]);
    }
    assert_null(ob_media_kind_name((ob_media_kind)(OB_MEDIA_FILE + 1)));
    assert_null(ob_media_kind_name((ob_media_kind)-1));
    ob_media_kind out = OB_MEDIA_VIDEO;
    assert_int_equal(ob_media_kind_parse("text", &out), OB_EINVAL); /* a segment type, not a media kind */
    assert_int_equal(ob_media_kind_parse("at", &out), OB_EINVAL);
    assert_int_equal(ob_media_kind_parse("images", &out), OB_EINVAL);
    assert_int_equal(ob_media_kind_parse(NULL, &out), OB_EINVAL);
    assert_int_equal(out, OB_MEDIA_VIDEO);
    assert_int_equal(ob_media_kind_parse("file", NULL), OB_EINVAL);
}

static void test_honor_type(void **state)
{
    (void)state;
    static const char *const want[] = {"all", "talkative", "performer", "legend", "strong_newbie", "emotion"};
    for (int i = OB_HONOR_ALL; i <= OB_HONOR_EMOTION; i++) {
        assert_string_equal(ob_honor_type_name((ob_honor_type)i), want[i]);
        ob_honor_type out = (ob_honor_type)-1;
        assert_int_equal(ob_honor_type_parse(want[i], &out), OB_OK);
        assert_int_equal(out, i);
    }
    assert_null(ob_honor_type_name((ob_honor_type)(OB_HONOR_EMOTION + 1)));
    assert_null(ob_honor_type_name((ob_honor_type)-1));
    ob_honor_type out = OB_HONOR_LEGEND;
    assert_int_equal(ob_honor_type_parse("strong", &out), OB_EINVAL);
    assert_int_equal(ob_honor_type_parse(NULL, &out), OB_EINVAL);
    assert_int_equal(out, OB_HONOR_LEGEND);
    assert_int_equal(ob_honor_type_parse("all", NULL), OB_EINVAL);
}

static void test_segment_type(void **state)
{
    (void)state;
    static const char *const want[] = {"text", "at", "reply", "face", "image", "record", "video", "file"};
    for (int t = OB_SEG_TEXT; t < OB_SEG_OTHER; t++) {
        assert_string_equal(ob_segment_type_name((ob_segment_type)t), want[t]);
        assert_int_equal(ob_segment_type_parse(want[t], strlen(want[t])), t);
    }
    assert_null(ob_segment_type_name(OB_SEG_OTHER));
    assert_null(ob_segment_type_name((ob_segment_type)-1));
    assert_int_equal(ob_segment_type_parse("textual", 4), OB_SEG_TEXT); /* only n bytes count */
    assert_int_equal(ob_segment_type_parse("tex", 3), OB_SEG_OTHER);
    assert_int_equal(ob_segment_type_parse("json", 4), OB_SEG_OTHER);
    assert_int_equal(ob_segment_type_parse(NULL, 0), OB_SEG_OTHER);
    /* a media kind is named after its segment type */
    assert_string_equal(ob_media_kind_name(OB_MEDIA_RECORD), ob_segment_type_name(OB_SEG_RECORD));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role),
        cmocka_unit_test(test_sex),
        cmocka_unit_test(test_media_kind),
        cmocka_unit_test(test_honor_type),
        cmocka_unit_test(test_segment_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
