/* Unit tests for http_auth.c (the PIN, its rate limit, sessions, the origin
 * and host checks) and http_static.c (which file a URL may name). */
#include <string.h>

#include "http_auth.h"
#include "http_static.h"
#include "test.h"

static const uint8_t rnd1[HTTP_AUTH_TOKEN_BYTES] = { 0xde, 0xad, 0xbe, 0xef, 1 };
static const uint8_t rnd2[HTTP_AUTH_TOKEN_BYTES] = { 0x01, 0x02, 0x03, 0x04, 2 };

static void no_pin_means_open(void **state)
{
        struct http_auth a;
        char tok[HTTP_AUTH_TOKEN_LEN + 1];
        int wait;
        (void)state;
        http_auth_init(&a, "");
        assert_false(http_auth_required(&a));
        assert_true(http_auth_session_ok(&a, NULL, 0));
        /* No PIN: nothing to log in with. */
        assert_int_equal(http_auth_login(&a, "", 0, rnd1, tok, &wait),
                         HTTP_LOGIN_WRONG);
}

static void pin_gives_a_session(void **state)
{
        struct http_auth a;
        char tok[HTTP_AUTH_TOKEN_LEN + 1], tok2[HTTP_AUTH_TOKEN_LEN + 1];
        int wait;
        (void)state;
        http_auth_init(&a, "2468");
        assert_true(http_auth_required(&a));
        assert_false(http_auth_session_ok(&a, NULL, 0));
        assert_int_equal(http_auth_login(&a, "2468", 1000, rnd1, tok, &wait),
                         HTTP_LOGIN_OK);
        assert_int_equal(strlen(tok), HTTP_AUTH_TOKEN_LEN);
        assert_memory_equal(tok, "deadbeef01", 10);
        assert_true(http_auth_session_ok(&a, tok, 2000));
        assert_false(http_auth_session_ok(&a, "deadbeef01", 2000));
        char forged[HTTP_AUTH_TOKEN_LEN + 1];
        strcpy(forged, tok);
        forged[5] ^= 1;
        assert_false(http_auth_session_ok(&a, forged, 2000));
        /* Sessions expire, and logging out ends one. */
        assert_false(http_auth_session_ok(&a, tok, 1000 + HTTP_AUTH_SESSION_MS));
        assert_int_equal(http_auth_login(&a, "2468", 3000, rnd2, tok2, &wait),
                         HTTP_LOGIN_OK);
        http_auth_logout(&a, tok);
        assert_false(http_auth_session_ok(&a, tok, 4000));
        assert_true(http_auth_session_ok(&a, tok2, 4000));
        /* A prefix or a longer PIN is wrong. */
        assert_int_equal(http_auth_login(&a, "246", 5000, rnd1, tok, &wait),
                         HTTP_LOGIN_WRONG);
        assert_int_equal(http_auth_login(&a, "24680", 5000, rnd1, tok, &wait),
                         HTTP_LOGIN_WRONG);
}

static void wrong_pins_are_rate_limited(void **state)
{
        struct http_auth a;
        char tok[HTTP_AUTH_TOKEN_LEN + 1];
        int wait;
        uint64_t t = 10000;
        (void)state;
        http_auth_init(&a, "2468");
        for (int i = 1; i < HTTP_AUTH_FREE_TRIES; i++) {
                assert_int_equal(http_auth_login(&a, "0000", t, rnd1, tok, &wait),
                                 HTTP_LOGIN_WRONG);
                assert_int_equal(wait, 0);
        }
        assert_int_equal(http_auth_login(&a, "0000", t, rnd1, tok, &wait),
                         HTTP_LOGIN_WRONG);
        assert_int_equal(wait, 5);
        /* While waiting even the right PIN is not heard. */
        assert_int_equal(http_auth_login(&a, "2468", t + 4000, rnd1, tok, &wait),
                         HTTP_LOGIN_WAIT);
        assert_int_equal(wait, 1);
        /* The wait doubles with each wrong PIN, up to 5 minutes. */
        t += 5000;
        assert_int_equal(http_auth_login(&a, "0000", t, rnd1, tok, &wait),
                         HTTP_LOGIN_WRONG);
        assert_int_equal(wait, 10);
        for (int i = 0; i < 10; i++) {
                t += (uint64_t)wait * 1000;
                http_auth_login(&a, "0000", t, rnd1, tok, &wait);
        }
        assert_int_equal(wait, 300);
        /* The right PIN after the wait works and resets the count. */
        t += 300000;
        assert_int_equal(http_auth_login(&a, "2468", t, rnd1, tok, &wait),
                         HTTP_LOGIN_OK);
        assert_int_equal(http_auth_login(&a, "0000", t, rnd1, tok, &wait),
                         HTTP_LOGIN_WRONG);
        assert_int_equal(wait, 0);
}

static void sessions_are_bounded(void **state)
{
        struct http_auth a;
        char toks[HTTP_AUTH_SESSIONS + 1][HTTP_AUTH_TOKEN_LEN + 1];
        int wait;
        (void)state;
        http_auth_init(&a, "2468");
        for (int i = 0; i <= HTTP_AUTH_SESSIONS; i++) {
                uint8_t r[HTTP_AUTH_TOKEN_BYTES] = { (uint8_t)i, 7 };
                assert_int_equal(http_auth_login(&a, "2468", (uint64_t)i * 10, r,
                                                 toks[i], &wait), HTTP_LOGIN_OK);
        }
        /* The oldest made room for the newest. */
        assert_false(http_auth_session_ok(&a, toks[0], 1000));
        for (int i = 1; i <= HTTP_AUTH_SESSIONS; i++)
                assert_true(http_auth_session_ok(&a, toks[i], 1000));
}

static void origin_checks(void **state)
{
        (void)state;
        /* curl and other tools send no Origin. */
        assert_true(http_auth_same_origin(NULL, NULL, "127.0.0.1:8080"));
        assert_true(http_auth_same_origin("http://127.0.0.1:8080", "same-origin",
                                          "127.0.0.1:8080"));
        assert_true(http_auth_same_origin("http://Heatpad.local", NULL,
                                          "heatpad.local"));
        assert_false(http_auth_same_origin("http://evil.example", NULL,
                                           "127.0.0.1:8080"));
        assert_false(http_auth_same_origin("http://127.0.0.1:8081", NULL,
                                           "127.0.0.1:8080"));
        assert_false(http_auth_same_origin("null", NULL, "127.0.0.1:8080"));
        assert_false(http_auth_same_origin("http://127.0.0.1:8080", NULL, NULL));
        /* A form from elsewhere without an Origin still says cross-site. */
        assert_false(http_auth_same_origin(NULL, "cross-site", "127.0.0.1:8080"));
        assert_false(http_auth_same_origin(NULL, "same-site", "127.0.0.1:8080"));
        assert_true(http_auth_same_origin(NULL, "none", "127.0.0.1:8080"));
}

static void host_checks(void **state)
{
        (void)state;
        assert_true(http_auth_host_ok("127.0.0.1:8080"));
        assert_true(http_auth_host_ok("192.168.1.20"));
        assert_true(http_auth_host_ok("[::1]:8080"));
        assert_true(http_auth_host_ok("localhost:8080"));
        assert_true(http_auth_host_ok("heatpad"));
        assert_true(http_auth_host_ok("heatpad.local:80"));
        assert_true(http_auth_host_ok("pi.home.arpa"));
        assert_true(http_auth_host_ok("pi.lan."));
        assert_false(http_auth_host_ok("evil.example.com"));
        assert_false(http_auth_host_ok("rebind.127.0.0.1.nip.io:8080"));
        assert_true(http_auth_host_ok("local"));      /* a single label */
        assert_false(http_auth_host_ok(NULL));
        assert_false(http_auth_host_ok(""));
        assert_false(http_auth_host_ok("[::1"));
        assert_false(http_auth_host_ok("a b"));
        assert_false(http_auth_host_ok("heatpad:80x"));
}

static void static_names(void **state)
{
        char name[64];
        (void)state;
        assert_true(http_static_name("/", name, sizeof(name)));
        assert_string_equal(name, "index.html");
        assert_true(http_static_name("/app.js", name, sizeof(name)));
        assert_string_equal(name, "app.js");
        static const char *const bad[] = {
                "/../etc/passwd", "/..", "/.", "/.hidden", "/a/b.js",
                "/%2e%2e/x", "/a\\b", "//etc/passwd", "app.js", "",
                "/x y", "/app.js?x=1",
                "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (http_static_name(bad[i], name, sizeof(name))) {
                        print_error("served '%s'\n", bad[i]);
                        fail();
                }
        assert_false(http_static_name(NULL, name, sizeof(name)));
        assert_string_equal(http_static_type("app.js"),
                            "text/javascript; charset=utf-8");
        assert_string_equal(http_static_type("index.html"),
                            "text/html; charset=utf-8");
        assert_string_equal(http_static_type("x.bin"), "application/octet-stream");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(no_pin_means_open),
                cmocka_unit_test(pin_gives_a_session),
                cmocka_unit_test(wrong_pins_are_rate_limited),
                cmocka_unit_test(sessions_are_bounded),
                cmocka_unit_test(origin_checks),
                cmocka_unit_test(host_checks),
                cmocka_unit_test(static_names),
        };
        return cmocka_run_group_tests_name("http_auth", tests, NULL, NULL);
}
