/* Unit tests for mqtt_flow.c: the bounds on what a flood of MQTT commands
 * makes (publishes awaiting the broker, results awaiting the socket, log
 * lines), and the summary that counts what was left out. */
#include <stdio.h>
#include <string.h>

#include "net/mqtt_flow.h"
#include "test.h"

static void states_wait_at_the_bound_and_resume_on_acks(void **state)
{
        struct mqtt_flow f = { 0 };

        (void)state;
        for (int i = 0; i < MQTT_FLOW_OUT_MAX; i++) {
                assert_true(mqtt_flow_room(&f));
                mqtt_flow_sent(&f);
        }
        assert_false(mqtt_flow_room(&f));
        assert_true(mqtt_flow_result_room(&f));     /* counted apart */
        mqtt_flow_published(&f, 12345);             /* a PUBACK */
        assert_true(mqtt_flow_room(&f));
        mqtt_flow_connected(&f);
        assert_int_equal(f.unacked, 0);
        mqtt_flow_published(&f, 1);     /* a late PUBACK from before */
        assert_int_equal(f.unacked, 0);
}

static void results_are_counted_by_their_message_id(void **state)
{
        struct mqtt_flow f = { 0 };

        (void)state;
        mqtt_flow_sent(&f);                         /* a state, mid 1 */
        for (int mid = 2; mid < 2 + MQTT_FLOW_OUT_MAX; mid++)
                mqtt_flow_result_sent(&f, mid);
        assert_false(mqtt_flow_result_room(&f));
        assert_true(mqtt_flow_room(&f));
        mqtt_flow_published(&f, 7);                 /* result 7 written */
        assert_true(mqtt_flow_result_room(&f));
        assert_int_equal(f.unwritten, MQTT_FLOW_OUT_MAX - 1);
        assert_int_equal(f.unacked, 1);
        mqtt_flow_published(&f, 1);                 /* the state acked */
        assert_int_equal(f.unacked, 0);
        assert_int_equal(f.unwritten, MQTT_FLOW_OUT_MAX - 1);
        /* Nothing left to write: none waits, whatever the ids said. */
        mqtt_flow_all_written(&f);
        assert_int_equal(f.unwritten, 0);
        assert_int_equal(f.unacked, 0);
        /* Unwritten results die with the connection. */
        mqtt_flow_result_sent(&f, 99);
        mqtt_flow_connected(&f);
        assert_int_equal(f.unwritten, 0);
}

static void results_past_the_bound_are_counted_by_their_id(void **state)
{
        struct mqtt_flow f = { 0 };

        (void)state;
        mqtt_flow_sent(&f);                         /* a state, mid 1 */
        for (int mid = 2; mid < 2 + MQTT_FLOW_OUT_MAX; mid++)
                mqtt_flow_result_sent(&f, mid);
        assert_false(mqtt_flow_result_room(&f));
        /* Stops' answers go out all the same, and are counted. */
        for (int mid = 1000; mid < 1010; mid++)
                mqtt_flow_result_sent(&f, mid);
        assert_int_equal(f.unwritten, MQTT_FLOW_OUT_MAX + 10);
        /* Written: they are results, not the state's PUBACK. */
        for (int mid = 1000; mid < 1010; mid++)
                mqtt_flow_published(&f, mid);
        assert_int_equal(f.unwritten, MQTT_FLOW_OUT_MAX);
        assert_int_equal(f.unacked, 1);
        assert_false(mqtt_flow_result_room(&f));
        mqtt_flow_published(&f, 1);
        assert_int_equal(f.unacked, 0);
        /* An id is counted once; the highest ids work too. */
        mqtt_flow_all_written(&f);
        mqtt_flow_result_sent(&f, 65535);
        mqtt_flow_result_sent(&f, 65535);
        assert_int_equal(f.unwritten, 1);
        mqtt_flow_published(&f, 65535);
        assert_int_equal(f.unwritten, 0);
        assert_int_equal(f.unacked, 0);
}

static void refusals_logged_up_to_the_burst_then_summed_up(void **state)
{
        struct mqtt_flow f = { 0 };
        char buf[384];
        int logged = 0;

        (void)state;
        f.window_start_ms = 1000;
        assert_false(mqtt_flow_command(&f, false, 1000));  /* accepted */
        for (int i = 0; i < 100; i++)
                logged += mqtt_flow_command(&f, true, 1000 + i);
        assert_int_equal(logged, MQTT_FLOW_LOG_BURST);
        mqtt_flow_result_dropped(&f);
        /* Nothing before the window has run out. */
        assert_false(mqtt_flow_summary(&f, 5000, buf, sizeof(buf)));
        assert_true(mqtt_flow_summary(&f, 1000 + MQTT_FLOW_WINDOW_MS, buf,
                                      sizeof(buf)));
        assert_non_null(strstr(buf, "90 refusals not logged"));
        assert_non_null(strstr(buf, "1 results dropped"));
        assert_non_null(strstr(buf, "101 commands, 100 refused"));
        /* A new window logs again; a quiet one says nothing. */
        double t = 1000 + MQTT_FLOW_WINDOW_MS;
        assert_true(mqtt_flow_command(&f, true, t + 1));
        assert_false(mqtt_flow_summary(&f, t + 2 * MQTT_FLOW_WINDOW_MS, buf,
                                       sizeof(buf)));
        assert_int_equal(f.refused, 101);
        assert_int_equal(f.results_dropped, 1);
}

static void a_refusal_after_a_quiet_spell_is_logged(void **state)
{
        struct mqtt_flow f = { 0 };

        (void)state;
        for (int i = 0; i < MQTT_FLOW_LOG_BURST; i++)
                assert_true(mqtt_flow_command(&f, true, 0));
        assert_false(mqtt_flow_command(&f, true, 1));
        /* The summary timer has not run yet, but the window is over and
         * something in it is still unsummed: counted, not logged. */
        assert_false(mqtt_flow_command(&f, true, MQTT_FLOW_WINDOW_MS + 5));
        char buf[384];
        assert_true(mqtt_flow_summary(&f, MQTT_FLOW_WINDOW_MS + 10, buf,
                                      sizeof(buf)));
        assert_non_null(strstr(buf, "2 refusals not logged"));
        /* Later, a single refusal in a fresh window is logged at once. */
        assert_true(mqtt_flow_command(&f, true, 3 * MQTT_FLOW_WINDOW_MS));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(states_wait_at_the_bound_and_resume_on_acks),
                cmocka_unit_test(results_are_counted_by_their_message_id),
                cmocka_unit_test(results_past_the_bound_are_counted_by_their_id),
                cmocka_unit_test(refusals_logged_up_to_the_burst_then_summed_up),
                cmocka_unit_test(a_refusal_after_a_quiet_spell_is_logged),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
