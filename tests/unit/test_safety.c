/* Unit tests for safety.c: every fault turns the relay off within one tick
 * (safety_check returns it the tick it happens) and stays latched until
 * cleared with its condition gone. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "core/safety.h"
#include "test.h"

struct rig {
        struct safety s;
        uint64_t t;
};

static void rig_init(struct rig *r)
{
        struct safety_params p;
        safety_default_params(&p);
        r->t = 1000;
        safety_init(&r->s, &p, r->t);
}

/* One 1 s tick with a reading. */
static enum safety_fault tick(struct rig *r, double temp, bool relay,
                              double duty, bool heating, double sp)
{
        struct safety_input in = {
                .have_reading = true, .temp_c = temp, .relay_on = relay,
                .duty = duty, .heating = heating, .setpoint_c = sp,
        };
        r->t += 1000;
        return safety_check(&r->s, &in, r->t);
}

static enum safety_fault tick_error(struct rig *r)
{
        struct safety_input in = { .have_reading = true, .read_error = true };
        r->t += 1000;
        return safety_check(&r->s, &in, r->t);
}

static enum safety_fault tick_nothing(struct rig *r)
{
        struct safety_input in = { 0 };
        r->t += 1000;
        return safety_check(&r->s, &in, r->t);
}

static void normal_holding_raises_nothing(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        for (int i = 0; i < 3600; i++)
                assert_int_equal(tick(&r, 40 + 0.3 * sin(i / 30.0), i % 60 < 20,
                                      0.35, true, 40), FAULT_NONE);
}

static void over_temp_latches_until_cool(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        assert_int_equal(tick(&r, 44.9, true, 0.5, true, 40), FAULT_NONE);
        assert_int_equal(tick(&r, 45.0, true, 0.5, true, 40), FAULT_OVER_TEMP);
        /* Latched even after it cools a little. */
        assert_int_equal(tick(&r, 44.0, false, 0, false, 40), FAULT_OVER_TEMP);
        assert_int_equal(safety_clear(&r.s, r.t), -EBUSY);
        assert_int_equal(tick(&r, 42.9, false, 0, false, 40), FAULT_OVER_TEMP);
        assert_int_equal(safety_clear(&r.s, r.t), 0);
        assert_int_equal(tick(&r, 42.9, false, 0, false, 40), FAULT_NONE);
}

static void sensor_timeout_after_five_seconds(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        assert_int_equal(tick(&r, 30, false, 0, false, 0), FAULT_NONE);
        for (int i = 0; i < 4; i++)
                assert_int_equal(tick_nothing(&r), FAULT_NONE);
        assert_int_equal(tick_nothing(&r), FAULT_SENSOR_TIMEOUT);
        assert_int_equal(safety_clear(&r.s, r.t), -EBUSY);
        assert_int_equal(tick(&r, 30, false, 0, false, 0), FAULT_SENSOR_TIMEOUT);
        assert_int_equal(safety_clear(&r.s, r.t), 0);
}

static void no_reading_ever_times_out(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        for (int i = 0; i < 4; i++)
                assert_int_equal(tick_nothing(&r), FAULT_NONE);
        assert_int_equal(tick_nothing(&r), FAULT_SENSOR_TIMEOUT);
}

static void out_of_range_readings(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        assert_int_equal(tick(&r, -20.5, false, 0, false, 0), FAULT_SENSOR_RANGE);
        rig_init(&r);
        assert_int_equal(tick(&r, 90.5, false, 0, false, 0), FAULT_SENSOR_RANGE);
        rig_init(&r);
        assert_int_equal(tick(&r, NAN, false, 0, false, 0), FAULT_SENSOR_RANGE);
        /* A bad reading is not "fresh": the fault cannot clear on it. */
        assert_int_equal(safety_clear(&r.s, r.t), -EBUSY);
}

static void ds18b20_power_on_value(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        assert_int_equal(tick(&r, 85.0, false, 0, false, 0), FAULT_SENSOR_POWER_ON);
        rig_init(&r);
        assert_int_equal(tick(&r, 84.9375, false, 0, false, 0), FAULT_OVER_TEMP);
}

static void read_error(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        assert_int_equal(tick(&r, 30, false, 0, false, 0), FAULT_NONE);
        assert_int_equal(tick_error(&r), FAULT_SENSOR_ERROR);
        assert_int_equal(safety_clear(&r.s, r.t), -EBUSY);
        tick(&r, 30, false, 0, false, 0);
        assert_int_equal(safety_clear(&r.s, r.t), 0);
}

static void runaway_when_heating_does_not_warm(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        /* Full duty, 10 C below setpoint, rising 0.2 C in 120 s: under
         * the 0.3 C floor a pad with no model is held to. */
        enum safety_fault f = FAULT_NONE;
        int i;
        for (i = 0; i < 200 && f == FAULT_NONE; i++)
                f = tick(&r, 30 + i * 0.2 / 120, true, 1.0, true, 40);
        assert_int_equal(f, FAULT_RUNAWAY);
        assert_true(i >= 120 && i <= 122);
}

static void runaway_expects_the_models_rise(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        /* A pad the model says warms ~2.3 C in 120 s from 30 C at full
         * power (K 25, tau 1000 s, rest 30): 0.6 C in 120 s is far less
         * than its share, though above the floor. */
        safety_set_plant(&r.s, 25, 1000, 10, 30);
        enum safety_fault f = FAULT_NONE;
        int i;
        for (i = 0; i < 200 && f == FAULT_NONE; i++)
                f = tick(&r, 30 + i * 0.6 / 120, true, 1.0, true, 40);
        assert_int_equal(f, FAULT_RUNAWAY);
        /* The same pad warming as the model says raises nothing. */
        rig_init(&r);
        safety_set_plant(&r.s, 25, 1000, 10, 30);
        for (i = 0; i < 300; i++)
                assert_int_equal(tick(&r, 30 + 25 * (1 - exp(-i / 1000.0)),
                                      true, 1.0, true, 40), FAULT_NONE);
}

/* A sensor half off a 150 W pad: 0.45 C in 120 s from a cold start at
 * full duty passes the floor, but no pad of 150 W warms that slowly (the
 * bound asks 0.54 C); declared 10 W, or no power, it is not a runaway. */
static enum safety_fault slow_rise_with_power(double power_w)
{
        struct rig r;
        enum safety_fault f = FAULT_NONE;
        rig_init(&r);
        safety_set_power(&r.s, power_w);
        for (int i = 0; i < 300 && f == FAULT_NONE; i++)
                f = tick(&r, 22 + i * 0.45 / 120, true, 1.0, true, 40);
        return f;
}

static void runaway_expects_what_the_declared_power_guarantees(void **state)
{
        (void)state;
        assert_int_equal(slow_rise_with_power(150), FAULT_RUNAWAY);
        assert_int_equal(slow_rise_with_power(10), FAULT_NONE);
        assert_int_equal(slow_rise_with_power(0), FAULT_NONE);
}

/* The bound shrinks as the pad nears its setpoint (the loss it may have
 * grows): a 150 W pad warming 0.35 C in 120 s at 37 C is no runaway. */
static void declared_power_asks_little_near_the_setpoint(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        safety_set_power(&r.s, 150);
        for (int i = 0; i < 600; i++)
                assert_int_equal(tick(&r, 36 + i * 0.35 / 120, true, 1.0, true,
                                      45), FAULT_NONE);
}

static void weak_pad_warming_slowly_is_no_runaway(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        /* 0.45 C in 120 s, a 10 W pad near the top of its range. */
        for (int i = 0; i < 600; i++)
                assert_int_equal(tick(&r, 33 + i * 0.45 / 120 +
                                      0.0625 * (i % 3 == 0), true, 1.0, true,
                                      40), FAULT_NONE);
}

static void no_runaway_when_warming(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        for (int i = 0; i < 600; i++)
                assert_int_equal(tick(&r, 25 + i * 0.02, true, 1.0, true, 40),
                                 FAULT_NONE);
}

static void no_runaway_near_setpoint_with_high_duty(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        /* A cold room can need high duty to hold 40 C: that is fine. (The
         * reading moves by a quantum, as a real one does.) */
        for (int i = 0; i < 600; i++)
                assert_int_equal(tick(&r, 39.5 + (i % 2) * 0.0625, true, 0.8,
                                      true, 40), FAULT_NONE);
}

static void holding_drop_after_reaching_setpoint(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        for (int i = 0; i < 60; i++)
                assert_int_equal(tick(&r, 40, false, 0.3, true, 40), FAULT_NONE);
        /* Sensor falls off the pad: 35 C, 5 below setpoint. Duty stays low
         * so the runaway check is not what catches it. */
        enum safety_fault f = FAULT_NONE;
        int i;
        for (i = 0; i < 200 && f == FAULT_NONE; i++)
                f = tick(&r, 35, false, 0.4, true, 40);
        assert_int_equal(f, FAULT_HOLDING);
        assert_true(i >= 120 && i <= 122);
}

static void cold_start_is_not_a_holding_fault(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        for (int i = 0; i < 900; i++)
                assert_int_equal(tick(&r, 22 + i * 0.02, true, 0.4, true, 40),
                                 FAULT_NONE);
}

static void stuck_relay(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        /* Commanded off, 2+ C above setpoint and still rising. */
        enum safety_fault f = FAULT_NONE;
        int i;
        for (i = 0; i < 200 && f == FAULT_NONE; i++)
                f = tick(&r, 42.5 + i * 0.01, false, 0, true, 40);
        assert_int_equal(f, FAULT_STUCK_RELAY);
        /* Checked from half the 60 s window on (a cooling pad only falls
         * further), so a rise this fast is caught at about 30 s. */
        assert_true(i >= 30 && i <= 62);
        /* Clears only once the pad is cooling. */
        assert_int_equal(safety_clear(&r.s, r.t), -EBUSY);
        tick(&r, r.s.fault_temp_c - 0.6, false, 0, false, 40);
        assert_int_equal(safety_clear(&r.s, r.t), 0);
}

static void cooling_after_stop_is_not_stuck(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        for (int i = 0; i < 600; i++)
                assert_int_equal(tick(&r, 43 - i * 0.01, false, 0, false, 40),
                                 FAULT_NONE);
}

static void body_heat_is_not_stuck(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        /* A low setpoint on a warm body: rising to 36 with the relay off is
         * the person, not the relay. */
        for (int i = 0; i < 600; i++)
                assert_int_equal(tick(&r, 30 + i * 0.01, false, 0, true, 30),
                                 FAULT_NONE);
}

static void first_fault_is_kept(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        tick(&r, 85.0, false, 0, false, 0);
        tick(&r, 95.0, false, 0, false, 0);
        tick_nothing(&r);
        assert_int_equal(r.s.fault, FAULT_SENSOR_POWER_ON);
        assert_string_equal(safety_fault_name(r.s.fault), "sensor_power_on");
}

static void relay_error(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        tick(&r, 30, true, 0.5, true, 40);
        safety_relay_failed(&r.s);
        assert_int_equal(tick(&r, 30, false, 0, false, 40), FAULT_RELAY_ERROR);
        assert_int_equal(safety_clear(&r.s, r.t), 0);
}

static void restored_fault_needs_a_clear(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        safety_restore(&r.s, FAULT_STUCK_RELAY);
        assert_int_equal(tick(&r, 36, false, 0, false, 0), FAULT_STUCK_RELAY);
        /* Measured from the first reading after the restart: not cooled. */
        assert_int_equal(safety_clear(&r.s, r.t), -EBUSY);
        tick(&r, 35.4, false, 0, false, 0);
        assert_int_equal(safety_clear(&r.s, r.t), 0);
        assert_int_equal(safety_fault_parse("stuck_relay"), FAULT_STUCK_RELAY);
        assert_int_equal(safety_fault_parse("melted"), FAULT_NONE);
}

static void relay_fault_kept_while_writes_fail(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        tick(&r, 30, true, 0.5, true, 40);
        safety_relay_failed(&r.s);
        safety_relay_failing(&r.s, true);
        assert_int_equal(tick(&r, 30, false, 0, false, 40), FAULT_RELAY_ERROR);
        assert_int_equal(safety_clear(&r.s, r.t), -EBUSY);
        safety_relay_failing(&r.s, false);      /* the off went through */
        assert_int_equal(safety_clear(&r.s, r.t), 0);
}

/* Second sensor: a rig whose zone has two. */
static void rig2_init(struct rig *r, double disagree_c)
{
        struct safety_params p;
        safety_default_params(&p);
        p.two_sensors = true;
        p.disagree_c = disagree_c;
        r->t = 1000;
        safety_init(&r->s, &p, r->t);
}

static enum safety_fault tick2(struct rig *r, double t1, double t2)
{
        bool relay = false;
        struct safety_input in = {
                .have_reading = true, .temp_c = t1, .relay_on = relay,
                .duty = 0.5, .heating = true, .setpoint_c = 40,
                .have_reading2 = true, .temp2_c = t2,
        };
        r->t += 1000;
        return safety_check(&r->s, &in, r->t);
}

static void second_sensor_within_margin_is_fine(void **state)
{
        struct rig r;
        (void)state;
        rig2_init(&r, 3);
        for (int i = 0; i < 600; i++)
                assert_int_equal(tick2(&r, 40, 40 + 2.9 * sin(i / 10.0)),
                                 FAULT_NONE);
}

static void frozen_reading_latches_after_on_time(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        /* 59 s of heater-on time on one exact value: not yet. */
        for (int i = 0; i < 59; i++)
                assert_int_equal(tick(&r, 39.0, true, 1.0, true, 40), FAULT_NONE);
        assert_int_equal(tick(&r, 39.0, true, 1.0, true, 40), FAULT_SENSOR_FROZEN);
        assert_string_equal(safety_fault_name(r.s.fault), "sensor_frozen");
        /* Still the same value: the cause is there. */
        assert_int_equal(safety_clear(&r.s, r.t), -EBUSY);
        tick(&r, 38.9375, false, 0, false, 40);
        assert_int_equal(safety_clear(&r.s, r.t), 0);
}

static void frozen_reading_counts_only_relay_on_time(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        /* Idle, the same value for an hour is a quiet room, not a fault;
         * at a third duty it takes three times as long. */
        for (int i = 0; i < 3600; i++)
                assert_int_equal(tick(&r, 22.0, false, 0, false, 0), FAULT_NONE);
        enum safety_fault f = FAULT_NONE;
        int n = 0;
        while (f == FAULT_NONE && n < 1000)
                f = tick(&r, 39.0, n++ % 3 == 0, 0.33, true, 40);
        assert_int_equal(f, FAULT_SENSOR_FROZEN);
        assert_in_range(n, 175, 182);
}

static void moving_reading_is_never_frozen(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        for (int i = 0; i < 3600; i++)
                assert_int_equal(tick(&r, 39.9375 + (i / 30 % 2) * 0.0625,
                                      true, 1.0, true, 40), FAULT_NONE);
}

static void second_sensor_disagreeing_latches(void **state)
{
        struct rig r;
        (void)state;
        rig2_init(&r, 3);
        assert_int_equal(tick2(&r, 38, 40), FAULT_NONE);
        assert_int_equal(tick2(&r, 38, 41.5), FAULT_SENSOR_DISAGREE);
        assert_string_equal(safety_fault_name(r.s.fault), "sensor_disagree");
        /* Still apart: the clear is refused; together again: it clears. */
        assert_int_equal(tick2(&r, 38, 41.5), FAULT_SENSOR_DISAGREE);
        assert_int_equal(safety_clear(&r.s, r.t), -EBUSY);
        assert_int_equal(tick2(&r, 38, 39), FAULT_SENSOR_DISAGREE);
        assert_int_equal(safety_clear(&r.s, r.t), 0);
        /* Either way round. */
        assert_int_equal(tick2(&r, 43, 39.5), FAULT_SENSOR_DISAGREE);
}

static void hotter_sensor_meets_the_cutoff(void **state)
{
        struct rig r;
        (void)state;
        rig2_init(&r, 20);
        assert_int_equal(tick2(&r, 38, 44.9), FAULT_NONE);
        assert_int_equal(tick2(&r, 38, 45.0), FAULT_OVER_TEMP);
        assert_near(r.s.fault_temp_c, 45.0, 1e-9);
        /* The cool one alone cannot clear it. */
        assert_int_equal(tick2(&r, 38, 43.5), FAULT_OVER_TEMP);
        assert_int_equal(safety_clear(&r.s, r.t), -EBUSY);
        assert_int_equal(tick2(&r, 38, 42.9), FAULT_OVER_TEMP);
        assert_int_equal(safety_clear(&r.s, r.t), 0);
}

static void second_sensor_errors_and_silence(void **state)
{
        struct rig r;
        struct safety_input in = {
                .have_reading = true, .temp_c = 38, .heating = true,
                .setpoint_c = 40, .have_reading2 = true, .read_error2 = true,
        };
        (void)state;
        rig2_init(&r, 3);
        r.t += 1000;
        assert_int_equal(safety_check(&r.s, &in, r.t), FAULT_SENSOR_ERROR);
        /* A good first sensor does not make the zone fresh alone. */
        assert_int_equal(tick(&r, 38, false, 0, true, 40), FAULT_SENSOR_ERROR);
        assert_int_equal(safety_clear(&r.s, r.t), -EBUSY);

        /* The second falls silent: a timeout, though the first reads on. */
        rig2_init(&r, 3);
        assert_int_equal(tick2(&r, 38, 38), FAULT_NONE);
        for (int i = 0; i < 4; i++)
                assert_int_equal(tick(&r, 38, false, 0, true, 40), FAULT_NONE);
        assert_int_equal(tick(&r, 38, false, 0, true, 40),
                         FAULT_SENSOR_TIMEOUT);
        /* Its power-on value is caught as the first one's would be. */
        rig2_init(&r, 3);
        assert_int_equal(tick2(&r, 38, 85.0), FAULT_SENSOR_POWER_ON);
}

static void one_sensor_ignores_second_slot(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        /* A zone without a second sensor: nothing in its slot counts. */
        assert_int_equal(tick2(&r, 38, 85.0), FAULT_NONE);
        assert_int_equal(tick2(&r, 38, 60.0), FAULT_NONE);
}

/* The checks themselves ran 12 s late (the process was stopped): that is
 * the controller's fault, not the sensor's, and it is latched at once. */
static void a_late_check_is_a_stalled_controller(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        for (int i = 0; i < 10; i++)
                assert_int_equal(tick(&r, 38, true, 0.6, true, 40), FAULT_NONE);
        r.t += 11000;
        assert_int_equal(tick(&r, 38, true, 0.6, true, 40),
                         FAULT_CONTROLLER_STALLED);
        assert_int_equal(r.s.stall_ms, 12000);
        assert_string_equal(safety_fault_name(r.s.fault), "controller_stalled");
        assert_null(strstr(safety_fault_help(r.s.fault), "cable"));
        /* Fresh readings on time let it be cleared. */
        tick(&r, 38, false, 0, false, 40);
        assert_int_equal(safety_clear(&r.s, r.t), 0);
        /* A sensor that goes silent while the checks run on time is still
         * the sensor's fault. */
        for (int i = 0; i < 5; i++)
                tick_nothing(&r);
        assert_int_equal(r.s.fault, FAULT_SENSOR_TIMEOUT);
}

/* The first check after start-up has no previous one to be late for. */
static void first_check_is_never_stalled(void **state)
{
        struct rig r;
        (void)state;
        rig_init(&r);
        r.t += 3000;
        assert_int_equal(tick(&r, 38, false, 0, false, 40), FAULT_NONE);
        assert_int_equal(safety_fault_parse("controller_stalled"),
                         FAULT_CONTROLLER_STALLED);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(normal_holding_raises_nothing),
                cmocka_unit_test(a_late_check_is_a_stalled_controller),
                cmocka_unit_test(first_check_is_never_stalled),
                cmocka_unit_test(over_temp_latches_until_cool),
                cmocka_unit_test(sensor_timeout_after_five_seconds),
                cmocka_unit_test(no_reading_ever_times_out),
                cmocka_unit_test(out_of_range_readings),
                cmocka_unit_test(ds18b20_power_on_value),
                cmocka_unit_test(read_error),
                cmocka_unit_test(runaway_when_heating_does_not_warm),
                cmocka_unit_test(no_runaway_when_warming),
                cmocka_unit_test(runaway_expects_the_models_rise),
                cmocka_unit_test(weak_pad_warming_slowly_is_no_runaway),
                cmocka_unit_test(runaway_expects_what_the_declared_power_guarantees),
                cmocka_unit_test(declared_power_asks_little_near_the_setpoint),
                cmocka_unit_test(no_runaway_near_setpoint_with_high_duty),
                cmocka_unit_test(holding_drop_after_reaching_setpoint),
                cmocka_unit_test(cold_start_is_not_a_holding_fault),
                cmocka_unit_test(stuck_relay),
                cmocka_unit_test(cooling_after_stop_is_not_stuck),
                cmocka_unit_test(body_heat_is_not_stuck),
                cmocka_unit_test(first_fault_is_kept),
                cmocka_unit_test(relay_error),
                cmocka_unit_test(restored_fault_needs_a_clear),
                cmocka_unit_test(relay_fault_kept_while_writes_fail),
                cmocka_unit_test(second_sensor_within_margin_is_fine),
                cmocka_unit_test(second_sensor_disagreeing_latches),
                cmocka_unit_test(frozen_reading_latches_after_on_time),
                cmocka_unit_test(frozen_reading_counts_only_relay_on_time),
                cmocka_unit_test(moving_reading_is_never_frozen),
                cmocka_unit_test(hotter_sensor_meets_the_cutoff),
                cmocka_unit_test(second_sensor_errors_and_silence),
                cmocka_unit_test(one_sensor_ignores_second_slot),
        };
        return cmocka_run_group_tests_name("safety", tests, NULL, NULL);
}
