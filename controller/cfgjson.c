/* cfgjson.c: see cfgjson.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cfgjson.h"

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
