/* The core's event queue: events come out in the order they happened,
 * with the zone as it was then, and a full queue never loses an event that
 * ends heat or reports a fault. Also core_submit, the one way in. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "config/config.h"
#include "core/core.h"

static struct config cfg;
static struct core core;
static uint64_t T;
static time_t W;

static int setup(void **state)
{
        struct config_errors errs;
        (void)state;
        assert_int_equal(config_parse("{\"quiet_hours\":{\"enabled\":false},"
                "\"zones\":[{\"name\":\"upper back\",\"sensor\":{\"type\":"
                "\"sim\"},\"relay\":{\"type\":\"sim\"}},{\"name\":\"lower "
                "back\",\"sensor\":{\"type\":\"sim\"},\"relay\":{\"type\":"
                "\"sim\"}}]}", &cfg, &errs), 0);
        for (int i = 0; i < cfg.nzones; i++)
                cfg.zones[i].safety.frozen_ms = UINT64_MAX / 2;
        T = 1000;
        W = 1795550400;
        core_init(&core, &cfg, NULL, NULL, T, W);
        core_set_wall_trusted(&core, true, T, W);
        return 0;
}

static void tick(double c0)
{
        T += 1000;
        W += 1;
        core_post_reading(&core, 0, 0, c0);
        core_post_reading(&core, 1, 0, 30);
        core_tick(&core, T, W);
}

static void drain(void)
{
        struct core_event ev;
        while (core_next_event(&core, &ev))
                ;
}

static struct core_reply submit(struct core_cmd cmd)
{
        struct core_reply rep = { 0 };
        core_submit(&core, &cmd, T, W, &rep);
        return rep;
}

static void expect(enum core_event_type type, int zone, const char *reason)
{
        struct core_event ev;
        assert_true(core_next_event(&core, &ev));
        assert_int_equal(ev.type, type);
        assert_int_equal(ev.zone, zone);
        if (reason) {
                assert_non_null(ev.reason);
                assert_string_equal(ev.reason, reason);
        }
}

/* A command emits nothing itself: the events wait in the queue, in order,
 * each with the zone as the event left it. */
static void events_come_out_in_order(void **state)
{
        struct core_event ev;
        (void)state;
        tick(30);
        drain();
        struct core_reply rep = submit((struct core_cmd){
                .kind = CMD_START, .src = SRC_HTTP, .zone = 0,
                .minutes = 10, .setpoint_c = 40 });
        assert_int_equal(rep.status, CORE_OK);
        tick(30);                       /* the PID switches the relay on */
        assert_true(core.zones[0].relay_on);
        rep = submit((struct core_cmd){ .kind = CMD_STOP, .src = SRC_MQTT,
                                        .zone = 0 });
        assert_int_equal(rep.status, CORE_OK);
        assert_int_equal(core_events_pending(&core), 4);

        assert_true(core_next_event(&core, &ev));
        assert_int_equal(ev.type, EV_SESSION_START);
        assert_int_equal(ev.source, SRC_HTTP);
        assert_true(ev.snap.session);
        assert_false(ev.snap.relay_on);         /* as it was then */
        assert_near(ev.snap.setpoint_c, 40, 1e-9);
        assert_true(core_next_event(&core, &ev));
        assert_int_equal(ev.type, EV_RELAY);
        assert_string_equal(ev.reason, "on");
        assert_true(ev.snap.relay_on);
        assert_true(core_next_event(&core, &ev));
        assert_int_equal(ev.type, EV_RELAY);
        assert_string_equal(ev.reason, "off");
        assert_true(core_next_event(&core, &ev));
        assert_int_equal(ev.type, EV_SESSION_END);
        assert_int_equal(ev.source, SRC_MQTT);
        assert_string_equal(ev.reason, "stopped");
        assert_false(ev.snap.session);
        assert_false(core_next_event(&core, &ev));
        assert_int_equal(core.events_dropped, 0);
}

/* A fault: relay off first, then the session's end, then the fault. */
static void fault_events_in_order(void **state)
{
        (void)state;
        tick(30);
        submit((struct core_cmd){ .kind = CMD_START, .src = SRC_CLI,
                                  .zone = 0, .setpoint_c = NAN });
        tick(30);
        drain();
        tick(60);                       /* over the hard limit */
        expect(EV_RELAY, 0, "off");
        expect(EV_SESSION_END, 0, "fault");
        struct core_event ev;
        assert_true(core_next_event(&core, &ev));
        assert_int_equal(ev.type, EV_FAULT);
        assert_int_equal(ev.snap.fault, core.zones[0].safety.fault);
        assert_true(ev.snap.fault != FAULT_NONE);
}

/* The schedule's run carries the core's words, copied into the queue. */
static void schedule_run_keeps_its_words(void **state)
{
        struct core_event ev;
        struct schedule s = { .n = 1 };
        (void)state;
        snprintf(s.e[0].zone_id, sizeof(s.e[0].zone_id), "upper_back");
        s.e[0].days = 0x7f;
        s.e[0].start_min = 20 * 60 + 1;
        s.e[0].minutes = 5;
        s.e[0].setpoint_c = 39;
        s.e[0].enabled = true;
        assert_int_equal(submit((struct core_cmd){
                .kind = CMD_SET_SCHEDULE, .src = SRC_HTTP,
                .schedule = &s }).status, CORE_OK);
        expect(EV_SCHEDULE, -1, NULL);
        core_run_schedule(&core, W, W + 120, false, T);
        assert_true(core_next_event(&core, &ev));
        assert_int_equal(ev.type, EV_SCHEDULE_RUN);
        assert_string_equal(ev.reason, "clock_untrusted");
        assert_non_null(ev.detail);
        assert_non_null(strstr(ev.detail, "20:01"));
}

/* A full queue: other events are dropped and counted, but a stop's end
 * takes the place of the oldest event that is not one. */
static void full_queue_keeps_stops_and_faults(void **state)
{
        struct core_event ev;
        (void)state;
        tick(30);
        drain();
        for (int i = 0; i < CORE_EVENTS_MAX; i++) {
                submit((struct core_cmd){ .kind = CMD_START, .src = SRC_MQTT,
                                          .zone = 1, .minutes = 10 + i % 2,
                                          .setpoint_c = NAN });
        }
        assert_int_equal(core_events_pending(&core), CORE_EVENTS_MAX);
        assert_int_equal(core.events_dropped, 0);
        submit((struct core_cmd){ .kind = CMD_START, .src = SRC_MQTT,
                                  .zone = 1, .minutes = 30, .setpoint_c = NAN });
        assert_int_equal(core.events_dropped, 1);       /* a start: dropped */
        submit((struct core_cmd){ .kind = CMD_STOP_ALL, .src = SRC_HTTP });
        assert_int_equal(core.events_dropped, 2);       /* room made for it */
        assert_int_equal(core.events_lost, 0);
        assert_int_equal(core_events_pending(&core), CORE_EVENTS_MAX);
        /* The oldest start made room; the end is the newest. */
        int n = 0;
        bool ended = false;
        while (core_next_event(&core, &ev)) {
                n++;
                ended = ev.type == EV_SESSION_END && ev.zone == 1 &&
                        ev.source == SRC_HTTP;
        }
        assert_int_equal(n, CORE_EVENTS_MAX);
        assert_true(ended);
}

/* A stop is never refused, whatever blocks heat, and a stop of every zone
 * answers ok even when nothing ran. */
static void stops_are_never_refused(void **state)
{
        (void)state;
        tick(30);
        assert_int_equal(submit((struct core_cmd){
                .kind = CMD_WARNING_SIGNS, .src = SRC_HTTP,
                .urgent_signs = true }).status, CORE_OK);
        assert_int_equal(submit((struct core_cmd){
                .kind = CMD_START, .src = SRC_HTTP, .zone = 0,
                .setpoint_c = NAN }).status,
                CORE_REFUSED);
        assert_int_equal(submit((struct core_cmd){
                .kind = CMD_STOP, .src = SRC_HTTP, .zone = 0 }).status,
                CORE_OK);
        struct core_reply rep = submit((struct core_cmd){
                .kind = CMD_STOP_ALL, .src = SRC_MQTT });
        assert_int_equal(rep.status, CORE_OK);
        assert_string_equal(rep.code, "ok");
        assert_string_equal(rep.message, "every zone: off");
        assert_int_equal(submit((struct core_cmd){
                .kind = CMD_STOP, .src = SRC_HTTP, .zone = 7 }).status,
                CORE_NOT_FOUND);
}

/* Each kind reaches its command. */
static void submit_covers_every_kind(void **state)
{
        (void)state;
        tick(30);
        assert_int_equal(submit((struct core_cmd){
                .kind = CMD_SET_TARGET, .src = SRC_MQTT, .zone = 0,
                .setpoint_c = 38 }).status, CORE_OK);
        assert_near(core_target_c(&core, 0), 38, 1e-9);
        assert_int_equal(submit((struct core_cmd){
                .kind = CMD_SET_MINUTES, .src = SRC_MQTT, .zone = 0,
                .minutes = 12 }).status, CORE_OK);
        assert_int_equal(core_minutes(&core, 0), 12);
        assert_int_equal(submit((struct core_cmd){
                .kind = CMD_RECORD_ACUTE, .src = SRC_CLI, .at = W - 60,
                .swelling = true }).status, CORE_OK);
        assert_true(core_guidance(&core, W).heat_blocked);
        assert_int_equal(submit((struct core_cmd){
                .kind = CMD_CLEAR_RECORD, .src = SRC_CLI }).status, CORE_OK);
        assert_false(core_guidance(&core, W).heat_blocked);
        assert_int_equal(submit((struct core_cmd){
                .kind = CMD_CONFIRM_SAFE, .src = SRC_CLI }).status, CORE_OK);
        assert_int_equal(submit((struct core_cmd){
                .kind = CMD_CLEAR_FAULT, .src = SRC_CLI, .zone = 1 }).status,
                CORE_OK);
        assert_int_equal(submit((struct core_cmd){
                .kind = CMD_SET_SCHEDULE, .src = SRC_CLI }).status,
                CORE_INVALID);
        assert_int_equal(submit((struct core_cmd){
                .kind = CMD_AUTOTUNE, .src = SRC_CLI, .zone = 9 }).status,
                CORE_NOT_FOUND);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(events_come_out_in_order, setup),
                cmocka_unit_test_setup(fault_events_in_order, setup),
                cmocka_unit_test_setup(schedule_run_keeps_its_words, setup),
                cmocka_unit_test_setup(full_queue_keeps_stops_and_faults, setup),
                cmocka_unit_test_setup(stops_are_never_refused, setup),
                cmocka_unit_test_setup(submit_covers_every_kind, setup),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
