/* Unit tests for http_auth.c (the PIN, its rate limit per address,
 * sessions, which requests need one, the origin and host checks), what
 * the guidance shows without a session (status_json.c), and http_static.c
 * (which file a URL may name). */
#include <arpa/inet.h>
#include <string.h>

#include "net/http_auth.h"
#include "net/http_static.h"
#include "net/status_json.h"
#include "test.h"

static const uint8_t rnd1[HTTP_AUTH_TOKEN_BYTES] = { 0xde, 0xad, 0xbe, 0xef, 1 };
static const uint8_t rnd2[HTTP_AUTH_TOKEN_BYTES] = { 0x01, 0x02, 0x03, 0x04, 2 };
static const struct http_addr ip1 = { { [10] = 0xff, 0xff, 127, 0, 0, 1 } };
static const struct http_addr ip2 = { { [10] = 0xff, 0xff, 127, 0, 0, 2 } };

/* The n-th of many IPv4 addresses, 10.0.x.y. */
static struct http_addr nth(int n)
{
        struct http_addr a = { { [10] = 0xff, 0xff, 10, 0 } };
        a.b[14] = (uint8_t)(n >> 8);
        a.b[15] = (uint8_t)n;
        return a;
}

/* Wrong PINs from an address until it must wait; returns the wait. */
static int lock(struct http_auth *a, const struct http_addr *from, uint64_t t)
{
        char tok[HTTP_AUTH_TOKEN_LEN + 1];
        int wait = 0;
        for (int i = 0; i < HTTP_AUTH_FREE_TRIES; i++)
                assert_int_equal(http_auth_login(a, from, "0000", t, rnd1, tok,
                                                 &wait), HTTP_LOGIN_WRONG);
        return wait;
}

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
        assert_int_equal(http_auth_login(&a, &ip1, "", 0, rnd1, tok, &wait),
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
        assert_int_equal(http_auth_login(&a, &ip1, "2468", 1000, rnd1, tok, &wait),
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
        assert_int_equal(http_auth_login(&a, &ip1, "2468", 3000, rnd2, tok2, &wait),
                         HTTP_LOGIN_OK);
        http_auth_logout(&a, tok);
        assert_false(http_auth_session_ok(&a, tok, 4000));
        assert_true(http_auth_session_ok(&a, tok2, 4000));
        /* A prefix or a longer PIN is wrong. */
        assert_int_equal(http_auth_login(&a, &ip1, "246", 5000, rnd1, tok, &wait),
                         HTTP_LOGIN_WRONG);
        assert_int_equal(http_auth_login(&a, &ip1, "24680", 5000, rnd1, tok, &wait),
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
                assert_int_equal(http_auth_login(&a, &ip1, "0000", t, rnd1, tok, &wait),
                                 HTTP_LOGIN_WRONG);
                assert_int_equal(wait, 0);
        }
        assert_int_equal(http_auth_login(&a, &ip1, "0000", t, rnd1, tok, &wait),
                         HTTP_LOGIN_WRONG);
        assert_int_equal(wait, 5);
        /* While waiting even the right PIN is not heard. */
        assert_int_equal(http_auth_login(&a, &ip1, "2468", t + 4000, rnd1, tok, &wait),
                         HTTP_LOGIN_WAIT);
        assert_int_equal(wait, 1);
        /* The wait doubles with each wrong PIN, up to 5 minutes. */
        t += 5000;
        assert_int_equal(http_auth_login(&a, &ip1, "0000", t, rnd1, tok, &wait),
                         HTTP_LOGIN_WRONG);
        assert_int_equal(wait, 10);
        for (int i = 0; i < 10; i++) {
                t += (uint64_t)wait * 1000;
                http_auth_login(&a, &ip1, "0000", t, rnd1, tok, &wait);
        }
        assert_int_equal(wait, 300);
        /* The right PIN after the wait works and resets the count. */
        t += 300000;
        assert_int_equal(http_auth_login(&a, &ip1, "2468", t, rnd1, tok, &wait),
                         HTTP_LOGIN_OK);
        assert_int_equal(http_auth_login(&a, &ip1, "0000", t, rnd1, tok, &wait),
                         HTTP_LOGIN_WRONG);
        assert_int_equal(wait, 0);
}

static void one_address_does_not_lock_out_another(void **state)
{
        struct http_auth a;
        char tok[HTTP_AUTH_TOKEN_LEN + 1];
        int wait;
        (void)state;
        http_auth_init(&a, "2468");
        assert_int_equal(lock(&a, &ip1, 1000), 5);
        assert_int_equal(http_auth_login(&a, &ip1, "2468", 2000, rnd1, tok,
                                         &wait), HTTP_LOGIN_WAIT);
        /* Another device: heard at once, its own count from zero. */
        assert_int_equal(http_auth_login(&a, &ip2, "2468", 2000, rnd1, tok,
                                         &wait), HTTP_LOGIN_OK);
        assert_int_equal(http_auth_login(&a, &ip2, "1111", 2000, rnd1, tok,
                                         &wait), HTTP_LOGIN_WRONG);
        assert_int_equal(wait, 0);
        /* And the first still waits: the second's tries did not touch it. */
        assert_int_equal(http_auth_login(&a, &ip1, "2468", 3000, rnd1, tok,
                                         &wait), HTTP_LOGIN_WAIT);
        assert_int_equal(wait, 3);
        assert_int_equal(http_auth_login(&a, &ip1, "2468", 6000, rnd1, tok,
                                         &wait), HTTP_LOGIN_OK);
}

static void the_address_table_is_bounded_and_not_evicted(void **state)
{
        struct http_auth a;
        char tok[HTTP_AUTH_TOKEN_LEN + 1];
        int wait;
        uint64_t t = 1000;
        (void)state;
        /* A fixed size, whatever the number of addresses. */
        assert_true(sizeof(a) < 4096);
        http_auth_init(&a, "2468");
        for (int i = 0; i < HTTP_AUTH_CLIENTS; i++) {
                struct http_addr ai = nth(i);
                assert_int_equal(lock(&a, &ai, t), 5);
        }
        /* The table is full of locked addresses. New ones share one more
         * count: three free tries between all of them, then they wait. */
        struct http_addr n1 = nth(1000), n2 = nth(1001), n3 = nth(1002);
        assert_int_equal(http_auth_login(&a, &n1, "0000", t, rnd1, tok, &wait),
                         HTTP_LOGIN_WRONG);
        assert_int_equal(http_auth_login(&a, &n2, "0000", t, rnd1, tok, &wait),
                         HTTP_LOGIN_WRONG);
        assert_int_equal(http_auth_login(&a, &n3, "0000", t, rnd1, tok, &wait),
                         HTTP_LOGIN_WRONG);
        assert_int_equal(wait, 5);
        struct http_addr n4 = nth(1003);
        assert_int_equal(http_auth_login(&a, &n4, "2468", t + 1000, rnd1, tok,
                                         &wait), HTTP_LOGIN_WAIT);
        /* Many more addresses did not push out the first one's count: it
         * waits still, and its next wrong PIN doubles the wait. */
        for (int i = 2000; i < 2200; i++) {
                struct http_addr ai = nth(i);
                http_auth_login(&a, &ai, "0000", t + 6000, rnd1, tok, &wait);
        }
        struct http_addr first = nth(0);
        assert_int_equal(http_auth_login(&a, &first, "0000", t + 6000, rnd1,
                                         tok, &wait), HTTP_LOGIN_WRONG);
        assert_int_equal(wait, 10);
        /* A right PIN frees its entry: a new address gets it, with its own
         * free tries. */
        struct http_addr second = nth(1);
        assert_int_equal(http_auth_login(&a, &second, "2468", t + 6000, rnd1,
                                         tok, &wait), HTTP_LOGIN_OK);
        struct http_addr n5 = nth(1004);
        assert_int_equal(http_auth_login(&a, &n5, "0000", t + 6000, rnd1, tok,
                                         &wait), HTTP_LOGIN_WRONG);
        assert_int_equal(wait, 0);
        /* An hour after its last wrong PIN an address is forgotten: its
         * entry is free again (and it starts afresh itself). */
        t += 6000 + HTTP_AUTH_FORGET_MS;
        assert_int_equal(http_auth_login(&a, &first, "2468", t, rnd1, tok,
                                         &wait), HTTP_LOGIN_OK);
        assert_int_equal(http_auth_login(&a, &n4, "0000", t, rnd1, tok, &wait),
                         HTTP_LOGIN_WRONG);
        assert_int_equal(wait, 0);
}

static void addresses_from_sockets(void **state)
{
        struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_port = htons(9) };
        struct sockaddr_in6 v6 = { .sin6_family = AF_INET6 };
        struct sockaddr_in6 v6b = { .sin6_family = AF_INET6 };
        struct http_addr k, zero = { { 0 } };
        (void)state;
        inet_pton(AF_INET, "127.0.0.2", &v4.sin_addr);
        k = http_auth_addr((struct sockaddr *)&v4);
        assert_memory_equal(&k, &ip2, sizeof(k));
        /* The port does not count: a new connection is the same client. */
        v4.sin_port = htons(10);
        k = http_auth_addr((struct sockaddr *)&v4);
        assert_memory_equal(&k, &ip2, sizeof(k));
        /* IPv6 whole: two hosts of one home /64 are two clients. */
        inet_pton(AF_INET6, "2001:db8:1:2::10", &v6.sin6_addr);
        inet_pton(AF_INET6, "2001:db8:1:2::11", &v6b.sin6_addr);
        k = http_auth_addr((struct sockaddr *)&v6);
        struct http_addr kb = http_auth_addr((struct sockaddr *)&v6b);
        assert_memory_equal(&k, &v6.sin6_addr, sizeof(k));
        assert_memory_not_equal(&k, &kb, sizeof(k));
        k = http_auth_addr(NULL);
        assert_memory_equal(&k, &zero, sizeof(k));
}

static void which_requests_need_a_session(void **state)
{
        (void)state;
        /* A stop never does: one zone or all. */
        assert_false(http_auth_needs_session("POST", "/api/zones/upper_back/stop"));
        assert_false(http_auth_needs_session("POST", "/api/zones/upper back/stop"));
        assert_false(http_auth_needs_session("POST", "/api/stop"));
        assert_false(http_auth_needs_session("POST", "/api/login"));
        assert_false(http_auth_needs_session("POST", "/api/logout"));
        assert_false(http_auth_needs_session("GET", "/api/status"));
        assert_false(http_auth_needs_session("GET", "/api/injury"));
        assert_false(http_auth_needs_session("HEAD", "/api/guidance"));
        /* Everything else that changes something does. */
        assert_true(http_auth_needs_session("POST", "/api/zones/upper_back/start"));
        assert_true(http_auth_needs_session("POST",
                                            "/api/zones/upper_back/clear-fault"));
        assert_true(http_auth_needs_session("POST", "/api/injury"));
        assert_true(http_auth_needs_session("DELETE", "/api/injury"));
        assert_true(http_auth_needs_session("PUT", "/api/schedule"));
        assert_true(http_auth_needs_session("POST", "/api/confirm-safe"));
        /* Only POST, and only the stop verb itself. */
        assert_true(http_auth_needs_session("PUT", "/api/stop"));
        assert_true(http_auth_needs_session("DELETE", "/api/zones/a/stop"));
        assert_true(http_auth_needs_session("POST", "/api/zones//stop"));
        assert_true(http_auth_needs_session("POST", "/api/zones/a/stopx"));
        assert_true(http_auth_needs_session("POST", "/api/zones/a/stop/start"));
        assert_true(http_auth_needs_session("POST", "/api/stop/x"));
        assert_true(http_auth_needs_session("POST", "/api/zones/stop"));
        assert_true(http_auth_needs_session(NULL, "/api/stop"));
}

static void guidance_without_the_session_shows_no_record(void **state)
{
        cJSON *g = cJSON_Parse("{\"kind\":\"consult\",\"title\":\"t\","
                "\"text\":\"x\",\"disclaimer\":\"d\",\"heat_blocked\":true,"
                "\"blocked_by\":\"warning_signs\",\"heat_allowed_at\":null,"
                "\"heat_allowed_at_local\":null,\"confirm_needed\":false,"
                "\"record\":{\"injury\":true,\"nerve_signs\":true},"
                "\"later_field\":1}");
        cJSON *full = cJSON_Duplicate(g, true);
        (void)state;
        assert_non_null(g);
        status_guidance_gate(g, false);
        static const char *const kept[] = { "heat_blocked", "heat_allowed_at",
                "heat_allowed_at_local", "confirm_needed", "disclaimer",
                "private" };
        assert_int_equal(cJSON_GetArraySize(g), 6);
        for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
                assert_non_null(cJSON_GetObjectItem(g, kept[i]));
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(g, "private")));
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(g, "heat_blocked")));
        char *text = cJSON_PrintUnformatted(g);
        assert_null(strstr(text, "record"));
        assert_null(strstr(text, "consult"));
        assert_null(strstr(text, "warning_signs"));
        cJSON_free(text);
        /* With the session (or no PIN): all of it. */
        int n = cJSON_GetArraySize(full);
        status_guidance_gate(full, true);
        assert_int_equal(cJSON_GetArraySize(full), n + 1);
        assert_true(cJSON_IsFalse(cJSON_GetObjectItem(full, "private")));
        assert_non_null(cJSON_GetObjectItem(full, "record"));
        status_guidance_gate(NULL, false);
        cJSON_Delete(g);
        cJSON_Delete(full);
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
                assert_int_equal(http_auth_login(&a, &ip1, "2468", (uint64_t)i * 10, r,
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
                "/../etc/passwd", "/..", "/.", "/.hidden", "/a//b.js",
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
                cmocka_unit_test(one_address_does_not_lock_out_another),
                cmocka_unit_test(the_address_table_is_bounded_and_not_evicted),
                cmocka_unit_test(addresses_from_sockets),
                cmocka_unit_test(which_requests_need_a_session),
                cmocka_unit_test(guidance_without_the_session_shows_no_record),
                cmocka_unit_test(sessions_are_bounded),
                cmocka_unit_test(origin_checks),
                cmocka_unit_test(host_checks),
                cmocka_unit_test(static_names),
        };
        return cmocka_run_group_tests_name("http_auth", tests, NULL, NULL);
}
