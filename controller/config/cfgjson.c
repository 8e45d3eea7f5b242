/* cfgjson.c: see cfgjson.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfgjson.h"
#include "config/config_keys.h"

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

/* The row of kpath if it has one of the types, else an error and NULL. */
static const struct config_key *row(const char *path, const char *kpath,
                                    enum config_key_type t1,
                                    enum config_key_type t2,
                                    struct config_errors *errs)
{
        const struct config_key *k = config_key_find(kpath);

        if (!k || (k->type != t1 && k->type != t2)) {
                cfg_error(errs, path, NULL, "internal error: %s is not in "
                          "the key table as a %s", kpath,
                          config_key_type_name(t1));
                return NULL;
        }
        return k;
}

static const char *key_name(const char *kpath)
{
        const char *dot = strrchr(kpath, '.');
        return dot ? dot + 1 : kpath;
}

static double number_row(const cJSON *obj, const char *path,
                         const char *kpath, const double *def,
                         struct config_errors *errs)
{
        const struct config_key *k = row(path, kpath, CK_NUMBER, CK_NUMBER,
                                         errs);
        if (!k)
                return NAN;
        return cfg_number(obj, key_name(kpath), path, def ? *def : k->def,
                          k->min, k->max, errs);
}

double cfg_key_number(const cJSON *obj, const char *path, const char *kpath,
                      struct config_errors *errs)
{
        return number_row(obj, path, kpath, NULL, errs);
}

double cfg_key_number_or(const cJSON *obj, const char *path,
                         const char *kpath, double def,
                         struct config_errors *errs)
{
        return number_row(obj, path, kpath, &def, errs);
}

static long integer_row(const cJSON *obj, const char *path,
                        const char *kpath, const long *def,
                        struct config_errors *errs)
{
        const struct config_key *k = row(path, kpath, CK_INTEGER, CK_INTEGER,
                                         errs);
        if (!k)
                return 0;
        return cfg_integer(obj, key_name(kpath), path,
                           def ? *def : (long)k->def, (long)k->min,
                           (long)k->max, errs);
}

long cfg_key_integer(const cJSON *obj, const char *path, const char *kpath,
                     struct config_errors *errs)
{
        return integer_row(obj, path, kpath, NULL, errs);
}

long cfg_key_integer_or(const cJSON *obj, const char *path,
                        const char *kpath, long def,
                        struct config_errors *errs)
{
        return integer_row(obj, path, kpath, &def, errs);
}

bool cfg_key_bool(const cJSON *obj, const char *path, const char *kpath,
                  struct config_errors *errs)
{
        const struct config_key *k = row(path, kpath, CK_BOOL, CK_BOOL, errs);
        if (!k)
                return false;
        return cfg_bool(obj, key_name(kpath), path, k->def != 0, errs);
}

bool cfg_key_string(const cJSON *obj, const char *path, const char *kpath,
                    char *buf, size_t size, struct config_errors *errs)
{
        const struct config_key *k = row(path, kpath, CK_STRING, CK_STRING,
                                         errs);
        if (!k)
                return false;
        return cfg_string(obj, key_name(kpath), path, k->def_str, buf, size,
                          errs);
}

bool cfg_key_string_or(const cJSON *obj, const char *path, const char *kpath,
                       const char *def, char *buf, size_t size,
                       struct config_errors *errs)
{
        if (!row(path, kpath, CK_STRING, CK_STRING, errs))
                return false;
        return cfg_string(obj, key_name(kpath), path, def, buf, size, errs);
}

/* Whether kobj.name, or base.name for kobj "base(variant)", is a row. */
static bool table_has(const char *kobj, const char *name)
{
        char buf[160];
        const char *paren = strchr(kobj, '(');

        snprintf(buf, sizeof(buf), "%s%s%s", kobj, *kobj ? "." : "", name);
        if (config_key_find(buf))
                return true;
        if (!paren)
                return false;
        snprintf(buf, sizeof(buf), "%.*s.%s", (int)(paren - kobj), kobj, name);
        return config_key_find(buf) != NULL;
}

void cfg_check_table_keys(const cJSON *obj, const char *path,
                          const char *kobj, struct config_errors *errs)
{
        const cJSON *item;

        cJSON_ArrayForEach(item, obj) {
                /* A name with a '.' or '(' would match another row. */
                if (!item->string || strpbrk(item->string, ".()[]") ||
                    !table_has(kobj, item->string))
                        cfg_error(errs, path, item->string ? item->string : "?",
                                  "unknown key");
        }
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

/* arg counts the key comparisons, so a test can hold the cost to n log n
 * without reading a clock. */
static int key_at_cmp(const void *a, const void *b, void *arg)
{
        const struct key_at *x = a, *y = b;
        int c = strcmp(x->key, y->key);

        ++*(unsigned long *)arg;

        return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* The first key of obj, in document order, that repeats an earlier one;
 * NULL when every key is different. */
static const char *repeated_key(const cJSON *obj, unsigned long *compares)
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
                        for (a = obj->child; a != b; a = a->next) {
                                ++*compares;
                                if (strcmp(key_of(a), key_of(b)) == 0)
                                        return key_of(b);
                        }
                return NULL;
        }
        n = 0;
        cJSON_ArrayForEach(a, obj) {
                k[n] = (struct key_at){ key_of(a), n };
                n++;
        }
        qsort_r(k, (size_t)n, sizeof(*k), key_at_cmp, compares);
        /* Equal keys sit together, in document order: the second of each
         * run is where that key repeats. */
        for (int i = 1; i < n; i++) {
                *compares += 2;
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
                           size_t len, unsigned long *compares)
{
        const cJSON *c;
        bool obj = cJSON_IsObject(item);
        int i = 0;

        if (obj) {
                const char *k = repeated_key(item, compares);
                if (k) {
                        path_push(path, size, len, k, 0);
                        return true;
                }
        }
        cJSON_ArrayForEach(c, item) {
                if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
                        size_t n = path_push(path, size, len,
                                             obj ? key_of(c) : NULL, i);
                        if (find_duplicate(c, path, size, n, compares))
                                return true;
                        path[len] = '\0';
                }
                i++;
        }
        return false;
}

bool cfg_find_duplicate_counted(const cJSON *item, char *path, size_t size,
                                unsigned long *compares)
{
        *compares = 0;
        if (!size)
                return false;
        path[0] = '\0';
        if (!item || !(cJSON_IsObject(item) || cJSON_IsArray(item)))
                return false;
        return find_duplicate(item, path, size, 0, compares);
}

bool cfg_find_duplicate(const cJSON *item, char *path, size_t size)
{
        unsigned long compares;

        return cfg_find_duplicate_counted(item, path, size, &compares);
}

int cfg_refuse_duplicate(const cJSON *item, char *err, size_t errlen)
{
        char path[160];

        if (!cfg_find_duplicate(item, path, sizeof(path)))
                return 0;
        snprintf(err, errlen, "%s: duplicate key", path);
        return -EINVAL;
}
