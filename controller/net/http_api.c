/* http_api.c: the JSON API. Every change goes through the same core
 * commands as MQTT and the command line, so a refusal reads the same
 * everywhere; replies use status_json.c's shapes. Errors are
 * {"ok":false,"code":"...","message":"..."}: 400 for bad input (nothing
 * changes), 401 without the PIN's session, 403 from another site, 404 for
 * no such path, 405 for a wrong method, 409 for a refused start, 429 while
 * PIN tries wait. A stop needs no session (http_auth.h). Without the
 * session, when a PIN is set, the guidance in any reply shows no record
 * (status_guidance_gate), a zone's last session no end that names it
 * (status_session_gate), and /api/sessions answers 401. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "net/http_body.h"
#include "net/http_int.h"
#include "core/schedule.h"
#include "net/status_json.h"

void http_api_error(struct http_reply *ret, unsigned status, const char *code,
                    const char *fmt, ...)
{
        char msg[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        ret->status = status;
        cJSON_Delete(ret->json);
        ret->json = cJSON_CreateObject();
        cJSON_AddBoolToObject(ret->json, "ok", false);
        cJSON_AddStringToObject(ret->json, "code", code);
        cJSON_AddStringToObject(ret->json, "message", msg);
}

static void ok_json(struct http_reply *ret, cJSON *json)
{
        ret->status = MHD_HTTP_OK;
        ret->json = json;
}

static unsigned core_http_status(enum core_status st)
{
        switch (st) {
        case CORE_OK: return MHD_HTTP_OK;
        case CORE_REFUSED: return MHD_HTTP_CONFLICT;
        case CORE_INVALID: return MHD_HTTP_BAD_REQUEST;
        /* A zone the request named that is not there is bad input. */
        default: return MHD_HTTP_BAD_REQUEST;
        }
}

/* After a command: the reply carries the core's answer plus, for the
 * page, the state (the relays and the state file follow after the
 * batch). */
static void command_reply(struct http *h, const struct core_reply *rep,
                          struct http_reply *ret)
{
        ret->status = core_http_status(rep->status);
        ret->json = status_reply_json(rep);
        if (rep->status == CORE_OK)
                cJSON_AddItemToObject(ret->json, "status",
                                      status_json(h->port->core,
                                                  port_now_ms(h->port),
                                                  port_wall(h->port)));
}

/* PIN waits and sessions run on real time: a simulated clock must not make
 * guessing faster. */
static uint64_t auth_now(const struct http *h)
{
        return port_real_ms(h->port);
}

void http_api_init(struct http *h, const struct port *port)
{
        h->port = port;
        http_auth_init(&h->auth, port->cfg->http.pin);
        history_init(&h->history, port->cfg->nzones);
}

static void add_auth(struct http *h, const struct http_request *rq, cJSON *o)
{
        cJSON *a = cJSON_AddObjectToObject(o, "auth");
        cJSON_AddBoolToObject(a, "pin_required", http_auth_required(&h->auth));
        cJSON_AddBoolToObject(a, "may_change",
                              http_auth_session_ok(&h->auth, rq->cookie,
                                                   auth_now(h)));
}

static void get_status(struct http *h, const struct http_request *rq,
                       struct http_reply *ret)
{
        cJSON *o = status_json(h->port->core, port_now_ms(h->port),
                               port_wall(h->port));
        add_auth(h, rq, o);
        ok_json(ret, o);
}

static void post_login(struct http *h, const struct http_request *rq,
                       struct http_reply *ret)
{
        char pin[HTTP_PIN_MAX + 1], token[HTTP_AUTH_TOKEN_LEN + 1], err[160];
        uint8_t rnd[HTTP_AUTH_TOKEN_BYTES];
        int wait_s;
        const char *body = rq->body;
        size_t len = rq->len;
        const char *who = rq->from_text ? rq->from_text : "?";

        if (!http_auth_required(&h->auth)) {
                http_api_error(ret, MHD_HTTP_BAD_REQUEST, "no_pin", "no PIN is "
                               "set on this device; changes need none");
                return;
        }
        if (http_parse_pin_body(body, len, pin, sizeof(pin), err,
                                sizeof(err)) < 0) {
                http_api_error(ret, MHD_HTTP_BAD_REQUEST, "bad_request", "%s",
                               err);
                return;
        }
        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
                http_api_error(ret, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                               "no random numbers for a session");
                return;
        }
        switch (http_auth_login(&h->auth, &rq->from, pin, auth_now(h), rnd, token,
                                &wait_s)) {
        case HTTP_LOGIN_OK:
                snprintf(ret->set_cookie, sizeof(ret->set_cookie), HTTP_COOKIE
                         "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%llu",
                         token, HTTP_AUTH_SESSION_MS / 1000);
                ret->status = MHD_HTTP_OK;
                ret->json = cJSON_CreateObject();
                cJSON_AddBoolToObject(ret->json, "ok", true);
                cJSON_AddStringToObject(ret->json, "code", "ok");
                cJSON_AddStringToObject(ret->json, "message", "PIN accepted");
                return;
        case HTTP_LOGIN_WRONG:
                port_log(h->port, "warning",
                        "http: wrong PIN from %s%s", who,
                        wait_s ? ", further tries from there wait" : "");
                if (wait_s)
                        http_api_error(ret, MHD_HTTP_UNAUTHORIZED, "wrong_pin",
                                       "wrong PIN; try again in %d s", wait_s);
                else
                        http_api_error(ret, MHD_HTTP_UNAUTHORIZED, "wrong_pin",
                                       "wrong PIN");
                ret->retry_after_s = wait_s;
                return;
        case HTTP_LOGIN_WAIT:
                http_api_error(ret, MHD_HTTP_TOO_MANY_REQUESTS, "too_many_tries",
                               "too many wrong PINs; try again in %d s", wait_s);
                ret->retry_after_s = wait_s;
                return;
        }
}

static void post_logout(struct http *h, const struct http_request *rq,
                        struct http_reply *ret)
{
        http_auth_logout(&h->auth, rq->cookie);
        snprintf(ret->set_cookie, sizeof(ret->set_cookie), HTTP_COOKIE
                 "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        ret->status = MHD_HTTP_OK;
        ret->json = cJSON_CreateObject();
        cJSON_AddBoolToObject(ret->json, "ok", true);
        cJSON_AddStringToObject(ret->json, "code", "ok");
        cJSON_AddStringToObject(ret->json, "message", "signed out");
}

static void zone_command(struct http *h, int zone, const char *verb,
                         const char *body, size_t len, struct http_reply *ret)
{
        struct core_cmd cmd = { .src = SRC_HTTP, .zone = zone };
        struct core_reply rep;
        char err[160];

        if (strcmp(verb, "start") == 0) {
                cmd.kind = CMD_START;
                if (http_parse_start_body(body, len, &cmd.minutes,
                                          &cmd.setpoint_c, err,
                                          sizeof(err)) < 0) {
                        http_api_error(ret, MHD_HTTP_BAD_REQUEST, "bad_request",
                                       "%s", err);
                        return;
                }
        } else if (strcmp(verb, "stop") == 0) {
                cmd.kind = CMD_STOP;
        } else {
                cmd.kind = CMD_CLEAR_FAULT;
        }
        port_submit(h->port, &cmd, &rep);
        command_reply(h, &rep, ret);
}

/* Every zone off; never refused (CMD_STOP_ALL). */
static void post_stop_all(struct http *h, struct http_reply *ret)
{
        struct core_cmd cmd = { .kind = CMD_STOP_ALL, .src = SRC_HTTP };
        struct core_reply rep;

        port_submit(h->port, &cmd, &rep);
        command_reply(h, &rep, ret);
}

static void get_history(struct http *h, const struct http_request *rq,
                        struct http_reply *ret)
{
        struct history_sample *buf = h->scratch;
        const char *zname = rq->arg_zone;
        const char *mins = rq->arg_minutes;
        const struct core *core = h->port->core;
        long minutes = 60;

        if (!zname || !*zname) {
                http_api_error(ret, MHD_HTTP_BAD_REQUEST, "bad_request",
                               "zone: required, e.g. ?zone=upper_back");
                return;
        }
        int z = core_find_zone(core, zname);
        if (z < 0) {
                http_api_error(ret, MHD_HTTP_BAD_REQUEST, "unknown_zone",
                               "zone: no zone '%.40s'", zname);
                return;
        }
        if (mins && http_parse_int(mins, 1, HISTORY_MAX_MINUTES, &minutes) < 0) {
                http_api_error(ret, MHD_HTTP_BAD_REQUEST, "bad_request",
                               "minutes: a whole number from 1 to %d",
                               HISTORY_MAX_MINUTES);
                return;
        }
        uint64_t now = port_now_ms(h->port);
        time_t wall = port_wall(h->port);
        int n = history_since(&h->history, z, now, (int)minutes, buf,
                              HISTORY_LEN);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "zone", core->zones[z].cfg->id);
        cJSON_AddNumberToObject(o, "minutes", (double)minutes);
        cJSON_AddNumberToObject(o, "step_s", HISTORY_STEP_MS / 1000);
        cJSON_AddNumberToObject(o, "time", (double)wall);
        cJSON *t = cJSON_AddArrayToObject(o, "t");
        cJSON *temp = cJSON_AddArrayToObject(o, "temp_c");
        cJSON *sp = cJSON_AddArrayToObject(o, "setpoint_c");
        cJSON *relay = cJSON_AddArrayToObject(o, "relay");
        for (int i = 0; i < n; i++) {
                /* Wall time as the monotonic clock places it, so a clock
                 * step does not fold the chart. */
                double at = (double)wall - (double)(now - buf[i].mono_ms) / 1000;
                cJSON_AddItemToArray(t, cJSON_CreateNumber(round(at)));
                cJSON_AddItemToArray(temp, isnan(buf[i].temp_c) ?
                        cJSON_CreateNull() :
                        cJSON_CreateNumber(round(buf[i].temp_c * 100) / 100));
                cJSON_AddItemToArray(sp, isnan(buf[i].setpoint_c) ?
                        cJSON_CreateNull() : cJSON_CreateNumber(buf[i].setpoint_c));
                cJSON_AddItemToArray(relay, cJSON_CreateBool(buf[i].relay));
        }
        ok_json(ret, o);
}

/* GET /api/sessions[?zone=]: the last sessions, newest first. When a PIN
 * is set, only for a session: like the record, they tell when and why a
 * person used heat. */
static void get_sessions(struct http *h, const struct http_request *rq,
                         struct http_reply *ret)
{
        const struct core *core = h->port->core;
        const char *zname = rq->arg_zone;

        if (!http_auth_session_ok(&h->auth, rq->cookie, auth_now(h))) {
                http_api_error(ret, MHD_HTTP_UNAUTHORIZED, "pin_required",
                               "enter the PIN first (POST /api/login)");
                return;
        }
        if (zname) {
                int z = *zname ? core_find_zone(core, zname) : -1;
                if (z < 0) {
                        http_api_error(ret, MHD_HTTP_NOT_FOUND, "unknown_zone",
                                       "zone: no zone '%.40s'", zname);
                        return;
                }
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "zone", core->zones[z].cfg->id);
                cJSON_AddItemToObject(o, "sessions",
                                      status_sessions_json(core, z));
                ok_json(ret, o);
                return;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON *zones = cJSON_AddObjectToObject(o, "zones");
        for (int i = 0; i < core->nzones; i++)
                cJSON_AddItemToObject(zones, core->zones[i].cfg->id,
                                      status_sessions_json(core, i));
        ok_json(ret, o);
}

static void get_guidance(struct http *h, struct http_reply *ret)
{
        ok_json(ret, status_guidance_json(h->port->core, port_wall(h->port)));
}

static void post_injury(struct http *h, const char *body, size_t len,
                        struct http_reply *ret)
{
        const struct core *core = h->port->core;
        struct injury_report r;
        struct core_reply rep = { 0 };
        time_t wall = port_wall(h->port);
        char err[200];

        if (http_parse_injury_body(body, len, &r, err, sizeof(err)) < 0) {
                http_api_error(ret, MHD_HTTP_BAD_REQUEST, "bad_request", "%s",
                               err);
                return;
        }
        /* The acute event first: if it is refused (a time in the future),
         * nothing of the report is kept. */
        if (r.acute) {
                struct core_cmd cmd = {
                        .kind = CMD_RECORD_ACUTE, .src = SRC_HTTP,
                        .at = r.at_given ? r.at : wall - r.minutes_ago * 60,
                        .injury = r.injury, .swelling = r.swelling,
                };
                port_submit(h->port, &cmd, &rep);
                if (rep.status != CORE_OK) {
                        command_reply(h, &rep, ret);
                        return;
                }
        }
        if (r.signs) {
                struct core_reply srep;
                const struct guidance_record *was = &core->record;
                struct core_cmd cmd = {
                        .kind = CMD_WARNING_SIGNS, .src = SRC_HTTP,
                        .pain_worsening = r.has_pain ? r.pain_worsening :
                                          was->pain_worsening,
                        .nerve_signs = r.has_nerve ? r.nerve_signs :
                                       was->nerve_signs,
                        .urgent_signs = r.has_urgent ? r.urgent_signs :
                                        was->urgent_signs,
                };
                port_submit(h->port, &cmd, &srep);
                if (!r.acute)
                        rep = srep;
        }
        command_reply(h, &rep, ret);
        cJSON_AddItemToObject(ret->json, "guidance",
                              status_guidance_json(core, port_wall(h->port)));
}

static void delete_injury(struct http *h, struct http_reply *ret)
{
        struct core_cmd cmd = { .kind = CMD_CLEAR_RECORD, .src = SRC_HTTP };
        struct core_reply rep;

        port_submit(h->port, &cmd, &rep);
        command_reply(h, &rep, ret);
        cJSON_AddItemToObject(ret->json, "guidance",
                              status_guidance_json(h->port->core,
                                                   port_wall(h->port)));
}

static void put_schedule(struct http *h, const char *body, size_t len,
                         struct http_reply *ret)
{
        struct schedule s;
        struct core_reply rep;
        char err[256];

        if (len == 0 || schedule_parse_text(body, len, h->port->cfg, &s, err,
                                            sizeof(err)) < 0) {
                http_api_error(ret, MHD_HTTP_BAD_REQUEST, "bad_schedule", "%s",
                               len ? err : "the body must be a JSON list of "
                               "schedule entries");
                return;
        }
        struct core_cmd cmd = { .kind = CMD_SET_SCHEDULE, .src = SRC_HTTP,
                                .schedule = &s };
        port_submit(h->port, &cmd, &rep);
        command_reply(h, &rep, ret);
        cJSON_AddItemToObject(ret->json, "schedule",
                              schedule_to_json(&h->port->core->schedule));
}

static bool is(const char *method, const char *m)
{
        return strcmp(method, m) == 0;
}

static void not_allowed(struct http_reply *ret, const char *allow)
{
        ret->allow = allow;
        http_api_error(ret, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                       "use %s here", allow);
}

/* /api/zones/{zone}/{verb}: the zone and verb into their buffers. */
static bool split_zone_path(const char *url, char *zone, size_t zlen,
                            char *verb, size_t vlen)
{
        const char *p = url + strlen("/api/zones/");
        const char *slash = strchr(p, '/');
        if (!slash || slash == p || (size_t)(slash - p) >= zlen ||
            strlen(slash + 1) >= vlen || strchr(slash + 1, '/'))
                return false;
        snprintf(zone, zlen, "%.*s", (int)(slash - p), p);
        snprintf(verb, vlen, "%s", slash + 1);
        return true;
}

static void route_zone(struct http *h, const char *method, const char *url,
                       const char *body, size_t len, struct http_reply *ret)
{
        char zone[CONFIG_NAME_MAX + 1], verb[16];

        if (!split_zone_path(url, zone, sizeof(zone), verb, sizeof(verb)) ||
            (strcmp(verb, "start") && strcmp(verb, "stop") &&
             strcmp(verb, "clear-fault"))) {
                http_api_error(ret, MHD_HTTP_NOT_FOUND, "not_found",
                               "expected /api/zones/{zone}/start, stop or "
                               "clear-fault");
                return;
        }
        if (!is(method, MHD_HTTP_METHOD_POST)) {
                not_allowed(ret, "POST");
                return;
        }
        int z = core_find_zone(h->port->core, zone);
        if (z < 0) {
                http_api_error(ret, MHD_HTTP_BAD_REQUEST, "unknown_zone",
                               "no zone '%.40s'", zone);
                return;
        }
        zone_command(h, z, verb, body, len, ret);
}

static void route_auth(struct http *h, const struct http_request *rq,
                       struct http_reply *ret)
{
        if (!is(rq->method, MHD_HTTP_METHOD_POST))
                not_allowed(ret, "POST");
        else if (strcmp(rq->url, "/api/login") == 0)
                post_login(h, rq, ret);
        else
                post_logout(h, rq, ret);
}

static void route_injury(struct http *h, const char *method, const char *body,
                         size_t len, struct http_reply *ret)
{
        if (is(method, MHD_HTTP_METHOD_GET) || is(method, MHD_HTTP_METHOD_HEAD))
                get_guidance(h, ret);
        else if (is(method, MHD_HTTP_METHOD_POST))
                post_injury(h, body, len, ret);
        else if (is(method, MHD_HTTP_METHOD_DELETE))
                delete_injury(h, ret);
        else
                not_allowed(ret, "GET, POST, DELETE");
}

static void route_schedule(struct http *h, const char *method, const char *body,
                           size_t len, struct http_reply *ret)
{
        if (is(method, MHD_HTTP_METHOD_GET) || is(method, MHD_HTTP_METHOD_HEAD))
                ok_json(ret, schedule_to_json(&h->port->core->schedule));
        else if (is(method, MHD_HTTP_METHOD_PUT))
                put_schedule(h, body, len, ret);
        else
                not_allowed(ret, "GET, PUT");
}

/* POST /api/confirm-safe: the stored record could not be read, and a
 * person says there was no injury or swelling in the last 48 hours and the
 * pad is fine. */
static void route_confirm(struct http *h, const char *method, const char *body,
                          size_t len, struct http_reply *ret)
{
        struct core_cmd cmd = { .kind = CMD_CONFIRM_SAFE, .src = SRC_HTTP };
        struct core_reply rep;
        char err[200];

        if (!is(method, MHD_HTTP_METHOD_POST)) {
                not_allowed(ret, "POST");
                return;
        }
        if (http_parse_confirm_body(body, len, err, sizeof(err)) < 0) {
                http_api_error(ret, MHD_HTTP_BAD_REQUEST, "bad_request", "%s",
                               err);
                return;
        }
        port_submit(h->port, &cmd, &rep);
        command_reply(h, &rep, ret);
        cJSON_AddItemToObject(ret->json, "guidance",
                              status_guidance_json(h->port->core,
                                                   port_wall(h->port)));
}

static void dispatch(struct http *h, const struct http_request *rq,
                     struct http_reply *ret)
{
        const char *method = rq->method, *url = rq->url, *body = rq->body;
        size_t len = rq->len;
        bool change = !is(method, MHD_HTTP_METHOD_GET) &&
                      !is(method, MHD_HTTP_METHOD_HEAD);
        bool zones = strncmp(url, "/api/zones/", 11) == 0;
        static const char *const known[] = { "/api/status", "/api/login",
                "/api/logout", "/api/history", "/api/injury", "/api/guidance",
                "/api/schedule", "/api/stop", "/api/confirm-safe",
                "/api/sessions", NULL };
        bool found = zones;

        for (const char *const *k = known; *k && !found; k++)
                found = strcmp(url, *k) == 0;
        if (!found) {
                http_api_error(ret, MHD_HTTP_NOT_FOUND, "not_found",
                               "no such API path: %.60s", url);
                return;
        }
        if (change) {
                if (!http_auth_same_origin(rq->origin, rq->fetch_site,
                                           rq->host)) {
                        http_api_error(ret, MHD_HTTP_FORBIDDEN, "cross_origin",
                                       "changes are taken only from this "
                                       "device's own page");
                        return;
                }
                if (http_auth_needs_session(method, url) &&
                    !http_auth_session_ok(&h->auth, rq->cookie,
                                          auth_now(h))) {
                        http_api_error(ret, MHD_HTTP_UNAUTHORIZED, "pin_required",
                                       "enter the PIN first (POST /api/login)");
                        return;
                }
        }

        if (zones)
                route_zone(h, method, url, body, len, ret);
        else if (strcmp(url, "/api/login") == 0 || strcmp(url, "/api/logout") == 0)
                route_auth(h, rq, ret);
        else if (strcmp(url, "/api/injury") == 0)
                route_injury(h, method, body, len, ret);
        else if (strcmp(url, "/api/schedule") == 0)
                route_schedule(h, method, body, len, ret);
        else if (strcmp(url, "/api/stop") == 0 && is(method, MHD_HTTP_METHOD_POST))
                post_stop_all(h, ret);
        else if (strcmp(url, "/api/stop") == 0)
                not_allowed(ret, "POST");
        else if (strcmp(url, "/api/confirm-safe") == 0)
                route_confirm(h, method, body, len, ret);
        else if (change)                /* the read-only paths */
                not_allowed(ret, "GET");
        else if (strcmp(url, "/api/status") == 0)
                get_status(h, rq, ret);
        else if (strcmp(url, "/api/guidance") == 0)
                get_guidance(h, ret);
        else if (strcmp(url, "/api/sessions") == 0)
                get_sessions(h, rq, ret);
        else
                get_history(h, rq, ret);
}

/* The one gate for the person's record: whatever the path, a reply that
 * carries the guidance (itself, as "guidance", or inside "status") shows
 * it whole only to a session, or when no PIN is set. A stop needs no
 * session, so its reply is gated too. */
void http_api_handle(struct http *h, const struct http_request *rq,
                     struct http_reply *ret)
{
        const char *method = rq->method, *url = rq->url;

        dispatch(h, rq, ret);
        if (!ret->json)
                return;
        bool full = http_auth_session_ok(&h->auth, rq->cookie, auth_now(h));
        bool read = is(method, MHD_HTTP_METHOD_GET) ||
                    is(method, MHD_HTTP_METHOD_HEAD);
        if (read && (strcmp(url, "/api/guidance") == 0 ||
                     strcmp(url, "/api/injury") == 0)) {
                status_guidance_gate(ret->json, full);
                return;
        }
        status_guidance_gate(cJSON_GetObjectItem(ret->json, "guidance"), full);
        status_guidance_gate(cJSON_GetObjectItem(
                cJSON_GetObjectItem(ret->json, "status"), "guidance"), full);
        status_last_gate(ret->json, full);
        status_last_gate(cJSON_GetObjectItem(ret->json, "status"), full);
        status_session_gate(ret->json, full);
        status_session_gate(cJSON_GetObjectItem(ret->json, "status"), full);
}
