/* Unit tests for session_log.c and where it shows: the ring keeps the
 * newest 30, newest first; the peak, the relay's on-time and the energy
 * (none without power_w); the end reasons as the core gives them (time up,
 * stopped, fault, the cold rule, shutdown); the state file's round trip,
 * with a damaged or doubled entry dropped alone and the record and faults
 * untouched; and next_schedule and the gate in the status JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "core/session_log.h"
#include "daemon/state.h"
#include "net/status_json.h"
#include "test.h"

static struct config cfg;
static struct core core;
static uint64_t T;
static time_t W;
static int on_count[2];         /* seconds each relay was on, as ticked */

static time_t local(int y, int mo, int d, int h, int mi)
{
        struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                         .tm_hour = h, .tm_min = mi, .tm_isdst = -1 };
        return mktime(&tm);
}

static int setup(void **state)
{
        struct config_errors errs;
        (void)state;
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        int rc = config_parse("{\"zones\":[{\"name\":\"upper back\",\"sensor\":"
                              "{\"type\":\"sim\"},\"relay\":{\"type\":\"sim\"},"
                              "\"power_w\":60},"
                              "{\"name\":\"lower back\",\"sensor\":{\"type\":"
                              "\"sim\"},\"relay\":{\"type\":\"sim\"}}]}",
                              &cfg, &errs);
        assert_int_equal(rc, 0);
        /* Constant readings by construction: not a stuck sensor here. */
        for (int i = 0; i < cfg.nzones; i++)
                cfg.zones[i].safety.frozen_ms = UINT64_MAX / 2;
        cfg.zones[1].power_w = 0;       /* a pad of unknown power */
        T = 1000;
        W = local(2026, 11, 24, 20, 0);         /* a Tuesday */
        on_count[0] = on_count[1] = 0;
        core_init(&core, &cfg, NULL, NULL, T, W);
        core_set_localtime(&core, test_localtime, NULL);
        core_set_wall_trusted(&core, true, T, W);
        return 0;
}

static void drain(void)
{
        struct core_event e;
        while (core_next_event(&core, &e))
                ;
}

/* n seconds, zone 0 reading t0 and zone 1 t1. */
static void run2(int n, double t0, double t1)
{
        for (int i = 0; i < n; i++) {
                T += 1000;
                W += 1;
                core_post_reading(&core, 0, 0, t0);
                core_post_reading(&core, 1, 0, t1);
                for (int z = 0; z < 2; z++)
                        on_count[z] += core.zones[z].relay_on;
                core_tick(&core, T, W);
                drain();
        }
}

static void ring_keeps_the_newest_30_newest_first(void **state)
{
        struct session_log l = { 0 };
        (void)state;
        assert_null(session_log_get(&l, 0));
        for (int i = 0; i < 35; i++) {
                session_log_begin(&l, 1000 + i * 100, (uint64_t)i * 100000,
                                  "http", 0, false, 0);
                session_log_on(&l, 30000);
                assert_true(session_log_end(&l, (uint64_t)i * 100000 + 60000,
                                            "stopped", 1 + i % 5, 40));
        }
        assert_int_equal(session_log_count(&l), SESSION_LOG_MAX);
        for (int i = 0; i < SESSION_LOG_MAX; i++) {
                const struct session_rec *r = session_log_get(&l, i);
                assert_non_null(r);
                /* newest (the 35th) first, the 6th last */
                assert_int_equal(r->started_at, 1000 + (34 - i) * 100);
                assert_int_equal(r->ended_at, r->started_at + 60);
                assert_int_equal(r->minutes, 1 + (34 - i) % 5);
                assert_int_equal(r->on_s, 30);
                assert_true(session_rec_valid(r));
        }
        assert_null(session_log_get(&l, SESSION_LOG_MAX));
        assert_null(session_log_get(&l, -1));
}

static void peak_on_time_and_energy(void **state)
{
        struct session_log l = { 0 };
        (void)state;
        /* Nothing is open: nothing is counted, nothing ends. */
        session_log_saw(&l, 90);
        session_log_on(&l, 1000);
        assert_false(session_log_end(&l, 5000, "stopped", 1, 40));
        assert_int_equal(session_log_count(&l), 0);

        session_log_begin(&l, 5000, 10000, "mqtt", 100, true, 31.5);
        session_log_saw(&l, 38);
        session_log_saw(&l, 41.25);
        session_log_saw(&l, NAN);
        session_log_saw(&l, 40.1);
        for (int i = 0; i < 3; i++)
                session_log_on(&l, 6000);
        assert_true(session_log_end(&l, 10000 + 90000, "time_up", 2, 40.5));
        const struct session_rec *r = session_log_get(&l, 0);
        assert_near(r->peak_c, 41.25, 1e-9);
        assert_int_equal(r->on_s, 18);
        assert_near(r->energy_wh, 100.0 * 18 / 3600, 1e-9);    /* 0.5 Wh */
        assert_string_equal(r->end, "time_up");
        assert_string_equal(r->source, "mqtt");
        assert_int_equal(r->ended_at, 5090);
        assert_near(r->setpoint_c, 40.5, 1e-9);

        /* No power, no reading: both unknown, not zero. */
        session_log_begin(&l, 6000, 200000, "cli", 0, false, 0);
        session_log_on(&l, 5000);
        assert_true(session_log_end(&l, 260000, "stopped", 1, 38));
        r = session_log_get(&l, 0);
        assert_true(isnan(r->energy_wh));
        assert_true(isnan(r->peak_c));
        assert_int_equal(r->on_s, 5);
        assert_true(session_rec_valid(r));
}

static void invalid_records_are_told(void **state)
{
        struct session_rec good = { .started_at = 1000, .ended_at = 1600,
                .minutes = 10, .setpoint_c = 40, .peak_c = 40.2, .end =
                "time_up", .source = "http", .on_s = 300, .energy_wh = 3 };
        struct session_rec r;
        (void)state;
        assert_true(session_rec_valid(&good));
        r = good; r.ended_at = 999;
        assert_false(session_rec_valid(&r));            /* ends before */
        r = good; r.ended_at = 1000 + 3 * 3600;
        assert_false(session_rec_valid(&r));            /* past the cap */
        r = good; r.on_s = 601;
        assert_false(session_rec_valid(&r));            /* on longer */
        r = good; r.minutes = 0;
        assert_false(session_rec_valid(&r));
        r = good; r.setpoint_c = NAN;
        assert_false(session_rec_valid(&r));
        r = good; r.energy_wh = -1;
        assert_false(session_rec_valid(&r));
        r = good; snprintf(r.end, sizeof(r.end), "Time up");
        assert_false(session_rec_valid(&r));            /* not a word */
        r = good; r.source[0] = '\0';
        assert_false(session_rec_valid(&r));
}

/* The end reasons, the plan and the source as the core gives them. */
static void core_logs_how_sessions_end(void **state)
{
        struct core_reply rep;
        (void)state;
        run2(2, 30, 30);
        time_t began = W;
        core_start(&core, 0, 1, 40, SRC_CLI, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        core.state_dirty = false;
        on_count[0] = 0;
        run2(30, 30, 30);
        run2(31, 36.5, 30);
        assert_false(core.zones[0].session.active);
        assert_true(core.state_dirty);          /* the log goes to the file */
        const struct session_rec *r = session_log_get(&core.zones[0].log, 0);
        assert_non_null(r);
        assert_string_equal(r->end, "time_up");
        assert_string_equal(r->source, "cli");
        assert_int_equal(r->started_at, began);
        assert_int_equal(r->ended_at, began + 60);
        assert_int_equal(r->minutes, 1);
        assert_near(r->peak_c, 36.5, 1e-9);
        /* The relay's own seconds on, and 60 W over them. */
        assert_true(on_count[0] > 10);
        assert_int_equal(r->on_s, on_count[0]);
        assert_near(r->energy_wh, 60.0 * on_count[0] / 3600, 1e-9);

        /* A change keeps one session, with the last plan; a stop ends it. */
        core_start(&core, 1, 5, 39, SRC_HTTP, T, W, &rep);
        on_count[1] = 0;
        run2(10, 30, 33);
        core_start(&core, 1, 8, 39, SRC_MQTT, T, W, &rep);
        core_set_target(&core, 1, 41, SRC_MQTT, T, &rep);
        run2(10, 30, 34);
        core_stop(&core, 1, SRC_HTTP, T, &rep);
        assert_int_equal(session_log_count(&core.zones[1].log), 1);
        r = session_log_get(&core.zones[1].log, 0);
        assert_string_equal(r->end, "stopped");
        assert_string_equal(r->source, "http");         /* who started it */
        assert_int_equal(r->minutes, 8 + 0);            /* 10 s + 8 min */
        assert_near(r->setpoint_c, 41, 1e-9);
        assert_near(r->peak_c, 34, 1e-9);
        assert_true(isnan(r->energy_wh));               /* no power_w */
        assert_int_equal(r->on_s, on_count[1]);
        assert_int_equal(r->ended_at - r->started_at, 20);

        /* A fault, the cold rule and a shutdown end them too. */
        core_start(&core, 1, 5, 39, SRC_SCHEDULE, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        run2(2, 30, 30);
        run2(1, 30, 47);                /* above the cutoff: a fault */
        r = session_log_get(&core.zones[1].log, 0);
        assert_string_equal(r->end, "fault");
        assert_string_equal(r->source, "schedule");
        assert_near(r->peak_c, 47, 1e-9);       /* the reading that ended it */
        core_start(&core, 0, 20, 40, SRC_HTTP, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        run2(2, 30, 30);
        core_record_acute(&core, W - 600, true, false, SRC_HTTP, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        assert_string_equal(session_log_get(&core.zones[0].log, 0)->end,
                            "cold_rule");
        assert_int_equal(session_log_count(&core.zones[0].log), 2);
        /* Idle zones add nothing at shutdown. */
        core_shutdown(&core, T);
        assert_int_equal(session_log_count(&core.zones[0].log), 2);
        assert_int_equal(session_log_count(&core.zones[1].log), 2);
}

static void shutdown_ends_the_running_one(void **state)
{
        struct core_reply rep;
        (void)state;
        run2(2, 30, 30);
        core_start(&core, 0, 10, 40, SRC_BUTTON, T, W, &rep);
        run2(5, 30, 30);
        core_shutdown(&core, T);
        const struct session_rec *r = session_log_get(&core.zones[0].log, 0);
        assert_non_null(r);
        assert_string_equal(r->end, "shutdown");
        assert_string_equal(r->source, "button");
        assert_int_equal(r->minutes, 10);
}

static struct state_data *sample_state(void)
{
        struct state_data *st = calloc(1, sizeof(*st));
        struct state_log lg = { .zone_id = "upper_back", .n = 3 };

        st->hold_left_s = -1;
        st->nfaults = 1;
        snprintf(st->faults[0].zone_id, CONFIG_NAME_MAX, "lower_back");
        st->faults[0].fault = FAULT_OVER_TEMP;
        for (int i = 0; i < 3; i++)
                lg.r[i] = (struct session_rec){
                        .started_at = 1790000000 - i * 3600,
                        .ended_at = 1790000000 - i * 3600 + 1200,
                        .minutes = 20, .setpoint_c = 40 + i,
                        .peak_c = i == 1 ? NAN : 40.37, .end = "time_up",
                        .source = "http", .on_s = 700,
                        .energy_wh = i == 2 ? NAN : 7.7778 };
        assert_int_equal(state_put_log(st, &lg), 0);
        return st;
}

static void state_round_trip(void **state)
{
        struct state_data *st = sample_state(), *back = malloc(sizeof(*back));
        char err[512];
        (void)state;
        char *json = state_to_json(st);
        assert_non_null(json);
        assert_int_equal(state_from_json(json, back, err, sizeof(err)), 0);
        assert_string_equal(err, "");
        assert_int_equal(back->version, STATE_VERSION);
        const struct state_log *lg = state_find_log(back, "upper_back");
        assert_non_null(lg);
        assert_int_equal(lg->n, 3);
        for (int i = 0; i < 3; i++) {
                const struct session_rec *a = &st->logs[0].r[i], *b = &lg->r[i];
                assert_int_equal(a->started_at, b->started_at);
                assert_int_equal(a->ended_at, b->ended_at);
                assert_int_equal(a->minutes, b->minutes);
                assert_near(a->setpoint_c, b->setpoint_c, 1e-9);
                assert_true(isnan(a->peak_c) == isnan(b->peak_c));
                assert_true(isnan(a->peak_c) || fabs(a->peak_c - b->peak_c) < 1e-9);
                assert_true(isnan(a->energy_wh) == isnan(b->energy_wh));
                assert_string_equal(a->end, b->end);
                assert_string_equal(a->source, b->source);
                assert_int_equal(a->on_s, b->on_s);
        }
        assert_false(back->record.unreadable);
        free(json);
        free(st);
        free(back);
}

/* Edits the first occurrence of from in a state file's text. */
static char *edit(const char *json, const char *from, const char *to)
{
        const char *at = strstr(json, from);
        assert_non_null(at);
        char *out = malloc(strlen(json) + strlen(to) + 1);
        sprintf(out, "%.*s%s%s", (int)(at - json), json, to, at + strlen(from));
        return out;
}

static void damaged_entries_are_dropped_alone(void **state)
{
        struct state_data *st = sample_state(), *back = malloc(sizeof(*back));
        char err[1024];
        (void)state;
        char *json = state_to_json(st);
        /* The middle entry's end time before its start; the first given a
         * key twice (which one was meant cannot be known). */
        char *bad = edit(json, "\"ended_at\":\t1789997600",
                         "\"ended_at\":\t1");
        char *worse = edit(bad, "\"minutes\":\t20",
                           "\"minutes\":\t20, \"minutes\": 21");
        assert_int_equal(state_from_json(worse, back, err, sizeof(err)),
                         -22);
        assert_non_null(strstr(err, "sessions.upper_back[1] is not a valid "
                               "session: dropped"));
        assert_non_null(strstr(err, "sessions.upper_back[0] is not a valid "
                               "session: dropped"));
        const struct state_log *lg = state_find_log(back, "upper_back");
        assert_non_null(lg);
        assert_int_equal(lg->n, 1);
        assert_int_equal(lg->r[0].started_at, 1790000000 - 2 * 3600);
        /* The safety-relevant parts read as they were. */
        assert_false(back->record.unreadable);
        assert_int_equal(back->nfaults, 1);
        assert_int_equal(back->faults[0].fault, FAULT_OVER_TEMP);
        free(bad);
        free(worse);

        /* A zone's list named twice keeps neither; the log twice at the
         * top is set aside whole; neither touches the record. */
        bad = edit(json, "\"sessions\":\t{", "\"sessions\":\t{\"upper_back\":"
                   "[], ");
        assert_int_equal(state_from_json(bad, back, err, sizeof(err)), -22);
        assert_null(state_find_log(back, "upper_back"));
        assert_false(back->record.unreadable);
        assert_int_equal(back->nfaults, 1);
        free(bad);
        bad = edit(json, "\"sessions\":\t{", "\"sessions\": {}, \"sessions\":"
                   "\t{");
        assert_int_equal(state_from_json(bad, back, err, sizeof(err)), -22);
        assert_non_null(strstr(err, "sessions: duplicate key"));
        assert_int_equal(back->nlogs, 0);
        assert_false(back->record.unreadable);
        assert_int_equal(back->nfaults, 1);
        free(bad);
        bad = edit(json, "\"sessions\":\t{", "\"sessions\":\t[], \"x\": {");
        assert_int_equal(state_from_json(bad, back, err, sizeof(err)), -22);
        assert_false(back->record.unreadable);
        free(bad);
        free(json);
        free(st);
        free(back);
}

static void old_files_load_without_a_log(void **state)
{
        struct state_data *back = malloc(sizeof(*back));
        char err[256];
        (void)state;
        assert_int_equal(state_from_json("{\"version\":4,\"record\":{\"acute\":"
                                         "false},\"faults\":{}}", back, err,
                                         sizeof(err)), 0);
        assert_int_equal(back->nlogs, 0);
        assert_false(back->record.unreadable);
        free(back);
}

static void status_shows_last_session_and_next_schedule(void **state)
{
        struct core_reply rep;
        struct schedule s;
        char err[200];
        (void)state;
        cJSON *z = status_zone_json(&core, 0, T, W);
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(z, "last_session")));
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(z, "next_schedule")));
        cJSON_Delete(z);

        /* Tuesday 20:00 now: Tuesday 19:00 is next week's, Wednesday
         * 07:30 the nearer; a disabled entry and another zone's never. */
        const char *list = "[{\"zone\":\"upper_back\",\"days\":[\"tue\"],"
                "\"start\":\"19:00\",\"minutes\":15,\"setpoint_c\":39},"
                "{\"zone\":\"upper_back\",\"days\":[\"wed\"],\"start\":"
                "\"07:30\",\"minutes\":20,\"setpoint_c\":40},"
                "{\"zone\":\"upper_back\",\"days\":\"daily\",\"start\":"
                "\"20:30\",\"minutes\":20,\"setpoint_c\":40,\"enabled\":false},"
                "{\"zone\":\"lower_back\",\"days\":\"daily\",\"start\":"
                "\"20:10\",\"minutes\":10,\"setpoint_c\":37}]";
        assert_int_equal(schedule_parse_text(list, strlen(list), &cfg, &s, err,
                                             sizeof(err)), 0);
        core_set_schedule(&core, &s, SRC_HTTP, &rep);
        z = status_zone_json(&core, 0, T, W);
        cJSON *n = cJSON_GetObjectItem(z, "next_schedule");
        assert_true(cJSON_IsObject(n));
        assert_int_equal((time_t)cJSON_GetObjectItem(n, "at")->valuedouble,
                         local(2026, 11, 25, 7, 30));
        assert_int_equal(cJSON_GetObjectItem(n, "minutes")->valueint, 20);
        assert_near(cJSON_GetObjectItem(n, "setpoint_c")->valuedouble, 40, 0);
        cJSON_Delete(z);
        z = status_zone_json(&core, 1, T, W);
        n = cJSON_GetObjectItem(z, "next_schedule");
        assert_int_equal((time_t)cJSON_GetObjectItem(n, "at")->valuedouble,
                         local(2026, 11, 24, 20, 10));
        cJSON_Delete(z);
        /* Only Tuesday 19:00 left: a week on. */
        s.n = 1;
        core_set_schedule(&core, &s, SRC_HTTP, &rep);
        z = status_zone_json(&core, 0, T, W);
        n = cJSON_GetObjectItem(z, "next_schedule");
        assert_int_equal((time_t)cJSON_GetObjectItem(n, "at")->valuedouble,
                         local(2026, 12, 1, 19, 0));
        cJSON_Delete(z);

        /* DST in Berlin: 02:30 does not happen on 29 March 2026, so the
         * daily entry's next start is the day after; 03:30 is that
         * morning. On 25 October 02:30 happens twice; it fires at the
         * first (schedule.c), 00:30 UTC. */
        const char *dst = "[{\"zone\":\"upper_back\",\"days\":\"daily\","
                "\"start\":\"02:30\",\"minutes\":10,\"setpoint_c\":38},"
                "{\"zone\":\"lower_back\",\"days\":\"daily\",\"start\":"
                "\"03:30\",\"minutes\":10,\"setpoint_c\":37}]";
        assert_int_equal(schedule_parse_text(dst, strlen(dst), &cfg, &s, err,
                                             sizeof(err)), 0);
        core_set_schedule(&core, &s, SRC_HTTP, &rep);
        time_t sat = local(2026, 3, 28, 20, 0);
        z = status_zone_json(&core, 0, T, sat);
        n = cJSON_GetObjectItem(z, "next_schedule");
        assert_int_equal((time_t)cJSON_GetObjectItem(n, "at")->valuedouble,
                         local(2026, 3, 30, 2, 30));
        cJSON_Delete(z);
        z = status_zone_json(&core, 1, T, sat);
        n = cJSON_GetObjectItem(z, "next_schedule");
        assert_int_equal((time_t)cJSON_GetObjectItem(n, "at")->valuedouble,
                         1774747800);           /* 01:30 UTC */
        cJSON_Delete(z);
        z = status_zone_json(&core, 0, T, local(2026, 10, 24, 20, 0));
        n = cJSON_GetObjectItem(z, "next_schedule");
        assert_int_equal((time_t)cJSON_GetObjectItem(n, "at")->valuedouble,
                         1792888200);           /* 00:30 UTC */
        cJSON_Delete(z);

        /* The newest session shows; an end that names the record is
         * hidden from a reader without the PIN. */
        run2(2, 30, 30);
        core_start(&core, 0, 20, 40, SRC_HTTP, T, W, &rep);
        run2(3, 30, 30);
        core_record_acute(&core, W - 600, true, false, SRC_HTTP, T, W, &rep);
        cJSON *all = status_json(&core, T, W);
        cJSON *last = cJSON_GetObjectItem(cJSON_GetArrayItem(
                cJSON_GetObjectItem(all, "zones"), 0), "last_session");
        assert_string_equal(cJSON_GetObjectItem(last, "end")->valuestring,
                            "cold_rule");
        assert_int_equal(cJSON_GetObjectItem(last, "minutes")->valueint, 20);
        status_session_gate(all, true);
        assert_false(cJSON_IsTrue(cJSON_GetObjectItem(last, "private")));
        assert_true(cJSON_IsString(cJSON_GetObjectItem(last, "end")));
        status_session_gate(all, false);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(last, "private")));
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(last, "end")));
        assert_non_null(cJSON_GetObjectItem(last, "started_at"));
        cJSON_Delete(all);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(ring_keeps_the_newest_30_newest_first),
                cmocka_unit_test(peak_on_time_and_energy),
                cmocka_unit_test(invalid_records_are_told),
                cmocka_unit_test_setup(core_logs_how_sessions_end, setup),
                cmocka_unit_test_setup(shutdown_ends_the_running_one, setup),
                cmocka_unit_test(state_round_trip),
                cmocka_unit_test(damaged_entries_are_dropped_alone),
                cmocka_unit_test(old_files_load_without_a_log),
                cmocka_unit_test_setup(status_shows_last_session_and_next_schedule,
                                       setup),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
