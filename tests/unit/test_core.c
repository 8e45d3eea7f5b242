/* Unit tests for core.c: the one start command and its refusals, faults
 * ending sessions within a tick, the cold rule (held on the monotonic
 * clock across wall-clock steps and restarts), both tiers of warning signs,
 * an unreadable record, and that a refusal changes nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "net/ha_state.h"
#include "net/status_json.h"
#include "test.h"

static struct config cfg;
static struct core core;
static int events[16];
static uint64_t T;
static time_t W;

static void on_event(void *ctx, const struct core *c, const struct core_event *ev)
{
        (void)ctx;
        (void)c;
        events[ev->type]++;
}

/* The events the core queued since the last look, counted by type. */
static int *ev(void)
{
        struct core_event e;

        while (core_next_event(&core, &e))
                on_event(NULL, &core, &e);
        return events;
}

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
                              "{\"type\":\"sim\"},\"relay\":{\"type\":\"sim\"}},"
                              "{\"name\":\"lower back\",\"sensor\":{\"type\":"
                              "\"sim\"},\"relay\":{\"type\":\"sim\"}}]}",
                              &cfg, &errs);
        assert_int_equal(rc, 0);
        /* The readings here are constant by construction, which the
         * frozen-reading check would rightly call a stuck sensor; it has
         * its own tests (test_safety, and frozen_reading_ends_the_session
         * below, which turns it back on). */
        for (int i = 0; i < cfg.nzones; i++)
                cfg.zones[i].safety.frozen_ms = UINT64_MAX / 2;
        memset(events, 0, sizeof(events));
        T = 1000;
        W = local(2026, 11, 24, 20, 0);
        core_init(&core, &cfg, NULL, NULL, T, W);
        core_set_localtime(&core, test_localtime, NULL);
        core_set_wall_trusted(&core, true, T, W);
        return 0;
}

/* Ticks n seconds with zone 0 reading t0 and zone 1 reading t1. */
static void run2(int n, double t0, double t1)
{
        for (int i = 0; i < n; i++) {
                T += 1000;
                W += 1;
                core_post_reading(&core, 0, 0, t0);
                core_post_reading(&core, 1, 0, t1);
                core_tick(&core, T, W);
                ev();
        }
}

static void run(int n, double temp)
{
        run2(n, temp, temp);
}

static void start_heats_and_times_out(void **state)
{
        struct core_reply rep;
        (void)state;
        run(2, 30);
        core_start(&core, 0, 1, 40, SRC_CLI, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        assert_string_equal(rep.message, "upper back: heating to 40.0 C for 1 min");
        run(1, 30);
        assert_true(core.zones[0].relay_on);
        assert_false(core.zones[1].relay_on);
        run(58, 30);
        assert_true(core.zones[0].session.active);
        run(1, 30);
        assert_false(core.zones[0].session.active);
        assert_false(core.zones[0].relay_on);
        assert_int_equal(ev()[EV_SESSION_END], 1);
}

static void defaults_when_not_given(void **state)
{
        struct core_reply rep;
        (void)state;
        run(2, 30);
        core_start(&core, 1, 0, NAN, SRC_HTTP, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        assert_true(core.zones[1].session.setpoint_c == 38);
        assert_int_equal(session_remaining_ms(&core.zones[1].session, T),
                         20 * 60000);
}

static void out_of_range_changes_nothing(void **state)
{
        struct core_reply rep;
        (void)state;
        run(2, 30);
        core_start(&core, 0, 20, 43, SRC_MQTT, T, W, &rep);
        assert_int_equal(rep.status, CORE_INVALID);
        assert_string_equal(rep.code, "out_of_range");
        assert_string_equal(rep.message, "setpoint must be between 30 and 42 C");
        core_start(&core, 0, 91, 40, SRC_MQTT, T, W, &rep);
        assert_string_equal(rep.message, "minutes must be between 1 and 90");
        core_start(&core, 7, 20, 40, SRC_MQTT, T, W, &rep);
        assert_int_equal(rep.status, CORE_NOT_FOUND);
        assert_false(core.zones[0].session.active);
        assert_int_equal(ev()[EV_SESSION_START], 0);
}

static void quiet_hours_refuse_and_end(void **state)
{
        struct core_reply rep;
        (void)state;
        W = local(2026, 11, 24, 22, 50);
        run(2, 30);
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        /* 22:50:02 + 9:58 -> 23:00:00 ends it, though 20 min were left. */
        run(597, 38);
        assert_true(core.zones[0].session.active);
        run(1, 38);
        assert_false(core.zones[0].session.active);
        assert_false(core.zones[0].relay_on);
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        assert_int_equal(rep.status, CORE_REFUSED);
        assert_string_equal(rep.code, "quiet_hours");
        assert_string_equal(rep.message, "it is quiet hours (23:00-07:00): heat "
                            "can start again at Wed 25 Nov 07:00");
}

static void cold_rule_refuses_with_the_exact_time(void **state)
{
        struct core_reply rep;
        (void)state;
        run(2, 30);
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        run(5, 30);
        assert_true(core.zones[0].relay_on);
        core_record_acute(&core, local(2026, 11, 24, 18, 15), false, true,
                          SRC_HTTP, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        /* Recording ends the running session at once. */
        assert_false(core.zones[0].session.active);
        assert_false(core.zones[0].relay_on);
        assert_true(core.state_dirty);
        assert_int_equal(core_guidance(&core, W).kind, GUIDANCE_COLD);
        core_start(&core, 1, 20, 38, SRC_SCHEDULE, T, W, &rep);
        assert_int_equal(rep.status, CORE_REFUSED);
        assert_string_equal(rep.code, "cold_rule");
        assert_string_equal(rep.message, "heat is blocked until Thu 26 Nov 18:15 "
                            "by the 48-hour cold rule: after a sudden injury "
                            "or swelling, use cold, not heat");
        /* Clearing the record deliberately allows heat again. */
        core_clear_record(&core, SRC_HTTP, W, &rep);
        core_start(&core, 1, 20, 38, SRC_SCHEDULE, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
}

static void acute_record_validated(void **state)
{
        struct core_reply rep;
        (void)state;
        core_record_acute(&core, W + 3600, true, false, SRC_HTTP, T, W, &rep);
        assert_int_equal(rep.status, CORE_INVALID);
        core_record_acute(&core, W, false, false, SRC_HTTP, T, W, &rep);
        assert_int_equal(rep.status, CORE_INVALID);
        assert_false(core.record.acute);
        assert_false(core.state_dirty);
}

static void fault_ends_session_within_one_tick(void **state)
{
        struct core_reply rep;
        (void)state;
        run(2, 30);
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        run(3, 30);
        assert_true(core.zones[0].relay_on);
        run2(1, 46, 30);        /* zone 0 over the cutoff */
        assert_false(core.zones[0].relay_on);
        assert_false(core.zones[0].session.active);
        assert_int_equal(core.zones[0].safety.fault, FAULT_OVER_TEMP);
        /* Latched: start refused while it is there. */
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        assert_string_equal(rep.code, "fault_latched");
        core_clear_fault(&core, 0, SRC_CLI, T, &rep);
        assert_string_equal(rep.code, "fault_persists");
        run(1, 35);
        core_clear_fault(&core, 0, SRC_CLI, T, &rep);
        assert_int_equal(rep.status, CORE_OK);
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        /* The other zone never noticed. */
        assert_int_equal(core.zones[1].safety.fault, FAULT_NONE);
}

static void relay_failure_latches(void **state)
{
        struct core_reply rep;
        (void)state;
        run(2, 30);
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        run(2, 30);
        core_relay_failed(&core, 0, T);
        assert_false(core.zones[0].relay_on);
        assert_int_equal(core.zones[0].safety.fault, FAULT_RELAY_ERROR);
        /* Not cleared while the relay does not answer; once it does, yes. */
        core_clear_fault(&core, 0, SRC_CLI, T, &rep);
        assert_string_equal(rep.code, "fault_persists");
        core_relay_ok(&core, 0);
        core_clear_fault(&core, 0, SRC_CLI, T, &rep);
        assert_int_equal(rep.status, CORE_OK);
}

/* A zone with a second sensor: its readings reach the supervisor, which
 * ends the session when the two disagree, and only that zone. */
/* A sensor stuck a little below the setpoint: PID would heat flat out and
 * no other check is armed (runaway only looks more than 2 C below). */
static void frozen_reading_ends_the_session(void **state)
{
        struct core_reply rep;
        (void)state;
        core.zones[0].safety.p.frozen_ms = 60000;
        run(2, 30);
        core_start(&core, 0, 60, 40, SRC_CLI, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        run(300, 39);
        assert_int_equal(core.zones[0].safety.fault, FAULT_SENSOR_FROZEN);
        assert_false(core.zones[0].session.active);
        assert_false(core.zones[0].relay_on);
        /* The same reading cannot clear it; a moving one can. */
        core_clear_fault(&core, 0, SRC_CLI, T, &rep);
        assert_int_equal(rep.status, CORE_REFUSED);
        run(1, 38.9375);
        core_clear_fault(&core, 0, SRC_CLI, T, &rep);
        assert_int_equal(rep.status, CORE_OK);
}

static void second_sensor_disagreeing_ends_the_session(void **state)
{
        struct core_reply rep;
        (void)state;
        cfg.zones[0].safety.two_sensors = true;
        cfg.zones[0].safety.disagree_c = 3;
        core_init(&core, &cfg, NULL, NULL, T, W);
        core_set_localtime(&core, test_localtime, NULL);
        for (int i = 0; i < 3; i++) {
                core_post_reading2(&core, 0, 0, 31);
                run(1, 30);
        }
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        core_post_reading2(&core, 0, 0, 31);
        run(1, 30);
        assert_true(core.zones[0].relay_on);
        core_post_reading2(&core, 0, 0, 33.5);
        run(1, 30);
        assert_false(core.zones[0].relay_on);
        assert_false(core.zones[0].session.active);
        assert_int_equal(core.zones[0].safety.fault, FAULT_SENSOR_DISAGREE);
        assert_int_equal(core.zones[1].safety.fault, FAULT_NONE);
        /* Its silence alone is a timeout, even with the first one fine. */
        core_post_reading2(&core, 0, 0, 30);
        run(1, 30);
        core_clear_fault(&core, 0, SRC_CLI, T, &rep);
        assert_int_equal(rep.status, CORE_OK);
        run(5, 30);
        assert_int_equal(core.zones[0].safety.fault, FAULT_SENSOR_TIMEOUT);
}

static void no_heat_before_first_reading(void **state)
{
        struct core_reply rep;
        (void)state;
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        T += 1000;
        core_tick(&core, T, W);
        assert_false(core.zones[0].relay_on);
}

static void shutdown_turns_all_off(void **state)
{
        struct core_reply rep;
        (void)state;
        run(2, 30);
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        core_start(&core, 1, 30, 40, SRC_CLI, T, W, &rep);
        run(2, 30);
        assert_true(core.zones[0].relay_on && core.zones[1].relay_on);
        core_shutdown(&core, T);
        assert_false(core.zones[0].relay_on || core.zones[1].relay_on);
        assert_false(core.zones[0].session.active || core.zones[1].session.active);
}

static void warning_signs_change_guidance(void **state)
{
        struct core_reply rep;
        (void)state;
        core_set_warning_signs(&core, false, true, false, SRC_HTTP, W, &rep);
        assert_int_equal(core.guidance_kind, GUIDANCE_CONSULT);
        assert_int_equal(ev()[EV_GUIDANCE], 1);
        core_set_warning_signs(&core, false, false, false, SRC_HTTP, W, &rep);
        assert_int_equal(core.guidance_kind, GUIDANCE_HEAT);
}

/* Both tiers block heat until cleared, each with its own code, and end a
 * running session; urgent ranks above the other. */
static void warning_signs_block_heat(void **state)
{
        struct core_reply rep;
        (void)state;
        run(2, 30);
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        run(2, 30);
        assert_true(core.zones[0].relay_on);
        core_set_warning_signs(&core, true, false, false, SRC_HTTP, W, &rep);
        assert_false(core.zones[0].session.active || core.zones[0].relay_on);
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        assert_int_equal(rep.status, CORE_REFUSED);
        assert_string_equal(rep.code, "warning_signs");
        assert_non_null(strstr(rep.message, "doctor"));
        core_set_warning_signs(&core, true, false, true, SRC_MQTT, W, &rep);
        assert_int_equal(core.guidance_kind, GUIDANCE_URGENT);
        assert_non_null(strstr(rep.message, "urgent care"));
        core_start(&core, 1, 30, 40, SRC_HTTP, T, W, &rep);
        assert_string_equal(rep.code, "urgent_signs");
        assert_non_null(strstr(rep.message, "urgent care now"));
        /* Days later: still refused. */
        run(72 * 3600, 30);
        core_start(&core, 1, 30, 40, SRC_HTTP, T, W, &rep);
        assert_string_equal(rep.code, "urgent_signs");
        core_set_warning_signs(&core, false, false, false, SRC_HTTP, W, &rep);
        core_start(&core, 1, 30, 40, SRC_HTTP, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
}

/* NTP steps the wall clock 72 h forward three minutes after the injury was
 * recorded, and a stored schedule comes due: no heat until 48 real hours
 * have passed. */
static void clock_step_forward_keeps_the_cold_rule(void **state)
{
        struct schedule s;
        struct core_reply rep;
        char err[160];
        (void)state;
        run(2, 30);
        core_record_acute(&core, W, true, false, SRC_HTTP, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        run(180, 30);
        W += 72 * 3600;                         /* the step */
        char json[200];
        struct tm tm;
        localtime_r(&W, &tm);
        snprintf(json, sizeof(json), "[{\"zone\":\"upper_back\",\"days\":"
                 "\"daily\",\"start\":\"%02d:%02d\",\"minutes\":20,"
                 "\"setpoint_c\":40}]", tm.tm_hour, (tm.tm_min + 1) % 60);
        assert_int_equal(schedule_parse_text(json, strlen(json), &cfg, &s, err,
                                             sizeof(err)), 0);
        core_set_schedule(&core, &s, SRC_HTTP, &rep);
        ev()[EV_SCHEDULE_RUN] = 0;
        core_run_schedule(&core, W, W + 60, true, T + 60000);
        assert_int_equal(ev()[EV_SCHEDULE_RUN], 1);
        assert_false(core.zones[0].session.active);
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        assert_string_equal(rep.code, "cold_rule");
        struct guidance g = core_guidance(&core, W);
        assert_int_equal(g.heat_allowed_at, W + 48 * 3600 - 180);
        /* 48 real hours after the record, on the stepped clock. */
        uint64_t end = T + (48 * 3600 - 180) * 1000ULL;
        core_start(&core, 0, 30, 40, SRC_CLI, end - 1, W, &rep);
        assert_string_equal(rep.code, "cold_rule");
        core_start(&core, 0, 30, 40, SRC_CLI, end, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
}

/* A step back does not stretch the window. */
static void clock_step_back_does_not_stretch(void **state)
{
        struct core_reply rep;
        (void)state;
        core_record_acute(&core, W - 3600, false, true, SRC_HTTP, T, W, &rep);
        uint64_t end = T + 47 * 3600 * 1000ULL;
        W -= 72 * 3600;
        core_start(&core, 0, 30, 40, SRC_CLI, end - 1, W, &rep);
        assert_string_equal(rep.code, "cold_rule");
        run(2, 30);
        core_start(&core, 0, 30, 40, SRC_CLI, end, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
}

/* A record made while the wall clock is not trusted counts from when it
 * was made: "two hours ago" on a 1970 clock still blocks 48 hours. */
static void untrusted_record_blocks_a_full_window(void **state)
{
        struct core_reply rep;
        (void)state;
        W = 1800;
        core_init(&core, &cfg, NULL, NULL, T, W);
        core_set_localtime(&core, test_localtime, NULL);
        core_set_wall_trusted(&core, false, T, W);
        core_record_acute(&core, W - 7200, true, false, SRC_HTTP, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        assert_true(core.record.acute_at < 0);
        assert_int_equal(core_hold_left_s(&core, T), 48 * 3600);
        /* NTP sets the clock: still blocked for the full window. */
        W = local(2026, 11, 24, 20, 0);
        core_set_wall_trusted(&core, true, T + 1000, W);
        uint64_t end = T + 48 * 3600 * 1000ULL;
        core_start(&core, 0, 30, 40, SRC_CLI, end - 1, W, &rep);
        assert_string_equal(rep.code, "cold_rule");
        core_start(&core, 0, 30, 40, SRC_CLI, end, W, &rep);
        assert_string_not_equal(rep.code, "cold_rule");
}

/* After a restart: the seconds left from the state file hold, whatever
 * the wall clock reads; the wall-clock rule holds too until it is
 * trusted, then is folded in. */
static void restart_with_a_stepped_clock(void **state)
{
        struct core_reply rep;
        time_t at = W;
        (void)state;
        struct guidance_record stored = { .acute = true, .acute_at = at,
                                          .injury = true };
        /* The wall clock 72 h ahead of the record, 40 h left on file. */
        W = at + 72 * 3600;
        core_init(&core, &cfg, &stored, NULL, T, W);
        core_set_localtime(&core, test_localtime, NULL);
        core_restore_hold(&core, 40 * 3600, T);
        core_set_wall_trusted(&core, true, T, W);
        core_start(&core, 0, 30, 40, SRC_CLI, T + 40 * 3600 * 1000ULL - 1, W,
                   &rep);
        assert_string_equal(rep.code, "cold_rule");
        core_start(&core, 0, 30, 40, SRC_CLI, T + 40 * 3600 * 1000ULL, W, &rep);
        assert_string_not_equal(rep.code, "cold_rule");
        /* The clock behind (an untrusted boot clock): never sooner than
         * the wall rule, which says 48 h after the event. */
        W = at - 24 * 3600;
        core_init(&core, &cfg, &stored, NULL, T, W);
        core_set_localtime(&core, test_localtime, NULL);
        core_restore_hold(&core, 1 * 3600, T);
        core_set_wall_trusted(&core, false, T, W);
        core_start(&core, 0, 30, 40, SRC_CLI, T + 2 * 3600 * 1000ULL,
                   W + 2 * 3600, &rep);
        assert_string_equal(rep.code, "cold_rule");
        struct guidance g = core_guidance(&core, W + 2 * 3600);
        assert_int_equal(g.heat_allowed_at, at + 48 * 3600);
}

/* While the window runs, its seconds left go to the state file every
 * CORE_HOLD_SAVE_MS, and once more when it ends. */
static void window_is_saved_now_and_then(void **state)
{
        struct core_reply rep;
        int saves = 0;
        (void)state;
        core_record_acute(&core, W - 47 * 3600, true, false, SRC_HTTP, T, W,
                          &rep);
        for (int i = 0; i < 3600 + 5; i++) {
                if (core.state_dirty) {
                        saves++;
                        core.state_dirty = false;
                }
                run(1, 30);
        }
        /* The record, a refresh every 10 minutes, the last one at the
         * end. */
        assert_int_equal(saves, 1 + 6);
        assert_int_equal(core_hold_left_s(&core, T), 0);
        core.state_dirty = false;
        run(700, 30);
        assert_false(core.state_dirty);
}

/* The state file's record could not be read: heat stays blocked until a
 * person confirms; clearing the record is not a confirmation. */
static void unreadable_record_blocks_until_confirmed(void **state)
{
        struct core_reply rep;
        struct guidance_record stored = { .unreadable = true };
        (void)state;
        core_init(&core, &cfg, &stored, NULL, T, W);
        core_set_localtime(&core, test_localtime, NULL);
        run(2, 30);
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        assert_int_equal(rep.status, CORE_REFUSED);
        assert_string_equal(rep.code, "record_unreadable");
        assert_non_null(strstr(rep.message, "confirm"));
        core_clear_record(&core, SRC_HTTP, W, &rep);
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        assert_string_equal(rep.code, "record_unreadable");
        cJSON *g = status_guidance_json(&core, W);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(g, "confirm_needed")));
        assert_string_equal(cJSON_GetObjectItem(g, "blocked_by")->valuestring,
                            "record_unreadable");
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(g, "heat_allowed_at")));
        cJSON_Delete(g);
        core.state_dirty = false;
        core_confirm_safe(&core, SRC_HTTP, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        assert_true(core.state_dirty);
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
}

static const char *last_run_reason;

static void schedule_starts_and_refuses(void **state)
{
        struct schedule s;
        struct core_reply rep;
        char err[160];
        static const char json[] =
                "[{\"zone\":\"upper_back\",\"days\":\"daily\",\"start\":"
                "\"20:05\",\"minutes\":20,\"setpoint_c\":40},"
                "{\"zone\":\"lower_back\",\"days\":\"daily\",\"start\":"
                "\"23:30\",\"minutes\":20,\"setpoint_c\":38}]";
        (void)state;
        (void)last_run_reason;
        assert_int_equal(schedule_parse_text(json, sizeof(json) - 1, &cfg, &s,
                                             err, sizeof(err)), 0);
        core_set_schedule(&core, &s, SRC_MQTT, &rep);
        assert_true(core.state_dirty);
        assert_int_equal(ev()[EV_SCHEDULE], 1);
        run(2, 30);
        /* Untrusted clock: skipped, nothing starts. */
        time_t t = local(2026, 11, 24, 20, 5);
        core_run_schedule(&core, t - 1, t, false, T);
        assert_int_equal(ev()[EV_SCHEDULE_RUN], 1);
        assert_false(core.zones[0].session.active);
        /* Next day, trusted: it starts. */
        t += 86400;
        core_run_schedule(&core, t - 1, t, true, T);
        assert_int_equal(ev()[EV_SCHEDULE_RUN], 2);
        assert_true(core.zones[0].session.active);
        assert_true(core.zones[0].session.setpoint_c == 40);
        /* 23:30 is in quiet hours: refused, logged. */
        t = local(2026, 11, 25, 23, 30);
        core_run_schedule(&core, t - 1, t, true, T);
        assert_int_equal(ev()[EV_SCHEDULE_RUN], 3);
        assert_false(core.zones[1].session.active);
}

static void status_json_shows_zone_and_guidance(void **state)
{
        struct core_reply rep;
        (void)state;
        run(2, 31.5);
        core_start(&core, 0, 20, 40, SRC_HTTP, T, W, &rep);
        run(1, 31.5);
        cJSON *o = status_json(&core, T, W);
        cJSON *z0 = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "zones"), 0);
        assert_string_equal(cJSON_GetObjectItem(z0, "id")->valuestring, "upper_back");
        assert_true(cJSON_GetObjectItem(z0, "temp_c")->valuedouble == 31.5);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(z0, "relay")));
        assert_int_equal(cJSON_GetObjectItem(z0, "remaining_s")->valueint, 1199);
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(z0, "fault")));
        cJSON *g = cJSON_GetObjectItem(o, "guidance");
        assert_string_equal(cJSON_GetObjectItem(g, "kind")->valuestring, "heat");
        cJSON_Delete(o);
        cJSON *r = status_reply_json(&rep);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "ok")));
        cJSON_Delete(r);
}

/* Each zone's last command, with its source, for the page and the log. */
static void status_shows_each_zones_last_command(void **state)
{
        struct core_reply rep;
        (void)state;
        run(2, 31.5);
        cJSON *o = status_zone_json(&core, 0, T, W);
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "last_command")));
        cJSON_Delete(o);
        core_submit(&core, &(struct core_cmd){ .kind = CMD_START,
                    .src = SRC_BUTTON, .zone = 0, .setpoint_c = NAN },
                    T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        o = status_zone_json(&core, 0, T, W);
        cJSON *l = cJSON_GetObjectItem(o, "last_command");
        assert_string_equal(cJSON_GetObjectItem(l, "source")->valuestring,
                            "button");
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(l, "ok")));
        assert_string_equal(cJSON_GetObjectItem(l, "code")->valuestring, "ok");
        assert_true(cJSON_GetObjectItem(l, "at")->valuedouble == (double)W);
        cJSON_Delete(o);
        o = status_zone_json(&core, 1, T, W);
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "last_command")));
        cJSON_Delete(o);
        /* A stop of every zone is each zone's last command. */
        core_submit(&core, &(struct core_cmd){ .kind = CMD_STOP_ALL,
                    .src = SRC_BUTTON }, T, W, &rep);
        uint32_t seq = core.zones[0].last_cmd.seq;
        assert_int_equal(core.zones[1].last_cmd.seq, 1);
        assert_int_equal(core.zones[1].last_cmd.kind, CMD_STOP_ALL);
        /* A refusal from another source takes its place. */
        core_submit(&core, &(struct core_cmd){ .kind = CMD_START,
                    .src = SRC_HTTP, .zone = 1, .setpoint_c = 99 },
                    T, W, &rep);
        assert_int_not_equal(rep.status, CORE_OK);
        o = status_zone_json(&core, 1, T, W);
        l = cJSON_GetObjectItem(o, "last_command");
        assert_string_equal(cJSON_GetObjectItem(l, "source")->valuestring,
                            "http");
        assert_false(cJSON_IsTrue(cJSON_GetObjectItem(l, "ok")));
        assert_string_equal(cJSON_GetObjectItem(l, "code")->valuestring,
                            rep.code);
        cJSON_Delete(o);
        assert_int_equal(core.zones[0].last_cmd.seq, seq);
        /* A command of no zone is none's. */
        core_submit(&core, &(struct core_cmd){ .kind = CMD_CLEAR_RECORD,
                    .src = SRC_HTTP }, T, W, &rep);
        assert_int_equal(core.zones[0].last_cmd.seq, seq);
}

/* The target set during a session is the zone's target after it, and
 * changing it does not move the session's end. */
static void target_outlives_the_session_and_keeps_the_end(void **state)
{
        struct core_reply rep;
        (void)state;
        run(2, 30);
        core_start(&core, 0, 10, 40, SRC_MQTT, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        uint64_t end = core.zones[0].session.ends_ms;
        run(7, 30);
        for (int i = 0; i < 3; i++) {
                core_set_target(&core, 0, 41 - i * 0.5, SRC_MQTT, T, &rep);
                assert_int_equal(rep.status, CORE_OK);
                run(3, 30);
                assert_true(core.zones[0].session.ends_ms == end);
        }
        assert_true(core.zones[0].session.setpoint_c == 40);
        core_set_target(&core, 0, 41, SRC_MQTT, T, &rep);
        assert_true(core.zones[0].session.setpoint_c == 41);
        core_stop(&core, 0, SRC_MQTT, T, &rep);
        assert_true(core_target_c(&core, 0) == 41);
        /* The next start without a setpoint heats to it. */
        core_start(&core, 0, 0, NAN, SRC_MQTT, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        assert_true(core.zones[0].session.setpoint_c == 41);
        /* Out of range: refused, nothing changes. */
        core_set_target(&core, 0, 60, SRC_MQTT, T, &rep);
        assert_string_equal(rep.code, "out_of_range");
        assert_true(core_target_c(&core, 0) == 41);
        assert_true(core.zones[0].session.setpoint_c == 41);
        /* Idle: only the target. */
        core_stop(&core, 0, SRC_MQTT, T, &rep);
        core.state_dirty = false;
        core_set_target(&core, 0, 36, SRC_MQTT, T, &rep);
        assert_int_equal(rep.status, CORE_OK);
        assert_false(core.zones[0].session.active);
        assert_true(core.state_dirty);
        assert_true(core_target_c(&core, 1) == 38);
}

/* The session length: the next sessions', and the running one's from now;
 * refused out of range, nothing changed. */
static void session_length_is_kept(void **state)
{
        struct core_reply rep;
        (void)state;
        run(2, 30);
        core_set_minutes(&core, 0, 95, SRC_MQTT, T, W, &rep);
        assert_string_equal(rep.code, "out_of_range");
        assert_int_equal(core_minutes(&core, 0), 20);
        core_set_minutes(&core, 0, 30, SRC_MQTT, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        core_start(&core, 0, 0, NAN, SRC_MQTT, T, W, &rep);
        assert_int_equal(session_remaining_ms(&core.zones[0].session, T),
                         30 * 60000);
        run(60, 30);
        core_set_minutes(&core, 0, 5, SRC_MQTT, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);
        assert_int_equal(session_remaining_ms(&core.zones[0].session, T),
                         5 * 60000);
        /* In quiet hours the running session's change is refused, and the
         * length stays. */
        W = local(2026, 11, 24, 23, 30);
        core_set_minutes(&core, 1, 7, SRC_MQTT, T, W, &rep);
        assert_int_equal(rep.status, CORE_OK);      /* idle: kept for later */
        core_start(&core, 1, 0, NAN, SRC_MQTT, T, W, &rep);
        assert_string_equal(rep.code, "quiet_hours");
        assert_int_equal(core_minutes(&core, 1), 7);
}

/* Energy: the heater's power times the relay's on-time; restored values
 * out of the zone's limits are ignored. */
static void energy_counts_relay_on_time(void **state)
{
        struct core_reply rep;
        (void)state;
        cfg.zones[0].power_w = 3600;    /* 1 Wh a second */
        assert_int_equal(core_restore_zone(&core, 0, 60, 500, 2000), 2);
        assert_true(core_target_c(&core, 0) == 38);
        assert_true(core.zones[0].energy_wh == 2000);
        run(2, 30);
        core_start(&core, 0, 1, 42, SRC_CLI, T, W, &rep);
        int on = 0;
        for (int i = 0; i < 30; i++) {
                on += core.zones[0].relay_on;
                run(1, 30);
        }
        assert_true(on > 20);
        assert_true(fabs(core.zones[0].energy_wh - 2000 - on) < 1e-6);
        assert_true(core.zones[1].energy_wh == 0);
        core.state_dirty = false;
        core_stop(&core, 0, SRC_CLI, T, &rep);
        assert_true(core.state_dirty);          /* saved at a session's end */
}

static const char *str(const cJSON *o, const char *k)
{
        return cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
}

/* What Home Assistant's entities read: action, preset, the session's end
 * as an ISO time, and a signature that moves with 0.1 C, not less. */
static void ha_state_follows_the_zone(void **state)
{
        struct core_reply rep;
        (void)state;
        run(2, 30);
        cJSON *o = ha_state_zone(&core, 0, T, W);
        assert_string_equal(str(o, "action"), "off");
        assert_string_equal(str(o, "mode"), "off");
        assert_string_equal(str(o, "preset"), "none");        /* 38 */
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "ends_at_iso")));
        cJSON_Delete(o);
        struct ha_zone_sig a = ha_zone_sig(&core, 0, T, W), b;
        run(1, 30.04);
        b = ha_zone_sig(&core, 0, T, W);
        assert_true(ha_zone_sig_equal(&a, &b));
        run(1, 30.12);
        b = ha_zone_sig(&core, 0, T, W);
        assert_false(ha_zone_sig_equal(&a, &b));
        core_start(&core, 0, 20, 39, SRC_MQTT, T, W, &rep);
        run(1, 30);
        o = ha_state_zone(&core, 0, T, W);
        assert_string_equal(str(o, "action"), "preheating");
        assert_string_equal(str(o, "preset"), "medium");
        assert_int_equal(cJSON_GetObjectItem(o, "minutes")->valueint, 20);
        char iso[32];
        ha_iso_time((time_t)cJSON_GetObjectItem(o, "ends_at")->valuedouble,
                    iso, sizeof(iso));
        assert_string_equal(str(o, "ends_at_iso"), iso);
        assert_int_equal(strlen(iso), 25);
        assert_string_equal(iso + 19, "+00:00");
        cJSON_Delete(o);
        /* At the setpoint the relay rests: idle, still heating mode. */
        run(120, 39.5);
        o = ha_state_zone(&core, 0, T, W);
        assert_string_equal(str(o, "mode"), "heat");
        assert_string_equal(str(o, "action"), "idle");
        cJSON_Delete(o);
        W = local(2026, 11, 24, 23, 30);
        o = ha_state_guidance(&core, W);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "quiet_hours")));
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "heat_allowed_at_iso")));
        cJSON_Delete(o);
}

/* The window plans from a smoothed duty; a pad that reads half a degree
 * above its target is switched off at the next tick all the same. */
static void above_the_target_switches_off_at_once(void **state)
{
        struct core_reply rep;
        (void)state;
        run(2, 30);
        core_start(&core, 0, 30, 40, SRC_CLI, T, W, &rep);
        run(20, 30);
        assert_true(core.zones[0].relay_on);
        run(1, 40.6);
        assert_false(core.zones[0].relay_on);
        assert_true(core.zones[0].session.active);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(start_heats_and_times_out, setup),
                cmocka_unit_test_setup(above_the_target_switches_off_at_once, setup),
                cmocka_unit_test_setup(target_outlives_the_session_and_keeps_the_end, setup),
                cmocka_unit_test_setup(session_length_is_kept, setup),
                cmocka_unit_test_setup(energy_counts_relay_on_time, setup),
                cmocka_unit_test_setup(defaults_when_not_given, setup),
                cmocka_unit_test_setup(out_of_range_changes_nothing, setup),
                cmocka_unit_test_setup(quiet_hours_refuse_and_end, setup),
                cmocka_unit_test_setup(cold_rule_refuses_with_the_exact_time, setup),
                cmocka_unit_test_setup(acute_record_validated, setup),
                cmocka_unit_test_setup(fault_ends_session_within_one_tick, setup),
                cmocka_unit_test_setup(relay_failure_latches, setup),
                cmocka_unit_test_setup(second_sensor_disagreeing_ends_the_session, setup),
                cmocka_unit_test_setup(frozen_reading_ends_the_session, setup),
                cmocka_unit_test_setup(no_heat_before_first_reading, setup),
                cmocka_unit_test_setup(shutdown_turns_all_off, setup),
                cmocka_unit_test_setup(warning_signs_change_guidance, setup),
                cmocka_unit_test_setup(warning_signs_block_heat, setup),
                cmocka_unit_test_setup(clock_step_forward_keeps_the_cold_rule, setup),
                cmocka_unit_test_setup(clock_step_back_does_not_stretch, setup),
                cmocka_unit_test_setup(untrusted_record_blocks_a_full_window, setup),
                cmocka_unit_test_setup(restart_with_a_stepped_clock, setup),
                cmocka_unit_test_setup(window_is_saved_now_and_then, setup),
                cmocka_unit_test_setup(unreadable_record_blocks_until_confirmed, setup),
                cmocka_unit_test_setup(schedule_starts_and_refuses, setup),
                cmocka_unit_test_setup(status_json_shows_zone_and_guidance, setup),
                cmocka_unit_test_setup(status_shows_each_zones_last_command, setup),
                cmocka_unit_test_setup(ha_state_follows_the_zone, setup),
        };
        return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
