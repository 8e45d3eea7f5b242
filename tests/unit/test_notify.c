/* Unit tests for notify.c against a real AF_UNIX datagram socket standing
 * in for systemd's NOTIFY_SOCKET: READY=1 with a status, STATUS= only when
 * it changed, watchdog pings only from ticks that came on time and at most
 * every quarter interval, nothing at all outside systemd, and the status
 * line people read. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/core.h"
#include "daemon/notify.h"
#include "test.h"

static char dir[64], sock_path[128];
static int sock = -1;

static int setup(void **state)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        (void)state;
        snprintf(dir, sizeof(dir), "/tmp/heatpad-notify-XXXXXX");
        assert_non_null(mkdtemp(dir));
        snprintf(sock_path, sizeof(sock_path), "%s/notify", dir);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
        sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        assert_true(sock >= 0);
        assert_int_equal(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
        setenv("NOTIFY_SOCKET", sock_path, 1);
        setenv("WATCHDOG_USEC", "4000000", 1);   /* 4 s */
        unsetenv("WATCHDOG_PID");
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        close(sock);
        unlink(sock_path);
        rmdir(dir);
        unsetenv("NOTIFY_SOCKET");
        unsetenv("WATCHDOG_USEC");
        return 0;
}

/* The next datagram, or "" when none is waiting. */
static const char *next_msg(void)
{
        static char buf[1024];
        ssize_t n = recv(sock, buf, sizeof(buf) - 1, 0);
        buf[n > 0 ? n : 0] = '\0';
        return buf;
}

static void ready_carries_status(void **state)
{
        struct notify n;
        (void)state;
        notify_init(&n);
        assert_true(notify_enabled(&n));
        assert_int_equal(notify_ready(&n, "started, all relays off"), 0);
        assert_string_equal(next_msg(), "READY=1\nSTATUS=started, all relays off");
        assert_string_equal(next_msg(), "");
}

static void status_only_when_changed(void **state)
{
        struct notify n;
        (void)state;
        notify_init(&n);
        notify_status(&n, "upper back: off");
        notify_status(&n, "upper back: off");
        notify_status(&n, "upper back: heating");
        assert_string_equal(next_msg(), "STATUS=upper back: off");
        assert_string_equal(next_msg(), "STATUS=upper back: heating");
        assert_string_equal(next_msg(), "");
}

static void watchdog_from_on_time_ticks(void **state)
{
        struct notify n;
        (void)state;
        notify_init(&n);
        assert_int_equal(n.watchdog_ms, 4000);
        /* Ticks every second: a ping at once, then at most every 1 s. */
        assert_int_equal(notify_tick(&n, 10000, 1000), 1);
        assert_string_equal(next_msg(), "WATCHDOG=1");
        assert_int_equal(notify_tick(&n, 10500, 1000), 0);   /* too soon */
        assert_string_equal(next_msg(), "");
        assert_int_equal(notify_tick(&n, 11000, 1000), 1);
        assert_string_equal(next_msg(), "WATCHDOG=1");
        /* A tick 3.5 s after the last (due after 1 s, 2.5 s late, more
         * than half the interval): the loop was stuck, no ping. */
        assert_int_equal(notify_tick(&n, 14500, 1000), 0);
        assert_true(n.late);
        assert_string_equal(next_msg(), "");
        /* Back on time: pings again. */
        assert_int_equal(notify_tick(&n, 15500, 1000), 1);
        assert_false(n.late);
        assert_string_equal(next_msg(), "WATCHDOG=1");
        /* Just inside the slack (1 s period + 2 s) still counts. */
        assert_int_equal(notify_tick(&n, 18500, 1000), 1);
        assert_string_equal(next_msg(), "WATCHDOG=1");
}

static void stopping(void **state)
{
        struct notify n;
        (void)state;
        notify_init(&n);
        notify_stopping(&n, "stopping: all relays off");
        assert_string_equal(next_msg(), "STOPPING=1\nSTATUS=stopping: all relays off");
}

static void nothing_outside_systemd(void **state)
{
        struct notify n;
        (void)state;
        unsetenv("NOTIFY_SOCKET");
        unsetenv("WATCHDOG_USEC");
        notify_init(&n);
        assert_int_equal(n.watchdog_ms, 0);
        assert_false(notify_enabled(&n));
        assert_int_equal(notify_ready(&n, "x"), 0);
        assert_int_equal(notify_tick(&n, 1000, 1000), 0);
        assert_int_equal(notify_tick(&n, 2000, 1000), 0);
        assert_int_equal(notify_stopping(&n, "y"), 0);
        assert_string_equal(next_msg(), "");
}

static void watchdog_for_another_pid_is_off(void **state)
{
        struct notify n;
        (void)state;
        setenv("WATCHDOG_PID", "1", 1);         /* meant for someone else */
        notify_init(&n);
        unsetenv("WATCHDOG_PID");
        assert_int_equal(n.watchdog_ms, 0);
        assert_int_equal(notify_tick(&n, 1000, 1000), 0);
        assert_string_equal(next_msg(), "");
}

/* systemd busy: its queue is full. Sending must not block the loop (nor
 * keep it from hearing SIGTERM); the message is dropped and said so. */
static void a_full_queue_never_blocks(void **state)
{
        struct notify n;
        int full = 0;
        (void)state;
        notify_init(&n);
        alarm(10);              /* a blocking send would hang here */
        for (int i = 0; i < 100000 && !full; i++) {
                char status[32];
                snprintf(status, sizeof(status), "status %d", i);
                full = notify_status(&n, status) == -EAGAIN;
        }
        alarm(0);
        assert_true(full);
        /* Not sent, so not remembered: the same status goes once there is
         * room again. */
        char last[NOTIFY_STATUS_MAX];
        snprintf(last, sizeof(last), "%s", "status again");
        while (*next_msg())
                ;
        assert_int_equal(notify_status(&n, last), 0);
        assert_int_equal(notify_status(&n, last), 0);
        assert_string_equal(next_msg(), "STATUS=status again");
        assert_string_equal(next_msg(), "");
        notify_stopping(&n, "x");
}

static void abstract_socket_address(void **state)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char name[] = "heatpad-notify-test";
        struct notify n;
        char buf[64];
        int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        (void)state;
        /* "@name": the abstract namespace, a leading NUL, no terminator. */
        memcpy(sa.sun_path + 1, name, sizeof(name) - 1);
        assert_int_equal(bind(s, (struct sockaddr *)&sa,
                              offsetof(struct sockaddr_un, sun_path) + sizeof(name)), 0);
        setenv("NOTIFY_SOCKET", "@heatpad-notify-test", 1);
        notify_init(&n);
        assert_int_equal(notify_ready(&n, "a"), 0);
        ssize_t got = recv(s, buf, sizeof(buf) - 1, 0);
        assert_true(got > 0);
        buf[got] = '\0';
        assert_string_equal(buf, "READY=1\nSTATUS=a");
        notify_stopping(&n, "b");
        close(s);
}

static void status_line_for_people(void **state)
{
        struct config cfg;
        struct config_errors errs;
        struct core core;
        struct core_reply rep;
        char line[NOTIFY_STATUS_MAX];
        (void)state;
        setenv("TZ", "UTC", 1);
        tzset();
        assert_int_equal(config_parse(
                "{\"quiet_hours\":{\"enabled\":false},\"zones\":["
                "{\"name\":\"upper back\",\"sensor\":{\"type\":\"sim\"},"
                "\"relay\":{\"type\":\"sim\"}},"
                "{\"name\":\"lower back\",\"sensor\":{\"type\":\"sim\"},"
                "\"relay\":{\"type\":\"sim\"}}]}", &cfg, &errs), 0);
        core_init(&core, &cfg, NULL, NULL, 1000, 1764000000);
        core_set_localtime(&core, test_localtime, NULL);
        notify_format_status(&core, 1000, line, sizeof(line));
        assert_string_equal(line, "upper back: off, no reading yet; "
                            "lower back: off, no reading yet");

        core_post_reading(&core, 0, 0, 30.25);
        core_post_reading(&core, 1, 0, 22.0);
        core_tick(&core, 2000, 1764000001);
        core_start(&core, 0, 20, 40, SRC_CLI, 2000, 1764000001, &rep);
        assert_int_equal(rep.status, CORE_OK);
        notify_format_status(&core, 2000 + 5 * 60000 + 1, line, sizeof(line));
        assert_string_equal(line, "upper back: heating to 40.0 °C, 15 min left, "
                            "pad 30.2 °C; lower back: off, pad 22.0 °C");

        core_post_reading(&core, 1, 0, 47.0);   /* over the 45 °C cutoff */
        core_tick(&core, 3000, 1764000002);
        notify_format_status(&core, 3000, line, sizeof(line));
        assert_non_null(strstr(line, "lower back: FAULT over_temp, off"));

        /* A short buffer is cut, never overrun. */
        char small[12];
        memset(small, 'x', sizeof(small));
        notify_format_status(&core, 3000, small, sizeof(small));
        assert_int_equal(strlen(small), sizeof(small) - 1);
        /* ... and never inside a character: "...heating to 40.0 °" would
         * end in half of the two-byte degree sign. */
        for (size_t n = 20; n < 60; n++) {
                char cut[64];
                notify_format_status(&core, 3000, cut, n);
                size_t l = strlen(cut);
                assert_true(l <= n - 1 && l >= n - 3);
                if (l && (unsigned char)cut[l - 1] == 0xC2)
                        fail_msg("cut inside a character at %zu", n);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(ready_carries_status, setup, teardown),
                cmocka_unit_test_setup_teardown(status_only_when_changed, setup, teardown),
                cmocka_unit_test_setup_teardown(watchdog_from_on_time_ticks, setup, teardown),
                cmocka_unit_test_setup_teardown(stopping, setup, teardown),
                cmocka_unit_test_setup_teardown(nothing_outside_systemd, setup, teardown),
                cmocka_unit_test_setup_teardown(watchdog_for_another_pid_is_off, setup, teardown),
                cmocka_unit_test_setup_teardown(a_full_queue_never_blocks, setup, teardown),
                cmocka_unit_test_setup_teardown(abstract_socket_address, setup, teardown),
                cmocka_unit_test(status_line_for_people),
        };
        return cmocka_run_group_tests_name("notify", tests, NULL, NULL);
}
