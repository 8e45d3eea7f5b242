/* cfgjson.c: see cfgjson.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfgjson.h"

void cfg_join(char *buf, size_t size, const char *path, const char *key)
{
        if (!path || !*path)
                snprintf(buf, size, "%s", key);
        else
                snprintf(buf, size, "%s.%s", path, key);
}

void cfg_error(struct config_errors *errs, const char *path, const char *key,
               const char *fmt, ...)
{
        char where[128], what[160];
        va_list ap;

        if (errs->n >= CONFIG_MAX_ERRORS) {
                errs->truncated = true;
                return;
        }
        if (key)
                cfg_join(where, sizeof(where), path, key);
        else
                snprintf(where, sizeof(where), "%s", path && *path ? path : "(top)");
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        snprintf(errs->msg[errs->n++], sizeof(errs->msg[0]), "%s: %s",
                 where, what);
}

void cfg_check_keys(const cJSON *obj, const char *path,
                    const char *const allowed[], struct config_errors *errs)
{
        const cJSON *item;

        cJSON_ArrayForEach(item, obj) {
                bool known = false;
                for (const char *const *a = allowed; *a; a++)
                        if (item->string && strcmp(item->string, *a) == 0)
                                known = true;
                if (!known)
                        cfg_error(errs, path, item->string ? item->string : "?",
                                  "unknown key");
        }
}

static const cJSON *get(const cJSON *obj, const char *key)
{
        return obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

double cfg_number(const cJSON *obj, const char *key, const char *path,
                  double def, double min, double max,
                  struct config_errors *errs)
{
        const cJSON *v = get(obj, key);

        if (!v)
                return def;
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
                cfg_error(errs, path, key, "must be a number");
                return def;
        }
        if (v->valuedouble < min || v->valuedouble > max) {
                cfg_error(errs, path, key, "must be between %g and %g",
                          min, max);
                return def;
        }
        return v->valuedouble;
}

long cfg_integer(const cJSON *obj, const char *key, const char *path,
                 long def, long min, long max, struct config_errors *errs)
{
        const cJSON *v = get(obj, key);

        if (!v)
                return def;
        if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble)) {
                cfg_error(errs, path, key, "must be a whole number");
                return def;
        }
        if (v->valuedouble < (double)min || v->valuedouble > (double)max) {
                cfg_error(errs, path, key, "must be between %ld and %ld",
                          min, max);
                return def;
        }
        return (long)v->valuedouble;
}

bool cfg_bool(const cJSON *obj, const char *key, const char *path, bool def,
              struct config_errors *errs)
{
        const cJSON *v = get(obj, key);

        if (!v)
                return def;
        if (!cJSON_IsBool(v)) {
                cfg_error(errs, path, key, "must be true or false");
                return def;
        }
        return cJSON_IsTrue(v);
}

bool cfg_string(const cJSON *obj, const char *key, const char *path,
                const char *def, char *buf, size_t size,
                struct config_errors *errs)
{
        const cJSON *v = get(obj, key);
        const char *s = def;

        if (!v && !def) {
                cfg_error(errs, path, key, "is required");
                return false;
        }
        if (v) {
                if (!cJSON_IsString(v)) {
                        cfg_error(errs, path, key, "must be a string");
                        return false;
                }
                s = v->valuestring;
                if (strlen(s) >= size) {
                        cfg_error(errs, path, key,
                                  "must be at most %zu characters", size - 1);
                        return false;
                }
        }
        snprintf(buf, size, "%s", s);
        return true;
}

const cJSON *cfg_object(const cJSON *obj, const char *key, const char *path,
                        struct config_errors *errs)
{
        const cJSON *v = get(obj, key);

        if (v && !cJSON_IsObject(v)) {
                cfg_error(errs, path, key, "must be an object");
                return NULL;
        }
        return v;
}

/* Up to this many keys an object is checked pair by pair; larger ones are
 * sorted, so the cost stays n log n. */
#define PAIRWISE_MAX 16

struct key_at {
        const char *key;
        int idx;                        /* position in the object */
};

static const char *key_of(const cJSON *item)
{
        return item->string ? item->string : "";
}

static int key_at_cmp(const void *a, const void *b)
{
        const struct key_at *x = a, *y = b;
        int c = strcmp(x->key, y->key);

        return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* The first key of obj, in document order, that repeats an earlier one;
 * NULL when every key is different. */
static const char *repeated_key(const cJSON *obj)
{
        const cJSON *a, *b;
        struct key_at *k = NULL;
        const char *found = NULL;
        int n = 0, best = 0;

        cJSON_ArrayForEach(a, obj)
                n++;
        if (n > PAIRWISE_MAX)
                k = malloc((size_t)n * sizeof(*k));
        if (!k) {
                /* Small, or out of memory: slow is still right. */
                cJSON_ArrayForEach(b, obj)
                        for (a = obj->child; a != b; a = a->next)
                                if (strcmp(key_of(a), key_of(b)) == 0)
                                        return key_of(b);
                return NULL;
        }
        n = 0;
        cJSON_ArrayForEach(a, obj) {
                k[n] = (struct key_at){ key_of(a), n };
                n++;
        }
        qsort(k, (size_t)n, sizeof(*k), key_at_cmp);
        /* Equal keys sit together, in document order: the second of each
         * run is where that key repeats. */
        for (int i = 1; i < n; i++) {
                if (strcmp(k[i - 1].key, k[i].key) != 0 ||
                    (i > 1 && strcmp(k[i - 2].key, k[i].key) == 0))
                        continue;
                if (!found || k[i].idx < best) {
                        found = k[i].key;
                        best = k[i].idx;
                }
        }
        free(k);
        return found;
}

/* Appends ".key" (or "key" at the top) or "[i]" to path[0..len); returns
 * the new length. */
static size_t path_push(char *path, size_t size, size_t len, const char *key,
                        int index)
{
        if (len + 1 >= size)
                return len;
        if (key)
                snprintf(path + len, size - len, "%s%.64s", len ? "." : "",
                         *key ? key : "\"\"");
        else
                snprintf(path + len, size - len, "[%d]", index);
        for (char *p = path + len; *p; p++)
                if ((unsigned char)*p < 0x20)
                        *p = '?';       /* it goes into logs and replies */
        return len + strlen(path + len);
}

static bool find_duplicate(const cJSON *item, char *path, size_t size,
                           size_t len)
{
        const cJSON *c;
        bool obj = cJSON_IsObject(item);
        int i = 0;

        if (obj) {
                const char *k = repeated_key(item);
                if (k) {
                        path_push(path, size, len, k, 0);
                        return true;
                }
        }
        cJSON_ArrayForEach(c, item) {
                if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
                        size_t n = path_push(path, size, len,
                                             obj ? key_of(c) : NULL, i);
                        if (find_duplicate(c, path, size, n))
                                return true;
                        path[len] = '\0';
                }
                i++;
        }
        return false;
}

bool cfg_find_duplicate(const cJSON *item, char *path, size_t size)
{
        if (!size)
                return false;
        path[0] = '\0';
        if (!item || !(cJSON_IsObject(item) || cJSON_IsArray(item)))
                return false;
        return find_duplicate(item, path, size, 0);
}

int cfg_refuse_duplicate(const cJSON *item, char *err, size_t errlen)
{
        char path[160];

        if (!cfg_find_duplicate(item, path, sizeof(path)))
                return 0;
        snprintf(err, errlen, "%s: duplicate key", path);
        return -EINVAL;
}
