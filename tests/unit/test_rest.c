/* Unit tests of the continuous exposure cap through the core: sessions
 * back to back, or a stop then a start, continue one cap until the zone
 * has rested; the refusal says when a fresh session is possible. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "net/status_json.h"
#include "test.h"

struct rig {
        struct config cfg;
        struct core core;
        uint64_t t;
        time_t w;
};

static void rig_init(struct rig *r, const char *zone_extra)
{
        struct config_errors errs;
        char json[512];

        setenv("TZ", "UTC", 1);
        tzset();
        snprintf(json, sizeof(json), "{\"quiet_hours\":{\"enabled\":false},"
                 "\"zones\":[{\"name\":\"back\",\"sensor\":{\"type\":\"sim\"},"
                 "\"relay\":{\"type\":\"sim\"}%s}]}", zone_extra);
        assert_int_equal(config_parse(json, &r->cfg, &errs), 0);
        /* Constant readings here; the frozen check has its own tests. */
        r->cfg.zones[0].safety.frozen_ms = UINT64_MAX / 2;
        r->t = 1000;
        r->w = 1796400000;      /* 2026-12-04 */
        core_init(&r->core, &r->cfg, NULL, NULL, r->t, r->w);
        core_set_localtime(&r->core, test_localtime, NULL);
}

/* Runs n seconds at a steady 39 C. */
static void rig_run(struct rig *r, int n)
{
        for (int i = 0; i < n; i++) {
                r->t += 1000;
                r->w += 1;
                core_post_reading(&r->core, 0, 0, 39.0);
                core_tick(&r->core, r->t, r->w);
        }
}

static void rig_start(struct rig *r, int minutes, struct core_reply *rep)
{
        core_start(&r->core, 0, minutes, NAN, SRC_HTTP, r->t, r->w, rep);
}

static void stop_then_start_continues_the_cap(void **state)
{
        struct rig r;
        struct core_reply rep;
        (void)state;
        rig_init(&r, "");
        rig_run(&r, 2);
        rig_start(&r, 60, &rep);
        assert_int_equal(rep.status, CORE_OK);
        rig_run(&r, 60 * 60);
        core_stop(&r.core, 0, SRC_HTTP, r.t, &rep);
        rig_run(&r, 60);
        /* 60 of the 90 default minutes given, one minute of rest: 30 left. */
        rig_start(&r, 60, &rep);
        assert_int_equal(rep.status, CORE_OK);
        assert_non_null(strstr(rep.message, "30 min"));
        assert_int_equal(session_remaining_ms(&r.core.zones[0].session, r.t),
                         30 * 60000);
        rig_run(&r, 30 * 60);
        assert_false(r.core.zones[0].session.active);
        assert_false(r.core.zones[0].relay_on);

        /* Used up: refused with when a fresh session is possible. */
        rig_run(&r, 60);
        rig_start(&r, 20, &rep);
        assert_int_equal(rep.status, CORE_REFUSED);
        assert_string_equal(rep.code, "resting");
        assert_false(r.core.zones[0].session.active);
        cJSON *z = status_zone_json(&r.core, 0, r.t, r.w);
        assert_int_equal((int)cJSON_GetNumberValue(
                                cJSON_GetObjectItem(z, "cap_left_s")), 0);
        /* The session ended at its 30 min; fresh 30 min later. */
        double fresh = cJSON_GetNumberValue(cJSON_GetObjectItem(z, "fresh_at"));
        assert_true(fabs(fresh - (double)(r.w + 29 * 60)) <= 1);
        cJSON_Delete(z);

        /* After the rest, a fresh cap. */
        rig_run(&r, 29 * 60 + 1);
        rig_start(&r, 90, &rep);
        assert_int_equal(rep.status, CORE_OK);
        assert_int_equal(session_remaining_ms(&r.core.zones[0].session, r.t),
                         90 * 60000);
}

/* The rest is configurable, and the cap is the zone's own max_minutes. */
static void rest_minutes_from_the_config(void **state)
{
        struct rig r;
        struct core_reply rep;
        (void)state;
        rig_init(&r, ",\"session\":{\"max_minutes\":40,\"default_minutes\":"
                 "20,\"rest_minutes\":10}");
        assert_int_equal(r.cfg.zones[0].rest_minutes, 10);
        rig_run(&r, 2);
        rig_start(&r, 40, &rep);
        rig_run(&r, 40 * 60 + 1);
        rig_start(&r, 10, &rep);
        assert_string_equal(rep.code, "resting");
        rig_run(&r, 10 * 60);
        rig_start(&r, 10, &rep);
        assert_int_equal(rep.status, CORE_OK);
}

static void rest_minutes_out_of_range_refused(void **state)
{
        struct config cfg;
        struct config_errors errs;
        (void)state;
        assert_int_not_equal(config_parse("{\"zones\":[{\"name\":\"b\","
                "\"sensor\":{\"type\":\"sim\"},\"relay\":{\"type\":\"sim\"},"
                "\"session\":{\"rest_minutes\":5}}]}", &cfg, &errs), 0);
        assert_true(errs.n >= 1);
        assert_non_null(strstr(errs.msg[0], "rest_minutes"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(stop_then_start_continues_the_cap),
                cmocka_unit_test(rest_minutes_from_the_config),
                cmocka_unit_test(rest_minutes_out_of_range_refused),
        };
        return cmocka_run_group_tests_name("rest", tests, NULL, NULL);
}
