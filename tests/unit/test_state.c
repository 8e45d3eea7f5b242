/* Unit tests for state.c: atomic save, load, version, corrupt files set
 * aside. Uses a fresh temporary directory. */
#include <dirent.h>
#include <math.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "test.h"

static char dir[64], path[128];

static int setup(void **state)
{
        (void)state;
        snprintf(dir, sizeof(dir), "/tmp/heatpad-state-XXXXXX");
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/state.json", dir);
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        DIR *d = opendir(dir);
        struct dirent *e;
        char p[300];
        while (d && (e = readdir(d)))
                if (e->d_name[0] != '.') {
                        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
                        unlink(p);
                }
        if (d)
                closedir(d);
        rmdir(dir);
        return 0;
}

static int count_files(void)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        int n = 0;
        while ((e = readdir(d)))
                n += e->d_name[0] != '.';
        closedir(d);
        return n;
}

static void write_file(const char *text)
{
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static void save_then_load(void **state)
{
        struct state_data st = { .record = { .acute = true, .acute_at = 1764010500,
                                             .injury = true, .nerve_signs = true },
                                 .schedule = { .n = 1, .e = { { .zone_id = "neck",
                                        .days = 0x41, .start_min = 1230,
                                        .minutes = 20, .setpoint_c = 39.5,
                                        .enabled = true } } },
                                 .nfaults = 1,
                                 .faults = { { "lower_back", FAULT_STUCK_RELAY } } };
        struct state_data back;
        char err[256];
        (void)state;
        assert_int_equal(state_save(path, &st), 0);
        assert_int_equal(count_files(), 1);     /* no temp file left over */
        assert_int_equal(state_load(path, &back, err, sizeof(err)), 0);
        assert_true(back.record.acute && back.record.injury);
        assert_false(back.record.swelling);
        assert_true(back.record.nerve_signs);
        assert_int_equal(back.record.acute_at, 1764010500);
        assert_int_equal(back.schedule.n, 1);
        assert_string_equal(back.schedule.e[0].zone_id, "neck");
        assert_int_equal(back.schedule.e[0].days, 0x41);
        assert_int_equal(back.schedule.e[0].start_min, 1230);
        assert_true(back.schedule.e[0].setpoint_c == 39.5);
        assert_int_equal(back.nfaults, 1);
        assert_string_equal(back.faults[0].zone_id, "lower_back");
        assert_int_equal(back.faults[0].fault, FAULT_STUCK_RELAY);
}

static void missing_is_empty(void **state)
{
        struct state_data back;
        char err[256];
        (void)state;
        assert_int_equal(state_load(path, &back, err, sizeof(err)), -ENOENT);
        assert_false(back.record.acute);
}

static void corrupt_is_set_aside(void **state)
{
        struct state_data back;
        char err[256];
        (void)state;
        write_file("{\"version\":1,\"record\":{\"acute\":tru");
        assert_int_equal(state_load(path, &back, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "not valid JSON; moved aside to"));
        assert_int_equal(access(path, F_OK), -1);       /* moved */
        assert_int_equal(count_files(), 1);             /* the .corrupt one */
        assert_false(back.record.acute);
}

static void wrong_types_are_corrupt(void **state)
{
        struct state_data back;
        char err[256];
        (void)state;
        write_file("{\"version\":1,\"record\":{\"acute\":\"yes\"}}");
        assert_int_equal(state_load(path, &back, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "wrong type"));
}

static void newer_version_refused(void **state)
{
        struct state_data back;
        char err[256];
        (void)state;
        write_file("{\"version\":99}");
        assert_int_equal(state_load(path, &back, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "version 99 is newer"));
}

static void older_fields_missing_is_fine(void **state)
{
        struct state_data back;
        char err[256];
        (void)state;
        write_file("{\"version\":1,\"record\":{\"acute\":true,\"acute_at\":5}}");
        assert_int_equal(state_load(path, &back, err, sizeof(err)), 0);
        assert_true(back.record.acute);
        assert_false(back.record.nerve_signs);
}

/* A state file as release 0.1.0 wrote it (tests/fixtures/state-v1.json,
 * kept byte for byte): every later release must still read it, so an
 * upgrade keeps the person's record. Runs from the repository root. */
static void release_0_1_0_file_loads(void **state)
{
        struct state_data back;
        char err[256];
        FILE *in = fopen("tests/fixtures/state-v1.json", "r");
        char text[1024];
        size_t n;
        (void)state;
        assert_non_null(in);
        n = fread(text, 1, sizeof(text) - 1, in);
        fclose(in);
        text[n] = '\0';
        write_file(text);
        assert_int_equal(state_load(path, &back, err, sizeof(err)), 0);
        assert_true(back.record.acute && back.record.injury);
        assert_false(back.record.swelling);
        assert_true(back.record.nerve_signs);
        assert_int_equal(back.record.acute_at, 1764010500);
}

static void tuning_round_trips_by_zone_id(void **state)
{
        struct state_data st = { .record = { .acute = true, .acute_at = 7 } };
        struct zone_tuning t = {
                .valid = true, .model = { 26.5, 840, 10.5, 31.2 },
                .kp = 0.41, .ki = 0.0013, .kd = 4.1, .ku = 2.4, .tu_s = 104,
                .when = 1764010500,
        };
        struct state_data back;
        char err[256];
        (void)state;
        assert_int_equal(state_put_tuning(&st, "upper_back", &t), 0);
        t.kp = 0.5;
        assert_int_equal(state_put_tuning(&st, "upper_back", &t), 0);
        assert_int_equal(st.ntunings, 1);       /* replaced, not added */
        assert_int_equal(state_save(path, &st), 0);
        assert_int_equal(state_load(path, &back, err, sizeof(err)), 0);
        assert_true(back.record.acute);
        const struct zone_tuning *b = state_find_tuning(&back, "upper_back");
        assert_non_null(b);
        assert_true(b->valid);
        assert_near(b->kp, 0.5, 1e-12);
        assert_near(b->model.tau_s, 840, 1e-9);
        assert_near(b->model.dead_s, 10.5, 1e-9);
        assert_int_equal(b->when, 1764010500);
        assert_null(state_find_tuning(&back, "lower_back"));
}

static void version_1_still_loads_without_tuning(void **state)
{
        struct state_data back;
        char err[256];
        (void)state;
        write_file("{\"version\":1,\"record\":{\"acute\":false,"
                   "\"acute_at\":0,\"injury\":false,\"swelling\":false,"
                   "\"pain_worsening\":true,\"nerve_signs\":false}}");
        assert_int_equal(state_load(path, &back, err, sizeof(err)), 0);
        assert_true(back.record.pain_worsening);
        assert_int_equal(back.ntunings, 0);
}

static void bad_tuning_is_corrupt(void **state)
{
        struct state_data back;
        char err[256];
        (void)state;
        /* kp missing: a half-known tuning must not be used. */
        write_file("{\"version\":2,\"tuning\":{\"z\":{\"gain_c\":26,"
                   "\"tau_s\":800,\"dead_s\":11,\"rest_c\":31,\"ki\":0.001,"
                   "\"kd\":4,\"ku\":2,\"tu_s\":100,\"when\":5}}}");
        assert_int_equal(state_load(path, &back, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "tuning.z is not a valid tuning"));
        assert_int_equal(back.ntunings, 0);
}

/* Found by tests/fuzz/fuzz_state.c: a time too large for time_t was cast
 * to it (undefined behaviour); now the file is refused as corrupt. */
static void huge_times_are_refused(void **state)
{
        struct state_data back = { .ntunings = 7 };
        char err[256];
        (void)state;
        assert_int_equal(state_from_json("{\"version\":1,\"record\":"
                                         "{\"acute_at\":1.7e80}}", &back, err,
                                         sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "record.acute_at is not a time"));
        assert_int_equal(state_from_json("{\"version\":1,\"record\":"
                                         "{\"acute_at\":-5}}", &back, err,
                                         sizeof(err)), -EINVAL);
        assert_int_equal(state_from_json("{\"version\":2,\"tuning\":{\"z\":"
                   "{\"gain_c\":26,\"tau_s\":800,\"dead_s\":11,\"rest_c\":31,"
                   "\"kp\":1,\"ki\":0.001,\"kd\":4,\"ku\":2,\"tu_s\":100,"
                   "\"when\":1e300}}}", &back, err, sizeof(err)), -EINVAL);
        assert_int_equal(back.ntunings, 7);     /* untouched */
        assert_int_equal(state_from_json("{\"version\":1,\"record\":"
                                         "{\"acute_at\":1764010500}}", &back,
                                         err, sizeof(err)), 0);
        assert_int_equal(back.record.acute_at, 1764010500);
}

static void unwritable_path_reports(void **state)
{
        struct state_data st = { 0 };
        char bad[200];
        (void)state;
        /* A file where a directory should be: fails even for root. */
        write_file("x");
        snprintf(bad, sizeof(bad), "%s/state.json", path);
        assert_int_equal(state_save(bad, &st), -ENOTDIR);
}

static void missing_dir_reports(void **state)
{
        struct state_data st = { 0 };
        (void)state;
        assert_int_equal(state_save("/tmp/heatpad-no-such-dir/x/state.json", &st),
                         -ENOENT);
}

/* The disk fills up exactly at the closing newline (RLIMIT_FSIZE makes that
 * byte fail with EFBIG): the save fails and the old file stays. */
static void failed_last_byte_keeps_old_file(void **state)
{
        struct state_data a = { .record = { .injury = true } };
        struct state_data b = { .record = { .swelling = true } };
        struct state_data back;
        struct rlimit old, lim;
        char err[256];
        char *json = state_to_json(&b);
        (void)state;
        assert_non_null(json);
        assert_int_equal(state_save(path, &a), 0);
        signal(SIGXFSZ, SIG_IGN);
        assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
        lim = old;
        lim.rlim_cur = strlen(json);
        free(json);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
        int r = state_save(path, &b);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
        signal(SIGXFSZ, SIG_DFL);
        assert_int_equal(r, -EFBIG);
        assert_int_equal(count_files(), 1);     /* the temp file is gone */
        assert_int_equal(state_load(path, &back, err, sizeof(err)), 0);
        assert_true(back.record.injury);
        assert_false(back.record.swelling);
}

/* Two bad files set aside within one second: both are kept. */
static void second_corrupt_file_does_not_overwrite_first(void **state)
{
        struct state_data back;
        char err[256];
        (void)state;
        write_file("{ first");
        assert_int_equal(state_load(path, &back, err, sizeof(err)), -EINVAL);
        write_file("{ second");
        assert_int_equal(state_load(path, &back, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "moved aside"));
        assert_int_equal(count_files(), 2);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(save_then_load, setup, teardown),
                cmocka_unit_test_setup_teardown(missing_is_empty, setup, teardown),
                cmocka_unit_test_setup_teardown(corrupt_is_set_aside, setup, teardown),
                cmocka_unit_test_setup_teardown(wrong_types_are_corrupt, setup, teardown),
                cmocka_unit_test_setup_teardown(newer_version_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(older_fields_missing_is_fine, setup, teardown),
                cmocka_unit_test_setup_teardown(release_0_1_0_file_loads, setup, teardown),
                cmocka_unit_test_setup_teardown(tuning_round_trips_by_zone_id, setup, teardown),
                cmocka_unit_test_setup_teardown(version_1_still_loads_without_tuning, setup, teardown),
                cmocka_unit_test_setup_teardown(bad_tuning_is_corrupt, setup, teardown),
                cmocka_unit_test(huge_times_are_refused),
                cmocka_unit_test_setup_teardown(unwritable_path_reports, setup, teardown),
                cmocka_unit_test_setup_teardown(missing_dir_reports, setup, teardown),
                cmocka_unit_test_setup_teardown(failed_last_byte_keeps_old_file, setup, teardown),
                cmocka_unit_test_setup_teardown(second_corrupt_file_does_not_overwrite_first, setup, teardown),
        };
        return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
