/* Closed-loop tests: the core driving simulated pads (sim_pad.c) on a
 * virtual clock, with DS18B20-like readings (0.0625 C steps, noise, 750 ms
 * latency).
 * - settle: a cold start to 40 C settles within +/-0.5 C without
 *   overshooting more than 0.5 C, with the default gains;
 * - day: 24 simulated hours (across a DST change) of random starts, stops,
 *   injury records and injected faults, asserting every second that the
 *   relay is never on outside a session, in quiet hours, in the 48-hour
 *   cold window, with a fault latched, above the cutoff, or for longer than
 *   the hard cap. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "core/quiet.h"
#include "hw/sim_pad.h"
#include "test.h"

struct plant {
        struct sim_pad pad;
        double delayed_c;       /* the sensor value 750 ms ago */
        unsigned rng;
        /* injected faults */
        bool disconnected, stuck, stuck_on, power_on;
        double stuck_c;
};

static double gauss(unsigned *rng)
{
        double u1 = (rand_r(rng) + 1.0) / ((double)RAND_MAX + 2.0);
        double u2 = (rand_r(rng) + 1.0) / ((double)RAND_MAX + 2.0);
        return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static void plant_init(struct plant *p, unsigned seed)
{
        struct sim_pad_params pp;
        memset(p, 0, sizeof(*p));
        sim_pad_default_params(&pp);
        sim_pad_init(&p->pad, &pp);
        p->delayed_c = p->pad.sensor_c;
        p->rng = seed;
}

/* One second of plant time with the relay as decided; then posts what the
 * sensor would answer now. */
static void plant_second(struct plant *p, struct core *core, int zone)
{
        p->pad.heater_on = core->zones[zone].relay_on || p->stuck_on;
        sim_pad_step(&p->pad, 0.25);
        p->delayed_c = p->pad.sensor_c;         /* conversion starts */
        sim_pad_step(&p->pad, 0.75);            /* ...and answers 750 ms on */

        double c = round((p->delayed_c + 0.03 * gauss(&p->rng)) / 0.0625) * 0.0625;
        if (p->disconnected)
                return;                 /* no answer at all */
        if (p->power_on)
                c = 85.0;
        else if (p->stuck)
                c = p->stuck_c;
        else
                p->stuck_c = c;
        core_post_reading(core, zone, 0, c);
}

static struct config cfg;

static void load_config(int nzones)
{
        struct config_errors errs;
        char json[2048] = "{\"zones\":[";
        for (int i = 0; i < nzones; i++)
                snprintf(json + strlen(json), sizeof(json) - strlen(json),
                         "%s{\"name\":\"z%d\",\"sensor\":{\"type\":\"sim\"},"
                         "\"relay\":{\"type\":\"sim\"}}", i ? "," : "", i);
        strcat(json, "]}");
        assert_int_equal(config_parse(json, &cfg, &errs), 0);
}

static time_t local(int y, int mo, int d, int h, int mi)
{
        struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                         .tm_hour = h, .tm_min = mi, .tm_isdst = -1 };
        return mktime(&tm);
}

static void cold_start_settles_without_overshoot(void **state)
{
        struct core core;
        struct plant p;
        struct core_reply rep;
        uint64_t t = 1000;
        time_t w = local(2026, 11, 24, 18, 0);
        (void)state;

        load_config(1);
        plant_init(&p, 7);
        core_init(&core, &cfg, NULL, NULL, t, w);
        core_set_localtime(&core, test_localtime, NULL);
        plant_second(&p, &core, 0);
        core_tick(&core, t, w);
        core_start(&core, 0, 90, 40, SRC_CLI, t, w, &rep);
        assert_int_equal(rep.status, CORE_OK);

        double max_c = 0;
        int last_out = -1;
        for (int s = 1; s <= 85 * 60; s++) {
                t += 1000;
                w += 1;
                plant_second(&p, &core, 0);
                core_tick(&core, t, w);
                if (p.pad.sensor_c > max_c)
                        max_c = p.pad.sensor_c;
                if (fabs(p.pad.sensor_c - 40) > 0.5)
                        last_out = s;
        }
        print_message("cold start 22->40 C: in band from %d s, overshoot "
                      "%.2f C\n", last_out + 1, max_c - 40);
        assert_true(max_c - 40 <= 0.5);
        assert_true(last_out < 40 * 60);        /* settled, and stayed */
        assert_int_equal(core.zones[0].safety.fault, FAULT_NONE);
}

struct counts {
        int sessions, stops, faults, acute, relay_on_s, refused;
};

static void on_event(void *ctx, const struct core *core,
                     const struct core_event *ev)
{
        struct counts *c = ctx;
        (void)core;
        if (ev->type == EV_SESSION_START && !ev->reason)
                c->sessions++;
        if (ev->type == EV_FAULT)
                c->faults++;
}

static void day_of_random_use_keeps_every_invariant(void **state)
{
        enum { NZ = 2 };
        struct core core;
        struct plant pl[NZ];
        struct counts cnt = { 0 };
        struct core_reply rep;
        uint64_t t = 1000;
        /* Sat 24 Oct 2026 12:00 in Berlin: the DST change is inside. */
        time_t w = local(2026, 10, 24, 12, 0);
        unsigned rng = 20261124;
        uint64_t began[NZ] = { 0 };
        (void)state;

        load_config(NZ);
        for (int i = 0; i < NZ; i++)
                plant_init(&pl[i], 100 + i);
        core_init(&core, &cfg, NULL, NULL, t, w);
        core_set_localtime(&core, test_localtime, NULL);

        for (int s = 0; s < 24 * 3600; s++) {
                t += 1000;
                w += 1;
                int z = rand_r(&rng) % NZ;
                struct plant *p = &pl[z];
                int dice = rand_r(&rng) % 20000;

                /* A few things happen each hour, at random; an injury is
                 * recorded at 18:00 and the record cleared at 20:00, so the
                 * cold window is exercised and then left. */
                if (dice < 20) {
                        int min = 1 + rand_r(&rng) % 100;
                        double sp = 29 + (rand_r(&rng) % 140) / 10.0;
                        core_start(&core, z, min, sp, SRC_MQTT, t, w, &rep);
                        cnt.refused += rep.status != CORE_OK;
                } else if (dice < 24) {
                        core_stop(&core, z, SRC_HTTP, t, &rep);
                } else if (dice < 25) {
                        p->disconnected = true;
                } else if (dice < 26) {
                        p->stuck = true;
                } else if (dice < 27) {
                        p->stuck_on = true;
                } else if (dice < 28) {
                        p->power_on = true;
                } else if (dice < 60) {
                        /* heal the plant and ask to clear the fault */
                        p->disconnected = p->stuck = p->stuck_on =
                                p->power_on = false;
                        core_clear_fault(&core, z, SRC_HTTP, t, &rep);
                }
                if (s == 6 * 3600) {
                        core_record_acute(&core, w - 600, true, false,
                                          SRC_HTTP, t, w, &rep);
                        cnt.acute += rep.status == CORE_OK;
                } else if (s == 8 * 3600) {
                        core_clear_record(&core, SRC_HTTP, w, &rep);
                }

                for (int i = 0; i < NZ; i++)
                        plant_second(&pl[i], &core, i);
                core_tick(&core, t, w);
                for (struct core_event ev; core_next_event(&core, &ev);)
                        on_event(&cnt, &core, &ev);

                struct guidance g = core_guidance(&core, w);
                for (int i = 0; i < NZ; i++) {
                        const struct core_zone *cz = &core.zones[i];
                        if (!cz->session.active)
                                began[i] = 0;
                        else if (!began[i])
                                began[i] = cz->session.began_ms;
                        if (!cz->relay_on)
                                continue;
                        cnt.relay_on_s++;
                        assert_true(cz->session.active);
                        assert_false(quiet_active(&cfg.quiet, TEST_TZ, w));
                        assert_false(g.heat_blocked);
                        assert_int_equal(cz->safety.fault, FAULT_NONE);
                        assert_true(cz->safety.temp_c < cfg.zones[i].safety.cutoff_c);
                        assert_true(t - cz->session.began_ms <=
                                    (uint64_t)cfg.zones[i].max_minutes * 60000);
                        assert_true(t - began[i] <=
                                    (uint64_t)SESSION_HARD_CAP_MIN * 60000);
                }
        }
        print_message("24 h: %d sessions, %d starts refused, %d faults, %d "
                      "acute records, relay on %d s\n", cnt.sessions,
                      cnt.refused, cnt.faults, cnt.acute, cnt.relay_on_s);
        /* The run must have exercised something, or it proves nothing. */
        assert_true(cnt.sessions >= 10);
        assert_true(cnt.faults >= 3);
        assert_true(cnt.refused >= 5);
        assert_int_equal(cnt.acute, 1);
        assert_true(cnt.relay_on_s >= 3600);
}

static int setup_berlin(void **state)
{
        (void)state;
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        return 0;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(cold_start_settles_without_overshoot),
                cmocka_unit_test(day_of_random_use_keeps_every_invariant),
        };
        return cmocka_run_group_tests_name("closed_loop", tests, setup_berlin,
                                           NULL);
}
