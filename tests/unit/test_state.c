/* Unit tests for state.c: atomic save, load, versions, a file read part by
 * part (each invalid part set aside alone, an unreadable record blocking
 * heat), copies kept of damaged and newer files but never of a device or a
 * symlink, and that everything the writer writes the reader reads back (a
 * seeded property test). Uses a fresh temporary directory. */
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/session.h"
#include "daemon/state.h"
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
        assert_non_null(strstr(err, "not valid JSON; a copy of the file is "
                               "kept at"));
        /* Kept in place until the next write replaces it, and copied. */
        assert_int_equal(access(path, F_OK), 0);
        assert_int_equal(count_files(), 2);
        assert_false(back.record.acute);
        assert_true(back.record.unreadable);    /* heat stays blocked */
}

static void wrong_types_are_corrupt(void **state)
{
        struct state_data back;
        char err[256];
        (void)state;
        write_file("{\"version\":1,\"record\":{\"acute\":\"yes\"}}");
        assert_int_equal(state_load(path, &back, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "record.acute is not true or false"));
        assert_true(back.record.unreadable);
}

/* A downgrade: the newer file is read for what this version knows, and a
 * copy is kept before the first write replaces it. */
static void newer_version_is_read_and_kept(void **state)
{
        struct state_data back;
        char err[512], copy[200];
        (void)state;
        write_file("{\"version\":99,\"record\":{\"acute\":true,"
                   "\"acute_at\":1764010500,\"injury\":true},\"faults\":"
                   "{\"upper_back\":\"stuck_relay\"},\"rest\":{}}");
        assert_int_equal(state_load(path, &back, err, sizeof(err)), 0);
        assert_non_null(strstr(err, "version 99 is newer"));
        assert_true(back.record.acute && back.record.injury);
        assert_false(back.record.unreadable);
        assert_int_equal(back.nfaults, 1);
        snprintf(copy, sizeof(copy), "%s.v99", path);
        assert_int_equal(access(copy, F_OK), 0);
        assert_non_null(strstr(err, copy));
        /* A record key this version does not know may matter: blocked. */
        write_file("{\"version\":99,\"record\":{\"acute\":false,"
                   "\"worse_signs\":true}}");
        assert_int_equal(state_load(path, &back, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "record.worse_signs is not a field"));
        assert_true(back.record.unreadable);
}

/* Each invalid part is named and set aside alone; every valid part, the
 * stuck relay above all, is kept. */
static void invalid_parts_are_set_aside_alone(void **state)
{
        struct state_data back;
        char err[1024];
        (void)state;
        write_file("{\"version\":3,\"record\":{\"acute\":true,"
                   "\"acute_at\":1764010500,\"swelling\":true,"
                   "\"window_left_s\":3600},"
                   "\"tuning\":{\"a\":{\"gain_c\":26,\"tau_s\":800,"
                   "\"dead_s\":11,\"rest_c\":31,\"kp\":1,\"ki\":0.001,"
                   "\"kd\":4,\"ku\":2,\"tu_s\":100,\"when\":5},"
                   "\"b\":{\"gain_c\":26}},"
                   "\"schedule\":[{\"zone\":\"a\",\"days\":\"daily\","
                   "\"start\":\"20:00\",\"minutes\":20,\"setpoint_c\":40},"
                   "{\"zone\":\"a\",\"days\":\"daily\",\"start\":"
                   "\"21:00\",\"minutes\":9999,\"setpoint_c\":40}],"
                   "\"faults\":{\"lower_back\":\"stuck_relay\"}}");
        assert_int_equal(state_load(path, &back, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "tuning.b is not a valid tuning: set "
                               "aside"));
        assert_non_null(strstr(err, "schedule[1].minutes"));
        assert_null(strstr(err, "record"));
        assert_false(back.record.unreadable);
        assert_true(back.record.acute && back.record.swelling);
        assert_int_equal(back.hold_left_s, 3600);
        assert_int_equal(back.ntunings, 1);
        assert_int_equal(back.schedule.n, 1);
        assert_int_equal(back.schedule.e[0].start_min, 20 * 60);
        assert_int_equal(back.nfaults, 1);
        assert_int_equal(back.faults[0].fault, FAULT_STUCK_RELAY);
}

/* A fault name this version does not know, or a record that cannot be
 * read: the readable faults stay latched and heat is blocked until a
 * person confirms. */
static void unreadable_faults_or_record_block(void **state)
{
        static const char *const bad[] = {
                "{\"version\":3,\"record\":{},\"faults\":{\"a\":"
                "\"stuck_relay\",\"b\":\"melted\"}}",
                "{\"version\":3,\"record\":{\"acute\":true,\"acute_at\":"
                "\"yesterday\"},\"faults\":{\"a\":\"stuck_relay\"}}",
                "{\"version\":3,\"record\":{\"acute\":true},\"faults\":"
                "{\"a\":\"stuck_relay\"}}",
                "{\"version\":3,\"record\":[],\"faults\":{\"a\":"
                "\"stuck_relay\"}}",
                "{\"version\":3,\"faults\":{\"a\":\"stuck_relay\"}}",
                "{\"version\":\"3\",\"record\":{},\"faults\":{\"a\":"
                "\"stuck_relay\"}}",
                "{\"version\":3,\"record\":{\"acute\":false,\"acute\":"
                "true},\"faults\":{\"a\":\"stuck_relay\"}}",
        };
        struct state_data back;
        char err[512];
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(state_from_json(bad[i], &back, err,
                                                 sizeof(err)), -EINVAL);
                assert_true(back.record.unreadable);
                assert_int_equal(back.nfaults, 1);
                assert_string_equal(back.faults[0].zone_id, "a");
                assert_int_equal(back.faults[0].fault, FAULT_STUCK_RELAY);
                assert_true(err[0] != '\0');
        }
        /* The mark survives a write and a read, until confirmed. */
        char *json = state_to_json(&back);
        assert_int_equal(state_from_json(json, &back, err, sizeof(err)), 0);
        free(json);
        assert_true(back.record.unreadable);
}

/* A device or a symlink is never renamed, copied or replaced. */
static void device_or_symlink_left_alone(void **state)
{
        struct state_data back, st = { .hold_left_s = -1 };
        char err[512], target[200];
        (void)state;
        assert_int_equal(state_load("/dev/null", &back, err, sizeof(err)),
                         -EINVAL);
        assert_non_null(strstr(err, "no copy of the file kept: not a "
                               "regular file"));
        assert_true(back.record.unreadable);
        assert_int_equal(state_save("/dev/null", &st), -EPERM);
        struct stat sb;
        assert_int_equal(stat("/dev/null", &sb), 0);
        assert_true(S_ISCHR(sb.st_mode));
        snprintf(target, sizeof(target), "%s/real.json", dir);
        FILE *f = fopen(target, "w");
        fputs("{ garbage", f);
        fclose(f);
        assert_int_equal(symlink(target, path), 0);
        assert_int_equal(state_load(path, &back, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "not a regular file"));
        assert_int_equal(state_save(path, &st), -EPERM);
        assert_int_equal(lstat(path, &sb), 0);
        assert_true(S_ISLNK(sb.st_mode));
        assert_int_equal(count_files(), 2);     /* the link and its target */
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
                .valid = true, .model = { 26.5, 840, 10.5, 31.2, 0.7 },
                .kp = 0.41, .ki = 0.0013, .kd = 4.1, .ku = 2.4, .tu_s = 104,
                .when = 1764010500,
                .has_check = true,
                .check = { .rms_c = 0.05, .noise_c = 0.034, .confidence = 0.88,
                           .cycles = 3 },
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
        assert_near(b->model.coast_scale, 0.7, 1e-9);
        assert_int_equal(b->when, 1764010500);
        assert_true(b->has_check);
        assert_near(b->check.confidence, 0.88, 1e-9);
        assert_near(b->check.rms_c, 0.05, 1e-9);
        assert_near(b->check.noise_c, 0.034, 1e-9);
        assert_int_equal(b->check.cycles, 3);
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

static void bad_tuning_is_set_aside(void **state)
{
        struct state_data back;
        char err[256];
        (void)state;
        /* kp missing: a half-known tuning must not be used. */
        write_file("{\"version\":2,\"record\":{},\"tuning\":{\"z\":"
                   "{\"gain_c\":26,\"tau_s\":800,\"dead_s\":11,"
                   "\"rest_c\":31,\"ki\":0.001,\"kd\":4,\"ku\":2,"
                   "\"tu_s\":100,\"when\":5}}}");
        assert_int_equal(state_load(path, &back, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "tuning.z is not a valid tuning"));
        assert_int_equal(back.ntunings, 0);
        assert_false(back.record.unreadable);   /* the rest is fine */
}

static void bad_coast_scale_keeps_the_model(void **state)
{
        struct state_data back;
        char err[256];
        (void)state;
        write_file("{\"version\":2,\"record\":{},\"tuning\":{\"z\":"
                   "{\"gain_c\":26,\"tau_s\":800,\"dead_s\":11,"
                   "\"rest_c\":31,\"coast_scale\":7,\"kp\":1,"
                   "\"ki\":0.001,\"kd\":4,\"ku\":2,\"tu_s\":100,"
                   "\"when\":5}}}");
        assert_int_equal(state_load(path, &back, err, sizeof(err)), 0);
        const struct zone_tuning *b = state_find_tuning(&back, "z");
        assert_non_null(b);
        assert_near(b->model.tau_s, 800, 1e-9);
        assert_true(b->model.coast_scale == 0);  /* the model's own coast */
}

/* Found by tests/fuzz/fuzz_state.c: a time too large for time_t was cast
 * to it (undefined behaviour); now it is refused. A time before 1970 (a
 * Pi that booted at the epoch records "two hours ago") is read. */
static void huge_times_are_refused(void **state)
{
        struct state_data back;
        char err[256];
        (void)state;
        assert_int_equal(state_from_json("{\"version\":1,\"record\":"
                                         "{\"acute_at\":1.7e80}}", &back, err,
                                         sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "record.acute_at is not a time"));
        assert_true(back.record.unreadable);
        assert_int_equal(state_from_json("{\"version\":2,\"record\":{},"
                   "\"tuning\":{\"z\":"
                   "{\"gain_c\":26,\"tau_s\":800,\"dead_s\":11,\"rest_c\":31,"
                   "\"kp\":1,\"ki\":0.001,\"kd\":4,\"ku\":2,\"tu_s\":100,"
                   "\"when\":1e300}}}", &back, err, sizeof(err)), -EINVAL);
        assert_int_equal(back.ntunings, 0);
        assert_int_equal(state_from_json("{\"version\":1,\"record\":"
                                         "{\"acute_at\":1764010500}}", &back,
                                         err, sizeof(err)), 0);
        assert_int_equal(back.record.acute_at, 1764010500);
}

/* The daemon on a 1970 clock records "two hours ago": a negative time. It
 * must read back (it used to make the whole file corrupt, and heat was
 * allowed at the next start). */
static void negative_time_round_trips(void **state)
{
        struct state_data st = { .record = { .acute = true, .acute_at = -5400,
                                             .injury = true },
                                 .hold_left_s = 48 * 3600 };
        struct state_data back;
        char err[256];
        (void)state;
        assert_int_equal(state_save(path, &st), 0);
        assert_int_equal(state_load(path, &back, err, sizeof(err)), 0);
        assert_int_equal(back.record.acute_at, -5400);
        assert_true(back.record.acute && back.record.injury);
        assert_int_equal(back.hold_left_s, 48 * 3600);
}

/* ---- everything the writer writes, the reader reads back ---- */

static uint64_t rng;

static uint64_t next(void)
{
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return rng;
}

static long long pick(long long lo, long long hi)
{
        return lo + (long long)(next() % (uint64_t)(hi - lo + 1));
}

static double pickd(double lo, double hi)
{
        switch (next() % 8) {
        case 0: return lo;
        case 1: return hi;
        default: return lo + (hi - lo) * (double)(next() % 1000001) / 1e6;
        }
}

/* An id as the config allows, with what JSON must escape in it too. */
static void gen_id(char *buf, size_t len)
{
        static const char chars[] = "abcz_09- .\"\\/\t\x01\xc3\xa9";
        int n = (int)pick(1, (long long)len - 1);
        for (int i = 0; i < n; i++)
                buf[i] = chars[next() % (sizeof(chars) - 1)];
        buf[n] = '\0';
}

static long long gen_time(void)
{
        switch (next() % 4) {
        case 0: return GUIDANCE_TIME_MIN;
        case 1: return GUIDANCE_TIME_MAX;
        default: return pick(-30 * 86400LL, 4102444800LL);
        }
}

static void gen(struct state_data *st)
{
        struct guidance_record *r = &st->record;

        memset(st, 0, sizeof(*st));
        r->acute = next() & 1;
        r->acute_at = (time_t)gen_time();
        r->injury = next() & 1;
        r->swelling = next() & 1;
        r->pain_worsening = next() & 1;
        r->nerve_signs = next() & 1;
        r->urgent_signs = next() & 1;
        r->unreadable = next() % 8 == 0;
        st->hold_left_s = next() % 4 == 0 ? -1 :
                          pick(0, GUIDANCE_TIME_MAX - GUIDANCE_TIME_MIN);
        int nt = (int)pick(0, STATE_MAX_TUNINGS);
        for (int i = 0; i < nt; i++) {
                char id[STATE_ID_MAX];
                struct zone_tuning t = {
                        .model = { pickd(1e-9, 1e300), pickd(1e-9, 1e300),
                                   pickd(0, 1e300), pickd(-1e300, 1e300) },
                        .kp = pickd(0, 10), .ki = pickd(0, 1),
                        .kd = pickd(0, 1000), .ku = pickd(-1e300, 1e300),
                        .tu_s = pickd(-1e300, 1e300),
                        .when = (time_t)gen_time(),
                };
                gen_id(id, sizeof(id));
                state_put_tuning(st, id, &t);
        }
        st->schedule.n = (int)pick(0, SCHEDULE_MAX);
        for (int i = 0; i < st->schedule.n; i++) {
                struct schedule_entry *e = &st->schedule.e[i];
                gen_id(e->zone_id, sizeof(e->zone_id));
                e->days = (uint8_t)pick(1, 0x7f);
                e->start_min = (int)pick(0, 24 * 60 - 1);
                e->minutes = (int)pick(1, SESSION_HARD_CAP_MIN);
                e->setpoint_c = pickd(20, 48);
                e->enabled = next() & 1;
        }
        int nf = (int)pick(0, CONFIG_MAX_ZONES);
        for (int i = 0; i < nf; i++) {
                char id[CONFIG_NAME_MAX];
                gen_id(id, sizeof(id));
                bool dup = false;
                for (int j = 0; j < st->nfaults; j++)
                        dup |= strcmp(st->faults[j].zone_id, id) == 0;
                if (dup)
                        continue;
                snprintf(st->faults[st->nfaults].zone_id, CONFIG_NAME_MAX,
                         "%s", id);
                st->faults[st->nfaults++].fault = (enum safety_fault)
                        pick(FAULT_NONE + 1, FAULT_COUNT - 1);
        }
        int nz = (int)pick(0, STATE_MAX_ZONES);
        for (int i = 0; i < nz; i++) {
                struct state_zone z = {
                        .target_c = next() % 4 ? pickd(20, 48) : NAN,
                        .minutes = next() % 4 ? (int)pick(1, SESSION_HARD_CAP_MIN) : 0,
                        .energy_kwh = next() % 4 ?
                                (double)pick(0, 1000000000000LL) / 1e6 : NAN,
                };
                gen_id(z.zone_id, sizeof(z.zone_id));
                state_put_zone(st, &z);
        }
}

/* cJSON prints 15 digits when they read back within an ulp or so. */
static bool same_num(double a, double b)
{
        return fabs(a - b) <= fmax(fabs(a), fabs(b)) * 4 * DBL_EPSILON;
}

static void assert_same(const struct state_data *a, const struct state_data *b)
{
        const struct guidance_record *x = &a->record, *y = &b->record;
        assert_int_equal(x->acute, y->acute);
        assert_true(x->acute_at == y->acute_at);
        assert_int_equal(x->injury, y->injury);
        assert_int_equal(x->swelling, y->swelling);
        assert_int_equal(x->pain_worsening, y->pain_worsening);
        assert_int_equal(x->nerve_signs, y->nerve_signs);
        assert_int_equal(x->urgent_signs, y->urgent_signs);
        assert_int_equal(x->unreadable, y->unreadable);
        assert_true(a->hold_left_s == b->hold_left_s);
        assert_int_equal(a->ntunings, b->ntunings);
        for (int i = 0; i < a->ntunings; i++) {
                const struct zone_tuning *t = &a->tunings[i].t;
                const struct zone_tuning *u =
                        state_find_tuning(b, a->tunings[i].zone_id);
                assert_non_null(u);
                assert_true(same_num(t->model.gain_c, u->model.gain_c) &&
                            same_num(t->model.tau_s, u->model.tau_s) &&
                            same_num(t->model.dead_s, u->model.dead_s) &&
                            same_num(t->model.rest_c, u->model.rest_c) &&
                            same_num(t->kp, u->kp) && same_num(t->ki, u->ki) &&
                            same_num(t->kd, u->kd) && same_num(t->ku, u->ku) &&
                            same_num(t->tu_s, u->tu_s) && t->when == u->when);
        }
        assert_int_equal(a->schedule.n, b->schedule.n);
        for (int i = 0; i < a->schedule.n; i++) {
                const struct schedule_entry *e = &a->schedule.e[i];
                const struct schedule_entry *f = &b->schedule.e[i];
                assert_string_equal(e->zone_id, f->zone_id);
                assert_int_equal(e->days, f->days);
                assert_int_equal(e->start_min, f->start_min);
                assert_int_equal(e->minutes, f->minutes);
                assert_true(same_num(e->setpoint_c, f->setpoint_c));
                assert_int_equal(e->enabled, f->enabled);
        }
        assert_int_equal(a->nzones, b->nzones);
        for (int i = 0; i < a->nzones; i++) {
                const struct state_zone *w = &a->zones[i];
                const struct state_zone *z = state_find_zone(b, w->zone_id);
                assert_non_null(z);
                assert_true(isnan(w->target_c) ? isnan(z->target_c) :
                            same_num(w->target_c, z->target_c));
                assert_int_equal(w->minutes, z->minutes);
                assert_true(isnan(w->energy_kwh) ? isnan(z->energy_kwh) :
                            same_num(w->energy_kwh, z->energy_kwh));
        }
        assert_int_equal(a->nfaults, b->nfaults);
        for (int i = 0; i < a->nfaults; i++) {
                assert_string_equal(a->faults[i].zone_id, b->faults[i].zone_id);
                assert_int_equal(a->faults[i].fault, b->faults[i].fault);
        }
}

/* The zones part: what a person chose and the energy given, by zone id. */
static void zone_choices_round_trip(void **state)
{
        struct state_data st = { .hold_left_s = -1 }, back;
        struct state_zone a = { "upper_back", 40.5, 25, 1.25 };
        struct state_zone b = { "lower_back", NAN, 0, NAN };
        char err[256];
        (void)state;
        assert_int_equal(state_put_zone(&st, &a), 0);
        assert_int_equal(state_put_zone(&st, &b), 0);
        assert_int_equal(state_save(path, &st), 0);
        assert_int_equal(state_load(path, &back, err, sizeof(err)), 0);
        assert_int_equal(back.version, STATE_VERSION);
        const struct state_zone *z = state_find_zone(&back, "upper_back");
        assert_non_null(z);
        assert_true(z->target_c == 40.5 && z->minutes == 25 &&
                    z->energy_kwh == 1.25);
        z = state_find_zone(&back, "lower_back");
        assert_non_null(z);
        assert_true(isnan(z->target_c) && z->minutes == 0 &&
                    isnan(z->energy_kwh));
        assert_false(back.record.unreadable);
}

/* A bad target is set aside alone: the zone's other fields, the other
 * zones and the record stay; nothing fails closed (none of it is safety). */
static void bad_zone_choice_is_set_aside_alone(void **state)
{
        struct state_data st;
        char err[512];
        (void)state;
        write_file("{\"version\":4,\"record\":{\"acute\":false,"
                   "\"acute_at\":0},\"zones\":{\"upper_back\":{"
                   "\"target_c\":\"hot\",\"minutes\":25,\"energy_kwh\":2},"
                   "\"lower_back\":{\"target_c\":39,\"minutes\":900,"
                   "\"energy_kwh\":-1},\"neck\":7}}");
        assert_int_equal(state_load(path, &st, err, sizeof(err)), -EINVAL);
        assert_false(st.record.unreadable);
        assert_non_null(strstr(err, "zones.upper_back.target_c"));
        assert_non_null(strstr(err, "zones.lower_back.minutes"));
        assert_non_null(strstr(err, "zones.lower_back.energy_kwh"));
        assert_non_null(strstr(err, "zones.neck is not an object"));
        const struct state_zone *z = state_find_zone(&st, "upper_back");
        assert_non_null(z);
        assert_true(isnan(z->target_c) && z->minutes == 25 &&
                    z->energy_kwh == 2);
        z = state_find_zone(&st, "lower_back");
        assert_non_null(z);
        assert_true(z->target_c == 39 && z->minutes == 0 &&
                    isnan(z->energy_kwh));
        assert_null(state_find_zone(&st, "neck"));
}

static void writer_output_always_reads_back(void **state)
{
        static struct state_data st, back;
        char err[1024];
        (void)state;
        rng = 0x9e3779b97f4a7c15ULL;
        for (int i = 0; i < 5000; i++) {
                gen(&st);
                char *json = state_to_json(&st);
                assert_non_null(json);
                int r = state_from_json(json, &back, err, sizeof(err));
                if (r != 0)
                        fail_msg("case %d: %s\n%s", i, err, json);
                free(json);
                assert_same(&st, &back);
        }
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
        assert_non_null(strstr(err, "a copy of the file is kept at"));
        assert_int_equal(count_files(), 3);     /* the file and two copies */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(save_then_load, setup, teardown),
                cmocka_unit_test_setup_teardown(missing_is_empty, setup, teardown),
                cmocka_unit_test_setup_teardown(corrupt_is_set_aside, setup, teardown),
                cmocka_unit_test_setup_teardown(wrong_types_are_corrupt, setup, teardown),
                cmocka_unit_test_setup_teardown(newer_version_is_read_and_kept, setup, teardown),
                cmocka_unit_test_setup_teardown(invalid_parts_are_set_aside_alone, setup, teardown),
                cmocka_unit_test(unreadable_faults_or_record_block),
                cmocka_unit_test_setup_teardown(device_or_symlink_left_alone, setup, teardown),
                cmocka_unit_test_setup_teardown(negative_time_round_trips, setup, teardown),
                cmocka_unit_test(writer_output_always_reads_back),
                cmocka_unit_test_setup_teardown(zone_choices_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(bad_zone_choice_is_set_aside_alone, setup, teardown),
                cmocka_unit_test_setup_teardown(older_fields_missing_is_fine, setup, teardown),
                cmocka_unit_test_setup_teardown(release_0_1_0_file_loads, setup, teardown),
                cmocka_unit_test_setup_teardown(tuning_round_trips_by_zone_id, setup, teardown),
                cmocka_unit_test_setup_teardown(version_1_still_loads_without_tuning, setup, teardown),
                cmocka_unit_test_setup_teardown(bad_coast_scale_keeps_the_model,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(bad_tuning_is_set_aside, setup, teardown),
                cmocka_unit_test(huge_times_are_refused),
                cmocka_unit_test_setup_teardown(unwritable_path_reports, setup, teardown),
                cmocka_unit_test_setup_teardown(missing_dir_reports, setup, teardown),
                cmocka_unit_test_setup_teardown(failed_last_byte_keeps_old_file, setup, teardown),
                cmocka_unit_test_setup_teardown(second_corrupt_file_does_not_overwrite_first, setup, teardown),
        };
        return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
