/* Unit tests for ds18b20.c against a directory shaped like
 * /sys/bus/w1/devices: a good reading, a CRC NO, 85000, a missing device,
 * a file that vanishes mid-session, the newer `temperature` file, and the
 * listing --probe uses. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw/ds18b20.h"
#include "test.h"

#define PAD "72 01 4b 46 7f ff 0e 10 57"
#define ID "28-0316a2795c9f"

static char root[64];

static void put(const char *id, const char *file, const char *text)
{
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", root, id);
        mkdir(path, 0755);
        snprintf(path, sizeof(path), "%s/%s/%s", root, id, file);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static void drop(const char *id, const char *file)
{
        char path[256];
        snprintf(path, sizeof(path), "%s/%s/%s", root, id, file);
        unlink(path);
}

static int setup(void **state)
{
        (void)state;
        snprintf(root, sizeof(root), "/tmp/heatpad-w1-XXXXXX");
        return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
        char cmd[128];
        (void)state;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        return system(cmd) == 0 ? 0 : -1;
}

static struct sensor open_sensor(const char *id, int retries)
{
        struct ds18b20_cfg c = { .retries = retries };
        struct sensor s;
        snprintf(c.id, sizeof(c.id), "%s", id);
        snprintf(c.w1_root, sizeof(c.w1_root), "%s", root);
        assert_int_equal(ds18b20_open(&c, &s), 0);
        return s;
}

static void reads_a_session(void **state)
{
        struct sensor s = open_sensor(ID, 1);
        double c = -1;
        (void)state;

        put(ID, "w1_slave", PAD " : crc=57 YES\n" PAD " t=38125\n");
        assert_int_equal(s.ops->read(s.ctx, &c), 0);
        assert_near(c, 38.125, 1e-9);

        put(ID, "w1_slave", PAD " : crc=57 NO\n" PAD " t=38125\n");
        c = -1;
        assert_int_equal(s.ops->read(s.ctx, &c), -EBADMSG);
        assert_near(c, -1, 0);          /* no stale value handed out */

        /* 85000 survives the retry: passed on for the supervisor. */
        put(ID, "w1_slave", PAD " : crc=57 YES\n" PAD " t=85000\n");
        assert_int_equal(s.ops->read(s.ctx, &c), 0);
        assert_true(c == 85.0);

        put(ID, "w1_slave", PAD " : crc=57 YES\n" PAD " t=oops\n");
        assert_int_equal(s.ops->read(s.ctx, &c), -EPROTO);

        /* The file vanishes mid-session (unplugged), then comes back. */
        drop(ID, "w1_slave");
        assert_int_equal(s.ops->read(s.ctx, &c), -ENODEV);
        put(ID, "w1_slave", PAD " : crc=57 YES\n" PAD " t=37000\n");
        assert_int_equal(s.ops->read(s.ctx, &c), 0);
        assert_near(c, 37.0, 1e-9);
        s.ops->close(s.ctx);
}

static void missing_device(void **state)
{
        struct sensor s = open_sensor("28-00000000dead", 2);
        double c;
        (void)state;
        assert_int_equal(s.ops->read(s.ctx, &c), -ENODEV);
        s.ops->close(s.ctx);
}

static void temperature_file_preferred(void **state)
{
        struct sensor s = open_sensor("28-000000000777", 0);
        double c;
        (void)state;
        put("28-000000000777", "w1_slave", PAD " : crc=57 NO\n" PAD " t=1\n");
        put("28-000000000777", "temperature", "36500\n");
        assert_int_equal(s.ops->read(s.ctx, &c), 0);
        assert_near(c, 36.5, 1e-9);
        drop("28-000000000777", "temperature");
        assert_int_equal(s.ops->read(s.ctx, &c), -EBADMSG);
        s.ops->close(s.ctx);
}

struct seen {
        int n;
        char ids[8][24];
};

static void collect(void *ctx, const char *id)
{
        struct seen *s = ctx;
        if (s->n < 8)
                snprintf(s->ids[s->n++], 24, "%s", id);
}

static void lists_sorted(void **state)
{
        struct seen seen = { 0 };
        char other[128];
        (void)state;
        put("28-00000000000b", "w1_slave", "");
        put("28-00000000000a", "w1_slave", "");
        snprintf(other, sizeof(other), "%s/w1_bus_master1", root);
        mkdir(other, 0755);
        int n = ds18b20_list(root, collect, &seen);
        assert_true(n >= 2);
        for (int i = 1; i < seen.n; i++)
                assert_true(strcmp(seen.ids[i - 1], seen.ids[i]) < 0);
        for (int i = 0; i < seen.n; i++)
                assert_memory_equal(seen.ids[i], "28-", 3);
        assert_int_equal(ds18b20_list("/nonexistent/w1", collect, &seen),
                         -ENOENT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(reads_a_session),
                cmocka_unit_test(missing_device),
                cmocka_unit_test(temperature_file_preferred),
                cmocka_unit_test(lists_sorted),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
