/* state.c: see state.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cfgjson.h"
#include "slurp.h"
#include "state.h"

#define STATE_MAX_BYTES (1024 * 1024)

char *state_to_json(const struct state_data *st)
{
        const struct guidance_record *r = &st->record;
        cJSON *root = cJSON_CreateObject();
        cJSON *rec = cJSON_AddObjectToObject(root, "record");
        char *out;

        cJSON_AddNumberToObject(root, "version", STATE_VERSION);
        cJSON_AddBoolToObject(rec, "acute", r->acute);
        cJSON_AddNumberToObject(rec, "acute_at", (double)r->acute_at);
        cJSON_AddBoolToObject(rec, "injury", r->injury);
        cJSON_AddBoolToObject(rec, "swelling", r->swelling);
        cJSON_AddBoolToObject(rec, "pain_worsening", r->pain_worsening);
        cJSON_AddBoolToObject(rec, "nerve_signs", r->nerve_signs);
        cJSON *tun = cJSON_AddObjectToObject(root, "tuning");
        for (int i = 0; i < st->ntunings; i++) {
                const struct zone_tuning *t = &st->tunings[i].t;
                cJSON *z = cJSON_AddObjectToObject(tun, st->tunings[i].zone_id);
                cJSON_AddNumberToObject(z, "gain_c", t->model.gain_c);
                cJSON_AddNumberToObject(z, "tau_s", t->model.tau_s);
                cJSON_AddNumberToObject(z, "dead_s", t->model.dead_s);
                cJSON_AddNumberToObject(z, "rest_c", t->model.rest_c);
                cJSON_AddNumberToObject(z, "kp", t->kp);
                cJSON_AddNumberToObject(z, "ki", t->ki);
                cJSON_AddNumberToObject(z, "kd", t->kd);
                cJSON_AddNumberToObject(z, "ku", t->ku);
                cJSON_AddNumberToObject(z, "tu_s", t->tu_s);
                cJSON_AddNumberToObject(z, "when", (double)t->when);
        }
        cJSON_AddItemToObject(root, "schedule", schedule_to_json(&st->schedule));
        cJSON *faults = cJSON_AddObjectToObject(root, "faults");
        for (int i = 0; i < st->nfaults; i++)
                cJSON_AddStringToObject(faults, st->faults[i].zone_id,
                                        safety_fault_name(st->faults[i].fault));
        out = cJSON_Print(root);
        cJSON_Delete(root);
        return out;
}

static int get_bool(const cJSON *o, const char *key, bool *ret)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        if (!v)
                return 0;       /* absent in an older version: keep default */
        if (!cJSON_IsBool(v))
                return -EINVAL;
        *ret = cJSON_IsTrue(v);
        return 0;
}

const struct zone_tuning *state_find_tuning(const struct state_data *st,
                                            const char *zone_id)
{
        for (int i = 0; i < st->ntunings; i++)
                if (strcmp(st->tunings[i].zone_id, zone_id) == 0)
                        return &st->tunings[i].t;
        return NULL;
}

int state_put_tuning(struct state_data *st, const char *zone_id,
                     const struct zone_tuning *t)
{
        int i = 0;

        while (i < st->ntunings && strcmp(st->tunings[i].zone_id, zone_id))
                i++;
        if (i == STATE_MAX_TUNINGS)
                return -ENOSPC;
        if (i == st->ntunings)
                st->ntunings++;
        snprintf(st->tunings[i].zone_id, STATE_ID_MAX, "%s", zone_id);
        st->tunings[i].t = *t;
        st->tunings[i].t.valid = true;
        return 0;
}

/* A wall time a state file may hold: from 1970 to 2100, or to where a
 * 32-bit time_t ends. Anything else (1e80, found by fuzzing) would not fit
 * the cast to time_t, which is undefined behaviour. */
static bool is_epoch_time(double v)
{
        double max = sizeof(time_t) > 4 ? 4102444800.0 : 2147483647.0;
        return v >= 0 && v <= max;
}

/* One zone's tuning; every number must be there and make sense, or the
 * whole file is refused (a half-read model must not drive a heat-up). */
static int parse_tuning(const cJSON *z, struct zone_tuning *ret)
{
        static const char *const keys[] = { "gain_c", "tau_s", "dead_s",
                "rest_c", "kp", "ki", "kd", "ku", "tu_s", "when" };
        double v[10];

        if (!cJSON_IsObject(z))
                return -EINVAL;
        for (int i = 0; i < 10; i++) {
                const cJSON *n = cJSON_GetObjectItemCaseSensitive(z, keys[i]);
                if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble))
                        return -EINVAL;
                v[i] = n->valuedouble;
        }
        if (!is_epoch_time(v[9]))
                return -EINVAL;
        *ret = (struct zone_tuning){
                .valid = true,
                .model = { v[0], v[1], v[2], v[3] },
                .kp = v[4], .ki = v[5], .kd = v[6], .ku = v[7], .tu_s = v[8],
                .when = (time_t)v[9],
        };
        if (!(ret->model.gain_c > 0 && ret->model.tau_s > 0 &&
              ret->model.dead_s >= 0 && ret->kp >= 0 && ret->kp <= 10 &&
              ret->ki >= 0 && ret->ki <= 1 && ret->kd >= 0 && ret->kd <= 1000))
                return -EINVAL;
        return 0;
}

static int parse_tunings(const cJSON *tun, struct state_data *st, char *err,
                         size_t errlen)
{
        const cJSON *z;

        if (!cJSON_IsObject(tun)) {
                snprintf(err, errlen, "tuning is not an object");
                return -EINVAL;
        }
        cJSON_ArrayForEach(z, tun) {
                struct zone_tuning t;
                if (strlen(z->string) >= STATE_ID_MAX ||
                    parse_tuning(z, &t) < 0) {
                        snprintf(err, errlen, "tuning.%.40s is not a valid "
                                 "tuning", z->string);
                        return -EINVAL;
                }
                if (state_put_tuning(st, z->string, &t) < 0) {
                        snprintf(err, errlen, "more than %d tunings",
                                 STATE_MAX_TUNINGS);
                        return -EINVAL;
                }
        }
        return 0;
}

int state_from_json(const char *json, struct state_data *ret, char *err,
                    size_t errlen)
{
        struct state_data st = { 0 };
        cJSON *root = cJSON_Parse(json);
        const cJSON *ver, *rec, *at, *sched, *faults, *f;
        int r = -EINVAL;

        if (!root) {
                snprintf(err, errlen, "not valid JSON");
                return -EINVAL;
        }
        if (cfg_refuse_duplicate(root, err, errlen) < 0)
                goto out;
        ver = cJSON_GetObjectItemCaseSensitive(root, "version");
        rec = cJSON_GetObjectItemCaseSensitive(root, "record");
        if (!cJSON_IsNumber(ver) || ver->valuedouble < 1) {
                snprintf(err, errlen, "no version number");
                goto out;
        }
        if (ver->valuedouble > STATE_VERSION) {
                snprintf(err, errlen, "version %g is newer than this daemon "
                         "reads (%d)", ver->valuedouble, STATE_VERSION);
                goto out;
        }
        if (rec) {
                if (!cJSON_IsObject(rec)) {
                        snprintf(err, errlen, "record is not an object");
                        goto out;
                }
                at = cJSON_GetObjectItemCaseSensitive(rec, "acute_at");
                if (at && !cJSON_IsNumber(at)) {
                        snprintf(err, errlen, "record.acute_at is not a number");
                        goto out;
                }
                if (at && !is_epoch_time(at->valuedouble)) {
                        snprintf(err, errlen, "record.acute_at is not a time "
                                 "between 1970 and 2100");
                        goto out;
                }
                if (at)
                        st.record.acute_at = (time_t)at->valuedouble;
                if (get_bool(rec, "acute", &st.record.acute) ||
                    get_bool(rec, "injury", &st.record.injury) ||
                    get_bool(rec, "swelling", &st.record.swelling) ||
                    get_bool(rec, "pain_worsening", &st.record.pain_worsening) ||
                    get_bool(rec, "nerve_signs", &st.record.nerve_signs)) {
                        snprintf(err, errlen, "record has a field of the "
                                 "wrong type");
                        goto out;
                }
        }
        const cJSON *tun = cJSON_GetObjectItemCaseSensitive(root, "tuning");
        if (tun && parse_tunings(tun, &st, err, errlen) < 0)
                goto out;
        sched = cJSON_GetObjectItemCaseSensitive(root, "schedule");
        if (sched) {
                char why[160];
                if (schedule_parse(sched, NULL, &st.schedule, why,
                                   sizeof(why)) < 0) {
                        snprintf(err, errlen, "schedule%s", why);
                        goto out;
                }
        }
        faults = cJSON_GetObjectItemCaseSensitive(root, "faults");
        if (faults && !cJSON_IsObject(faults)) {
                snprintf(err, errlen, "faults is not an object");
                goto out;
        }
        cJSON_ArrayForEach(f, faults) {
                enum safety_fault fault = cJSON_IsString(f) ?
                        safety_fault_parse(f->valuestring) : FAULT_NONE;
                if (fault == FAULT_NONE || strlen(f->string) >= CONFIG_NAME_MAX) {
                        snprintf(err, errlen, "faults.%s is not a fault name",
                                 f->string);
                        goto out;
                }
                if (st.nfaults < CONFIG_MAX_ZONES) {
                        snprintf(st.faults[st.nfaults].zone_id, CONFIG_NAME_MAX,
                                 "%s", f->string);
                        st.faults[st.nfaults++].fault = fault;
                }
        }
        *ret = st;
        r = 0;
out:
        cJSON_Delete(root);
        return r;
}

static int write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

static int fsync_dir_of(const char *path)
{
        char copy[PATH_MAX];
        int fd, r = 0;

        snprintf(copy, sizeof(copy), "%s", path);
        fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fsync(fd) < 0)
                r = -errno;
        close(fd);
        return r;
}

int state_save(const char *path, const struct state_data *st)
{
        char tmp[PATH_MAX];
        char *json = state_to_json(st);
        int fd, r;

        if (!json)
                return -ENOMEM;
        if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
                free(json);
                return -ENAMETOOLONG;
        }
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
                r = -errno;
                free(json);
                return r;
        }
        /* A failed write of the last byte must stop the rename too: an
         * unsynced file must never replace the good one. */
        r = write_all(fd, json, strlen(json));
        if (r == 0)
                r = write_all(fd, "\n", 1);
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        free(json);
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                return r;
        }
        return fsync_dir_of(path);
}

/* A file that cannot be parsed is kept, renamed, for a person to look at;
 * the daemon starts from an empty (safe) state. Returns -EINVAL. */
static int set_aside(const char *path, const char *why, char *err,
                     size_t errlen)
{
        char aside[PATH_MAX];
        long long now = (long long)time(NULL);
        int r = -1;

        /* Never over an earlier one (two bad starts in one second): that
         * is someone's evidence too. */
        for (int n = 0; n < 100 && r < 0; n++) {
                if (n == 0)
                        snprintf(aside, sizeof(aside), "%s.corrupt-%lld", path,
                                 now);
                else
                        snprintf(aside, sizeof(aside), "%s.corrupt-%lld-%d",
                                 path, now, n);
                r = renameat2(AT_FDCWD, path, AT_FDCWD, aside,
                              RENAME_NOREPLACE);
                if (r < 0 && errno == EINVAL) { /* file system cannot say */
                        r = rename(path, aside);
                        break;
                }
                if (r < 0 && errno != EEXIST)
                        break;
        }
        if (r == 0)
                snprintf(err, errlen, "%s; moved aside to %s", why, aside);
        else
                snprintf(err, errlen, "%s; could not move it aside: %s", why,
                         strerror(errno));
        return -EINVAL;
}

int state_load(const char *path, struct state_data *ret, char *err,
               size_t errlen)
{
        char why[128];
        char *buf;
        int r;

        memset(ret, 0, sizeof(*ret));
        r = slurp_file(path, STATE_MAX_BYTES, &buf);
        if (r == -EFBIG) {
                snprintf(why, sizeof(why), "larger than %d bytes",
                         STATE_MAX_BYTES);
                return set_aside(path, why, err, errlen);
        }
        if (r < 0) {
                snprintf(err, errlen, "%s", strerror(-r));
                return r;
        }
        r = state_from_json(buf, ret, why, sizeof(why));
        free(buf);
        if (r == -EINVAL)
                return set_aside(path, why, err, errlen);
        return r;
}
