/* Unit tests for src/media.c: which file arguments pass through, how local
 * files become an absolute path or base64://, refusals, display names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actions.h"
#include "media.h"

typedef struct fixture {
    char dir[64];
    char file[128];  /* contains "hello" */
    char empty[128]; /* zero bytes */
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/ob-media-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->file, sizeof f->file, "%s/hello.txt", f->dir);
    snprintf(f->empty, sizeof f->empty, "%s/empty.bin", f->dir);
    FILE *fp = fopen(f->file, "wb");
    fputs("hello", fp);
    fclose(fp);
    fp = fopen(f->empty, "wb");
    fclose(fp);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    unlink(f->file);
    unlink(f->empty);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void test_uri_detection(void **state) {
    (void)state;
    const char *uris[] = {
        "http://a/b.png",    "https://a/b.png", "HTTPS://A/B", "base64://aGk=", "data:image/png;base64,aGk=",
        "file:///tmp/x.png", "File:///tmp/x"};
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++)
        if (!ob__media_is_uri(uris[i])) fail_msg("not seen as a URI: %s", uris[i]);
    const char *paths[] = {"/tmp/x.png", "x.png", "./http://x", "ftp://host/x", "base64:/x", "", "C:/a.jpg"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (ob__media_is_uri(paths[i])) fail_msg("seen as a URI: %s", paths[i]);
    assert_false(ob__media_is_uri(NULL));
}

static void test_uris_pass_through_in_every_mode(void **state) {
    (void)state;
    const char *uris[] = {"https://img.example.com/a.png?x=1",
                          "base64://aGVsbG8=", "data:text/plain;base64,aGk=", "file:///nonexistent/on/this/host.png",
                          "http://10.0.0.1/v.mp4"};
    ob_media_mode modes[] = {OB_MEDIA_AUTO, OB_MEDIA_PATH, OB_MEDIA_BASE64};
    char err[256];
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++)
        for (size_t m = 0; m < 3; m++) {
            char *out = NULL;
            assert_int_equal(ob__media_prepare(uris[i], modes[m], m == 0, &out, err, sizeof err), OB_OK);
            assert_string_equal(out, uris[i]);
            free(out);
        }
}

static void test_local_file_as_absolute_path(void **state) {
    fixture *f = *state;
    char err[256], *out = NULL;
    char expect[PATH_MAX];
    assert_non_null(realpath(f->file, expect));

    assert_int_equal(ob__media_prepare(f->file, OB_MEDIA_PATH, false, &out, err, sizeof err), OB_OK);
    assert_string_equal(out, expect);
    free(out);

    /* AUTO with a local server: the path, not the content */
    assert_int_equal(ob__media_prepare(f->file, OB_MEDIA_AUTO, true, &out, err, sizeof err), OB_OK);
    assert_string_equal(out, expect);
    free(out);

    /* a relative path becomes absolute */
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(f->dir), 0);
    assert_int_equal(ob__media_prepare("hello.txt", OB_MEDIA_PATH, false, &out, err, sizeof err), OB_OK);
    assert_int_equal(chdir(cwd), 0);
    assert_string_equal(out, expect);
    assert_true(out[0] == '/');
    free(out);
}

static void test_local_file_as_base64(void **state) {
    fixture *f = *state;
    char err[256], *out = NULL;
    assert_int_equal(ob__media_prepare(f->file, OB_MEDIA_BASE64, true, &out, err, sizeof err), OB_OK);
    assert_string_equal(out, "base64://aGVsbG8=");
    free(out);
    /* AUTO with a remote server embeds the content */
    assert_int_equal(ob__media_prepare(f->file, OB_MEDIA_AUTO, false, &out, err, sizeof err), OB_OK);
    assert_string_equal(out, "base64://aGVsbG8=");
    free(out);
    assert_int_equal(ob__media_prepare(f->empty, OB_MEDIA_BASE64, false, &out, err, sizeof err), OB_OK);
    assert_string_equal(out, "base64://");
    free(out);
}

static void test_base64_padding_lengths(void **state) {
    fixture *f = *state;
    const char *inputs[] = {"a", "ab", "abc", "abcd", "\xff\xfe\x00"};
    size_t lens[] = {1, 2, 3, 4, 3};
    const char *expect[] = {"base64://YQ==", "base64://YWI=", "base64://YWJj", "base64://YWJjZA==", "base64:////4A"};
    char path[160], err[256];
    snprintf(path, sizeof path, "%s/pad.bin", f->dir);
    for (size_t i = 0; i < 5; i++) {
        FILE *fp = fopen(path, "wb");
        fwrite(inputs[i], 1, lens[i], fp);
        fclose(fp);
        char *out = NULL;
        assert_int_equal(ob__media_prepare(path, OB_MEDIA_BASE64, false, &out, err, sizeof err), OB_OK);
        assert_string_equal(out, expect[i]);
        free(out);
    }
    unlink(path);
}

static void test_missing_file_refused_with_path_and_reason(void **state) {
    fixture *f = *state;
    char path[160], err[512];
    snprintf(path, sizeof path, "%s/no-such-file.png", f->dir);
    ob_media_mode modes[] = {OB_MEDIA_AUTO, OB_MEDIA_PATH, OB_MEDIA_BASE64};
    for (size_t m = 0; m < 3; m++) {
        char *out = (char *)"sentinel";
        err[0] = '\0';
        assert_int_equal(ob__media_prepare(path, modes[m], true, &out, err, sizeof err), OB_EINVAL);
        assert_null(out);
        assert_non_null(strstr(err, path));
        assert_non_null(strstr(err, strerror(ENOENT)));
    }
}

static void test_directory_and_empty_refused(void **state) {
    fixture *f = *state;
    char err[512], *out = NULL;
    assert_int_equal(ob__media_prepare(f->dir, OB_MEDIA_PATH, true, &out, err, sizeof err), OB_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err, "directory"));
    assert_non_null(strstr(err, f->dir));
    assert_int_equal(ob__media_prepare("", OB_MEDIA_PATH, true, &out, err, sizeof err), OB_EINVAL);
    assert_int_equal(ob__media_prepare(NULL, OB_MEDIA_PATH, true, &out, err, sizeof err), OB_EINVAL);
    assert_null(out);
}

static void test_too_large_for_base64(void **state) {
    fixture *f = *state;
    char path[160], err[512], *out = NULL;
    snprintf(path, sizeof path, "%s/big.bin", f->dir);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)OB_MEDIA_BASE64_MAX + 1), 0); /* sparse: costs no disk */
    close(fd);
    assert_int_equal(ob__media_prepare(path, OB_MEDIA_BASE64, false, &out, err, sizeof err), OB_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err, "too large"));
    /* the same file is fine as a path */
    assert_int_equal(ob__media_prepare(path, OB_MEDIA_PATH, false, &out, err, sizeof err), OB_OK);
    assert_true(out[0] == '/');
    free(out);
    unlink(path);
}

static void test_resolve_without_client_uses_paths(void **state) {
    fixture *f = *state;
    char *out = NULL, expect[PATH_MAX];
    assert_non_null(realpath(f->file, expect));
    assert_int_equal(ob__media_resolve(NULL, "x", f->file, &out), OB_OK);
    assert_string_equal(out, expect);
    free(out);
    assert_int_equal(ob__media_resolve(NULL, "x", "/definitely/not/here", &out), OB_EINVAL);
    assert_null(out);
}

static void test_basename(void **state) {
    (void)state;
    struct {
        const char *in, *out;
    } cases[] = {
        {"/tmp/a/b.txt", "b.txt"},
        {"b.txt", "b.txt"},
        {"./dir/sub/", "sub"},
        {"https://x.example/p/q%20r.png?x=1#frag", "q r.png"},
        {"http://x.example/a/%E4%B8%AD.zip", "\xe4\xb8\xad.zip"},
        {"https://host", "file"},
        {"https://host/", "file"},
        {"file:///tmp/z.zip", "z.zip"},
        {"base64://aGVsbG8=", "file"},
        {"data:text/plain;base64,aGk=", "file"},
        {"/", "file"},
        {"", "file"},
        {"weird%20name.txt", "weird%20name.txt"}, /* local paths are not percent-decoded */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *n = ob__media_basename(cases[i].in);
        assert_non_null(n);
        if (strcmp(n, cases[i].out) != 0) fail_msg("basename(%s) = %s, expected %s", cases[i].in, n, cases[i].out);
        free(n);
    }
    char *n = ob__media_basename(NULL);
    assert_string_equal(n, "file");
    free(n);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uri_detection),
        cmocka_unit_test(test_uris_pass_through_in_every_mode),
        cmocka_unit_test_setup_teardown(test_local_file_as_absolute_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_local_file_as_base64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base64_padding_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file_refused_with_path_and_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_and_empty_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_large_for_base64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_without_client_uses_paths, setup, teardown),
        cmocka_unit_test(test_basename),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
