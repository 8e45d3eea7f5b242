/* Unit tests for options.c: every number on the command line is range-
 * checked before it is used, NaN and infinity included. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/options.h"
#include "test.h"

/* options.c names fault kinds through hw/sim.c, which the unit tests do
 * not link: two kinds are enough here. */
enum sim_fault sim_fault_parse(const char *name)
{
        if (strcmp(name, "heal") == 0)
                return SIM_FAULT_HEAL;
        if (strcmp(name, "sensor_silent") == 0)
                return SIM_SENSOR_SILENT;
        return SIM_FAULT_NONE;
}

static struct options o;

/* Parses "heatpadd a [b]"; the same return as options_parse. */
static int parse(const char *a, const char *b)
{
        char *argv[] = { "heatpadd", (char *)a, (char *)b, NULL };
        optind = 0;             /* getopt's own state starts over */
        opterr = 0;
        return options_parse(b ? 3 : 2, argv, &o);
}

static void defaults(void **state)
{
        char *argv[] = { "heatpadd", NULL };
        (void)state;
        optind = 0;
        assert_int_equal(options_parse(1, argv, &o), 0);
        assert_string_equal(o.config_path, "/etc/heatpad/config.json");
        assert_true(o.sim_speed == 1);
        assert_true(o.status_every_s == 60);
        assert_true(o.run_for_s == 0);
        assert_int_equal(o.sim_start, -1);
}

static void run_for(void **state)
{
        (void)state;
        assert_int_equal(parse("--run-for", "3600"), 0);
        assert_true(o.run_for_s == 3600);
        assert_int_equal(parse("--run-for", "0.5"), 0);
        assert_true(o.run_for_s == 0.5);
        assert_int_equal(parse("--run-for", "315360000"), 0);
        assert_int_equal(parse("--run-for", "inf"), -1);
        assert_int_equal(parse("--run-for", "-inf"), -1);
        assert_int_equal(parse("--run-for", "nan"), -1);
        assert_int_equal(parse("--run-for", "1e300"), -1);
        assert_int_equal(parse("--run-for", "315360001"), -1);
        assert_int_equal(parse("--run-for", "-1"), -1);
        assert_int_equal(parse("--run-for", ""), -1);
        assert_int_equal(parse("--run-for", " 5"), -1);
        assert_int_equal(parse("--run-for", "5s"), -1);
}

static void sim_speed_and_status(void **state)
{
        (void)state;
        assert_int_equal(parse("--sim-speed", "600"), 0);
        assert_true(o.sim_speed == 600);
        assert_int_equal(parse("--sim-speed", "100000"), 0);
        assert_int_equal(parse("--sim-speed", "1e300"), -1);
        assert_int_equal(parse("--sim-speed", "nan"), -1);
        assert_int_equal(parse("--sim-speed", "inf"), -1);
        assert_int_equal(parse("--sim-speed", "0.5"), -1);
        assert_int_equal(parse("--status-every", "0"), 0);
        assert_true(o.status_every_s == 0);
        assert_int_equal(parse("--status-every", "86400"), 0);
        assert_int_equal(parse("--status-every", "86401"), -1);
        assert_int_equal(parse("--status-every", "nan"), -1);
        assert_int_equal(parse("--status-every", "1e300"), -1);
}

static void faults_steps_starts(void **state)
{
        (void)state;
        assert_int_equal(parse("--sim-fault", "upper back:heal@30.5"), 0);
        assert_int_equal(o.nfaults, 1);
        assert_string_equal(o.faults[0].zone, "upper back");
        assert_true(o.faults[0].at_s == 30.5);
        assert_int_equal(parse("--sim-fault", "a:heal@inf"), -1);
        assert_int_equal(parse("--sim-fault", "a:heal@nan"), -1);
        assert_int_equal(parse("--sim-fault", "a:heal@1e300"), -1);
        assert_int_equal(parse("--sim-fault", "a:heal@-1"), -1);
        assert_int_equal(parse("--sim-fault", "a:melt@1"), -1);

        assert_int_equal(parse("--sim-clock-step", "-10800@3600"), 0);
        assert_int_equal(o.nsteps, 1);
        assert_true(o.steps[0].seconds == -10800 && o.steps[0].at_s == 3600);
        assert_int_equal(parse("--sim-clock-step", "604800@0"), 0);
        assert_int_equal(parse("--sim-clock-step", "604801@0"), -1);
        assert_int_equal(parse("--sim-clock-step", "0@10"), -1);
        assert_int_equal(parse("--sim-clock-step", "10@nan"), -1);
        assert_int_equal(parse("--sim-clock-step", "10@inf"), -1);
        assert_int_equal(parse("--sim-clock-step",
                               "99999999999999999999@1"), -1);
        assert_int_equal(parse("--sim-clock-step", "10"), -1);

        assert_int_equal(parse("--start", "upper back:20:40"), 0);
        assert_int_equal(o.nstarts, 1);
        assert_string_equal(o.starts[0].zone, "upper back");
        assert_int_equal(o.starts[0].minutes, 20);
        assert_true(o.starts[0].setpoint_c == 40);
        assert_int_equal(parse("--start", "a:20:nan"), -1);
        assert_int_equal(parse("--start", "a:20:inf"), -1);
        assert_int_equal(parse("--start", "a:0:40"), -1);
        assert_int_equal(parse("--start", "a:99999999999999999999:40"), -1);
        assert_int_equal(parse("--start", "a: 20:40"), -1);
}

static void sim_start(void **state)
{
        (void)state;
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        assert_int_equal(parse("--sim-start", "2026-11-24T20:15:30"), 0);
        assert_int_equal(o.sim_start, 1795547730);
        assert_int_equal(parse("--sim-start", "2026-11-24T-1:15"), -1);
        assert_int_equal(parse("--sim-start", "2026-02-31T10:00"), -1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(defaults),
                cmocka_unit_test(run_for),
                cmocka_unit_test(sim_speed_and_status),
                cmocka_unit_test(faults_steps_starts),
                cmocka_unit_test(sim_start),
        };
        return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
