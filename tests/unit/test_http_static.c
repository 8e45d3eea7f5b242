/* Unit tests for http_static.c: which URLs name a file, which encodings a
 * client accepts, and what a GET of a real folder answers: gzip that
 * inflates to the file, a 304 for its own ETag, plain for images and for
 * clients without gzip, a fresh copy after the file changes, nothing
 * through a symbolic link. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "net/http_static.h"
#include "test.h"

static void names_with_folders(void **state)
{
        char name[64];
        (void)state;
        static const struct { const char *url, *name; } good[] = {
                { "/", "index.html" }, { "/app.js", "app.js" },
                { "/icons/icon-192.png", "icons/icon-192.png" },
                { "/i18n/de/page.json", "i18n/de/page.json" },
        };
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                assert_true(http_static_name(good[i].url, name, sizeof(name)));
                assert_string_equal(name, good[i].name);
        }
        static const char *const bad[] = {
                "/../etc/passwd", "/..", "/.", "/.hidden", "/a/.hidden",
                "/a/../b", "/a//b", "/a/", "/sub/", "//etc/passwd",
                "/a/b/c/d", "/%2e%2e/x", "/a\\b", "app.js", "", "/x y",
                "/app.js?x=1", "/a/\x7f",
                "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (http_static_name(bad[i], name, sizeof(name))) {
                        print_error("served '%s'\n", bad[i]);
                        fail();
                }
        assert_false(http_static_name(NULL, name, sizeof(name)));
}

static void types_and_compression(void **state)
{
        (void)state;
        assert_string_equal(http_static_type("manifest.webmanifest"),
                            "application/manifest+json");
        assert_string_equal(http_static_type("app.js"),
                            "text/javascript; charset=utf-8");
        assert_string_equal(http_static_type("icons/a.png"), "image/png");
        assert_string_equal(http_static_type("favicon.ico"), "image/x-icon");
        assert_string_equal(http_static_type("x.bin"), "application/octet-stream");
        assert_true(http_static_compressible("i18n/en/page.json"));
        assert_true(http_static_compressible("style.css"));
        assert_false(http_static_compressible("icons/a.png"));
        assert_false(http_static_compressible("x.bin"));
}

static void accept_encoding(void **state)
{
        (void)state;
        assert_true(http_static_accepts_gzip("gzip, deflate, br, zstd"));
        assert_true(http_static_accepts_gzip("br;q=1.0, GZIP;q=0.5"));
        assert_true(http_static_accepts_gzip("*"));
        assert_true(http_static_accepts_gzip("deflate, *;q=0.1"));
        assert_false(http_static_accepts_gzip(NULL));
        assert_false(http_static_accepts_gzip(""));
        assert_false(http_static_accepts_gzip("identity"));
        assert_false(http_static_accepts_gzip("gzip;q=0"));
        assert_false(http_static_accepts_gzip("gzip; q=0.000, *"));
        assert_false(http_static_accepts_gzip("xgzip, gzipx"));
        assert_false(http_static_accepts_gzip("*;q=0"));
}

static void if_none_match(void **state)
{
        (void)state;
        assert_true(http_static_etag_matches("\"a-1\"", "\"a-1\""));
        assert_true(http_static_etag_matches("\"x\", W/\"a-1\"", "\"a-1\""));
        assert_true(http_static_etag_matches("*", "\"a-1\""));
        assert_false(http_static_etag_matches(NULL, "\"a-1\""));
        assert_false(http_static_etag_matches("\"a-1-gz\"", "\"a-1\""));
        assert_false(http_static_etag_matches("\"a-\"", "\"a-1\""));
}

struct folder {
        char path[64];
        int fd;
};

static void put(const struct folder *f, const char *name, const char *text,
                size_t times)
{
        char p[128];
        snprintf(p, sizeof(p), "%s/%s", f->path, name);
        FILE *out = fopen(p, "w");
        assert_non_null(out);
        for (size_t i = 0; i < times; i++)
                fputs(text, out);
        fclose(out);
}

static int folder_setup(void **state)
{
        struct folder *f = calloc(1, sizeof(*f));
        char p[128];
        snprintf(f->path, sizeof(f->path), "/tmp/heatpad-static-XXXXXX");
        assert_non_null(mkdtemp(f->path));
        snprintf(p, sizeof(p), "%s/i18n", f->path);
        assert_int_equal(mkdir(p, 0700), 0);
        snprintf(p, sizeof(p), "%s/link", f->path);
        assert_int_equal(symlink("/etc", p), 0);
        put(f, "app.js", "export const x = 'heat the pad';\n", 400);
        put(f, "i18n/en.json", "{\"k\":\"v\"}", 1);
        put(f, "a.png", "\x89PNG not really, repeated repeated repeated", 50);
        f->fd = open(f->path, O_RDONLY | O_DIRECTORY);
        assert_true(f->fd >= 0);
        *state = f;
        return 0;
}

static int folder_teardown(void **state)
{
        struct folder *f = *state;
        char cmd[128];
        close(f->fd);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->path);
        assert_int_equal(system(cmd), 0);
        free(f);
        return 0;
}

/* The file's bytes as a GET gives them, inflated when gzip. */
static size_t body_of(const struct http_static_file *r, char *out, size_t size)
{
        if (r->fd >= 0) {
                ssize_t n = pread(r->fd, out, size, 0);
                close(r->fd);
                assert_true(n >= 0 && (uint64_t)n == r->size);
                return (size_t)n;
        }
        z_stream z = { 0 };
        assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);   /* gzip only */
        z.next_in = (unsigned char *)r->data;
        z.avail_in = (uInt)r->size;
        z.next_out = (unsigned char *)out;
        z.avail_out = (uInt)size;
        assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
        size_t n = z.total_out;
        inflateEnd(&z);
        return n;
}

static void get_compresses_and_revalidates(void **state)
{
        struct folder *f = *state;
        struct http_static *s = http_static_new(f->fd);
        struct http_static_file r;
        static char body[64 * 1024];
        assert_non_null(s);

        assert_int_equal(http_static_get(s, "/app.js", "gzip, br", NULL, &r), 0);
        assert_int_equal(r.status, 200);
        assert_non_null(r.encoding);
        assert_string_equal(r.encoding, "gzip");
        assert_string_equal(r.type, "text/javascript; charset=utf-8");
        assert_string_equal(r.cache_control, "no-cache");
        assert_true(r.fd < 0 && r.size > 0 && r.size < 33 * 400 / 10);
        assert_int_equal(body_of(&r, body, sizeof(body)), 33 * 400);
        assert_memory_equal(body, "export const x = 'heat the pad';\n", 33);
        assert_true(strstr(r.last_modified, " GMT") != NULL);
        char etag[64];
        snprintf(etag, sizeof(etag), "%s", r.etag);
        assert_true(strstr(etag, "-gz\"") != NULL);

        /* Its own ETag: a 304 without a body. */
        assert_int_equal(http_static_get(s, "/app.js", "gzip", etag, &r), 0);
        assert_int_equal(r.status, 304);
        assert_true(r.fd < 0 && r.size == 0);
        assert_string_equal(r.etag, etag);

        /* Without gzip: the plain file, under another ETag. */
        assert_int_equal(http_static_get(s, "/app.js", NULL, etag, &r), 0);
        assert_int_equal(r.status, 200);
        assert_null(r.encoding);
        assert_true(r.fd >= 0);
        assert_string_not_equal(r.etag, etag);
        assert_int_equal(body_of(&r, body, sizeof(body)), 33 * 400);

        /* Changed on disk (another size): compressed afresh, new ETag. */
        put(f, "app.js", "export const y = 2;\n", 300);
        assert_int_equal(http_static_get(s, "/app.js", "gzip", etag, &r), 0);
        assert_int_equal(r.status, 200);
        assert_string_not_equal(r.etag, etag);
        assert_int_equal(body_of(&r, body, sizeof(body)), 20 * 300);
        assert_memory_equal(body, "export const y = 2;\n", 20);

        /* A folder's file; too small to gain is sent plain. */
        assert_int_equal(http_static_get(s, "/i18n/en.json", "gzip", NULL, &r), 0);
        assert_null(r.encoding);
        assert_int_equal(body_of(&r, body, sizeof(body)), 9);

        /* Images go plain even to a gzip client. */
        assert_int_equal(http_static_get(s, "/a.png", "gzip", NULL, &r), 0);
        assert_null(r.encoding);
        assert_string_equal(r.type, "image/png");
        assert_true(r.fd >= 0);
        close(r.fd);
        http_static_free(s);
}

static void get_refuses_outside_files(void **state)
{
        struct folder *f = *state;
        struct http_static *s = http_static_new(f->fd);
        struct http_static_file r = { .status = 7 };
        static const char *const urls[] = {
                "/link/passwd", "/link/hostname", "/i18n", "/i18n/",
                "/missing.js", "/../etc/passwd", "/i18n/en.json/x",
        };
        for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
                if (http_static_get(s, urls[i], "gzip", NULL, &r) != -ENOENT) {
                        print_error("'%s' not refused\n", urls[i]);
                        fail();
                }
        assert_int_equal(r.status, 7);          /* untouched */
        http_static_free(s);
        http_static_free(NULL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(names_with_folders),
                cmocka_unit_test(types_and_compression),
                cmocka_unit_test(accept_encoding),
                cmocka_unit_test(if_none_match),
                cmocka_unit_test_setup_teardown(get_compresses_and_revalidates,
                                                folder_setup, folder_teardown),
                cmocka_unit_test_setup_teardown(get_refuses_outside_files,
                                                folder_setup, folder_teardown),
        };
        return cmocka_run_group_tests_name("http_static", tests, NULL, NULL);
}
