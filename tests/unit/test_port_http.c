/* The HTTP API against a fake port: method, path, headers, body and the
 * client's address in; status codes, JSON and the commands the core got
 * out. No socket, no libmicrohttpd, no sleeping. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "test.h"
#include "fake_port.h"
#include "net/http_int.h"

#define ZONES "\"zones\":[{\"name\":\"upper back\",\"sensor\":{\"type\":" \
        "\"sim\"},\"relay\":{\"type\":\"sim\"}},{\"name\":\"lower back\"," \
        "\"sensor\":{\"type\":\"sim\"},\"relay\":{\"type\":\"sim\"}}]"
#define OPEN "{\"quiet_hours\":{\"enabled\":false},\"http\":{}," ZONES "}"
#define WITH_PIN "{\"quiet_hours\":{\"enabled\":false},\"http\":{\"pin\":" \
        "\"2468\"}," ZONES "}"

static struct fake_port fp;
static struct http h;
static char cookie[HTTP_AUTH_TOKEN_LEN + 1];

static void start(const char *config)
{
        fake_port_init(&fp, config);
        memset(&h, 0, sizeof(h));
        http_api_init(&h, &fp.port);
        cookie[0] = '\0';
}

static int setup_open(void **state)
{
        (void)state;
        start(OPEN);
        return 0;
}

static int setup_pin(void **state)
{
        (void)state;
        start(WITH_PIN);
        return 0;
}

/* One request from the page (same origin, from 192.168.1.20); the reply's
 * JSON in *ret (the caller deletes it). Returns the status. */
static unsigned req_from(const char *origin, const char *method,
                         const char *url, const char *body, cJSON **ret,
                         struct http_reply *rep_out)
{
        struct http_reply rep = { 0 };
        uint8_t v4[16] = { [10] = 0xff, [11] = 0xff, [12] = 192, [13] = 168,
                           [14] = 1, [15] = 20 };
        struct http_request rq = {
                .method = method, .url = url, .body = body ? body : "",
                .len = body ? strlen(body) : 0,
                .host = "192.168.1.5:8080", .origin = origin,
                .cookie = cookie[0] ? cookie : NULL,
                .from_text = "192.168.1.20",
        };
        memcpy(rq.from.b, v4, sizeof(v4));
        if (strncmp(url, "/api/history?", 13) == 0) {
                rq.url = "/api/history";
                rq.arg_zone = strstr(url, "zone=") + 5;
        }
        http_api_handle(&h, &rq, &rep);
        assert_non_null(rep.json);
        if (rep_out)
                *rep_out = rep;
        if (ret)
                *ret = rep.json;
        else
                cJSON_Delete(rep.json);
        return rep.status;
}

static unsigned req(const char *method, const char *url, const char *body,
                    cJSON **ret)
{
        return req_from("http://192.168.1.5:8080", method, url, body, ret,
                        NULL);
}

static const char *str(const cJSON *o, const char *key)
{
        const cJSON *v = cJSON_GetObjectItem(o, key);
        return cJSON_IsString(v) ? v->valuestring : "";
}

static void status_is_read_without_commands(void **state)
{
        cJSON *o;
        (void)state;
        assert_int_equal(req("GET", "/api/status", NULL, &o), 200);
        assert_true(cJSON_IsArray(cJSON_GetObjectItem(o, "zones")));
        const cJSON *auth = cJSON_GetObjectItem(o, "auth");
        assert_false(cJSON_IsTrue(cJSON_GetObjectItem(auth, "pin_required")));
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(auth, "may_change")));
        cJSON_Delete(o);
        assert_int_equal(fp.ncmds, 0);
}

static void start_and_stop_go_to_the_core(void **state)
{
        cJSON *o;
        (void)state;
        assert_int_equal(req("POST", "/api/zones/upper_back/start",
                             "{\"minutes\":10,\"setpoint_c\":39}", &o), 200);
        assert_string_equal(str(o, "code"), "ok");
        assert_non_null(cJSON_GetObjectItem(o, "status"));
        cJSON_Delete(o);
        assert_int_equal(fp.ncmds, 1);
        assert_int_equal(fp.cmds[0].kind, CMD_START);
        assert_int_equal(fp.cmds[0].src, SRC_HTTP);
        assert_int_equal(fp.cmds[0].minutes, 10);
        assert_near(fp.cmds[0].setpoint_c, 39, 1e-9);
        assert_true(fp.core.zones[0].session.active);
        assert_int_equal(req("POST", "/api/zones/upper_back/stop", NULL, NULL),
                         200);
        assert_int_equal(fp.cmds[1].kind, CMD_STOP);
        assert_int_equal(req("POST", "/api/stop", NULL, &o), 200);
        assert_string_equal(str(o, "message"), "every zone: off");
        cJSON_Delete(o);
        assert_int_equal(fp.cmds[2].kind, CMD_STOP_ALL);
        assert_false(fp.core.zones[0].session.active);
}

static void bad_requests_change_nothing(void **state)
{
        cJSON *o;
        struct http_reply rep;
        (void)state;
        assert_int_equal(req("POST", "/api/zones/upper_back/start",
                             "{\"minutes\":\"ten\"}", &o), 400);
        assert_string_equal(str(o, "code"), "bad_request");
        cJSON_Delete(o);
        assert_int_equal(req("POST", "/api/zones/attic/start", "{}", &o), 400);
        assert_string_equal(str(o, "code"), "unknown_zone");
        cJSON_Delete(o);
        assert_int_equal(req("GET", "/api/nothing", NULL, NULL), 404);
        assert_int_equal(req("POST", "/api/zones/upper_back/dance", NULL,
                             NULL), 404);
        assert_int_equal(req_from("http://192.168.1.5:8080", "GET",
                                  "/api/stop", NULL, NULL, &rep), 405);
        assert_string_equal(rep.allow, "POST");
        assert_int_equal(req("PUT", "/api/schedule", "[{\"zone\":1}]", &o),
                         400);
        assert_string_equal(str(o, "code"), "bad_schedule");
        cJSON_Delete(o);
        assert_int_equal(fp.ncmds, 0);
}

/* A refusal by the core reads 409 with the core's code. */
static void refused_start_is_409(void **state)
{
        cJSON *o;
        (void)state;
        assert_int_equal(req("POST", "/api/injury", "{\"injury\":true,"
                             "\"minutes_ago\":10}", &o), 200);
        cJSON_Delete(o);
        assert_int_equal(fp.cmds[0].kind, CMD_RECORD_ACUTE);
        assert_true(fp.cmds[0].injury);
        assert_int_equal(fp.cmds[0].at, fp.wall - 600);
        assert_int_equal(req("POST", "/api/zones/upper_back/start", "{}", &o),
                         409);
        assert_int_equal(fp.replies[1].status, CORE_REFUSED);
        assert_string_equal(str(o, "code"), fp.replies[1].code);
        cJSON_Delete(o);
        assert_false(fp.core.zones[0].session.active);
}

static void other_sites_are_kept_out(void **state)
{
        cJSON *o;
        (void)state;
        assert_int_equal(req_from("https://evil.example", "POST",
                                  "/api/zones/upper_back/start", "{}", &o,
                                  NULL), 403);
        assert_string_equal(str(o, "code"), "cross_origin");
        cJSON_Delete(o);
        assert_int_equal(fp.ncmds, 0);
}

/* With a PIN: changes need the session, a stop never does, and the PIN is
 * exchanged for a cookie. */
static void pin_gates_changes_but_not_stops(void **state)
{
        cJSON *o;
        struct http_reply rep;
        (void)state;
        assert_int_equal(req("POST", "/api/zones/upper_back/start", "{}", &o),
                         401);
        assert_string_equal(str(o, "code"), "pin_required");
        cJSON_Delete(o);
        assert_int_equal(fp.ncmds, 0);
        assert_int_equal(req("POST", "/api/zones/upper_back/stop", NULL, NULL),
                         200);
        assert_int_equal(req("POST", "/api/stop", NULL, NULL), 200);
        assert_int_equal(fp.ncmds, 2);

        assert_int_equal(req("POST", "/api/login", "{\"pin\":\"1111\"}", &o),
                         401);
        assert_string_equal(str(o, "code"), "wrong_pin");
        cJSON_Delete(o);
        assert_true(fake_port_logged(&fp, "wrong PIN from 192.168.1.20"));
        assert_int_equal(req_from("http://192.168.1.5:8080", "POST",
                                  "/api/login", "{\"pin\":\"2468\"}", NULL,
                                  &rep), 200);
        const char *eq = strchr(rep.set_cookie, '=');
        assert_non_null(eq);
        snprintf(cookie, sizeof(cookie), "%.*s", HTTP_AUTH_TOKEN_LEN, eq + 1);
        assert_int_equal(req("POST", "/api/zones/upper_back/start", "{}", NULL),
                         200);
        assert_int_equal(fp.cmds[2].kind, CMD_START);
        assert_true(fp.core.zones[0].session.active);
}

/* Wrong PINs wait by the port's real clock, not the simulated one. */
static void pin_waits_run_on_real_time(void **state)
{
        cJSON *o;
        (void)state;
        for (int i = 0; i < HTTP_AUTH_FREE_TRIES; i++)
                assert_int_equal(req("POST", "/api/login", "{\"pin\":\"0000\"}",
                                     NULL), 401);
        fp.now_ms += 3600 * 1000;               /* simulated time races on */
        fp.wall += 3600;
        assert_int_equal(req("POST", "/api/login", "{\"pin\":\"2468\"}", &o),
                         429);
        assert_string_equal(str(o, "code"), "too_many_tries");
        cJSON_Delete(o);
        fp.real_ms += 6000;
        assert_int_equal(req("POST", "/api/login", "{\"pin\":\"2468\"}", NULL),
                         200);
}

/* The record shows whole only to a session: without one the guidance in
 * any reply is gated. */
static void guidance_is_gated_without_a_session(void **state)
{
        cJSON *o;
        (void)state;
        assert_int_equal(req("GET", "/api/guidance", NULL, &o), 200);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "private")));
        assert_null(cJSON_GetObjectItem(o, "record"));
        assert_null(cJSON_GetObjectItem(o, "kind"));
        cJSON_Delete(o);
        /* A stop needs no session, and its status is gated too. */
        assert_int_equal(req("POST", "/api/stop", NULL, &o), 200);
        const cJSON *g = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "status"),
                                             "guidance");
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(g, "private")));
        assert_null(cJSON_GetObjectItem(g, "record"));
        cJSON_Delete(o);
}

static void schedule_put_and_get(void **state)
{
        cJSON *o;
        (void)state;
        assert_int_equal(req("PUT", "/api/schedule", "[{\"zone\":\"lower_back\","
                             "\"days\":\"daily\",\"start\":\"07:30\","
                             "\"minutes\":20,\"setpoint_c\":40}]", &o), 200);
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "schedule")),
                         1);
        cJSON_Delete(o);
        assert_int_equal(fp.cmds[0].kind, CMD_SET_SCHEDULE);
        assert_int_equal(fp.core.schedule.n, 1);
        assert_int_equal(req("GET", "/api/schedule", NULL, &o), 200);
        assert_int_equal(cJSON_GetArraySize(o), 1);
        cJSON_Delete(o);
}

static void history_names_a_zone(void **state)
{
        cJSON *o;
        (void)state;
        assert_int_equal(req("GET", "/api/history?zone=upper_back", NULL, &o),
                         200);
        assert_string_equal(str(o, "zone"), "upper_back");
        cJSON_Delete(o);
        assert_int_equal(req("GET", "/api/history?zone=attic", NULL, NULL),
                         400);
}

/* The status shows each zone's last command and where it came from; a
 * reader without the PIN sees a refusal's source but not its reason. */
static void last_command_in_the_status(void **state)
{
        struct core_cmd cmd = { .kind = CMD_START, .src = SRC_BUTTON,
                                .zone = 0, .setpoint_c = 99 };
        struct core_reply rep;
        cJSON *o;
        bool pin = *state != NULL;
        fp.port.submit(fp.port.ctx, &cmd, &rep);
        assert_int_not_equal(rep.status, CORE_OK);
        assert_int_equal(req("GET", "/api/status", NULL, &o), 200);
        const cJSON *zs = cJSON_GetObjectItem(o, "zones");
        const cJSON *l = cJSON_GetObjectItem(cJSON_GetArrayItem(zs, 0),
                                             "last_command");
        assert_string_equal(str(l, "source"), "button");
        assert_false(cJSON_IsTrue(cJSON_GetObjectItem(l, "ok")));
        if (pin) {
                assert_null(cJSON_GetObjectItem(l, "code"));
                assert_null(cJSON_GetObjectItem(l, "message"));
        } else {
                assert_string_equal(str(l, "code"), rep.code);
                assert_string_equal(str(l, "message"), rep.message);
        }
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(zs, 1),
                                                     "last_command")));
        cJSON_Delete(o);
        /* An accepted one shows whole to anyone. */
        assert_int_equal(req("POST", "/api/stop", NULL, &o), 200);
        l = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
                cJSON_GetObjectItem(o, "status"), "zones"), 1), "last_command");
        assert_string_equal(str(l, "source"), "http");
        assert_string_equal(str(l, "code"), "ok");
        cJSON_Delete(o);
}

static void last_command_with_a_pin(void **state)
{
        static int pin;
        (void)state;
        void *p = &pin;
        last_command_in_the_status(&p);
}

static void last_command_open(void **state)
{
        (void)state;
        void *p = NULL;
        last_command_in_the_status(&p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(status_is_read_without_commands, setup_open),
                cmocka_unit_test_setup(last_command_open, setup_open),
                cmocka_unit_test_setup(last_command_with_a_pin, setup_pin),
                cmocka_unit_test_setup(start_and_stop_go_to_the_core, setup_open),
                cmocka_unit_test_setup(bad_requests_change_nothing, setup_open),
                cmocka_unit_test_setup(refused_start_is_409, setup_open),
                cmocka_unit_test_setup(other_sites_are_kept_out, setup_open),
                cmocka_unit_test_setup(pin_gates_changes_but_not_stops, setup_pin),
                cmocka_unit_test_setup(pin_waits_run_on_real_time, setup_pin),
                cmocka_unit_test_setup(guidance_is_gated_without_a_session, setup_pin),
                cmocka_unit_test_setup(schedule_put_and_get, setup_open),
                cmocka_unit_test_setup(history_names_a_zone, setup_open),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
