/* cfgjson.h: small helpers for reading config objects with cJSON.
 *
 * Each getter takes the object, the key and the key's parent path, returns
 * the value or the default when the key is absent, and appends one line to
 * errs when the value has the wrong type or range. Shared by config.c and
 * config_hw.c. */
#ifndef HEATPAD_CFGJSON_H
#define HEATPAD_CFGJSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "config/config.h"

/* Appends "path.key: message" (or "path: message" when key is NULL). */
void cfg_error(struct config_errors *errs, const char *path, const char *key,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Reports every key of obj that is not in the NULL-terminated list. */
void cfg_check_keys(const cJSON *obj, const char *path,
                    const char *const allowed[], struct config_errors *errs);

/* A number in [min, max]; def when absent. */
double cfg_number(const cJSON *obj, const char *key, const char *path,
                  double def, double min, double max,
                  struct config_errors *errs);

/* A whole number in [min, max]; def when absent. */
long cfg_integer(const cJSON *obj, const char *key, const char *path,
                 long def, long min, long max, struct config_errors *errs);

/* true or false; def when absent. */
bool cfg_bool(const cJSON *obj, const char *key, const char *path, bool def,
              struct config_errors *errs);

/* A string of at most size-1 bytes copied into buf; def when absent. A
 * required string has def NULL and is reported when missing. Returns
 * whether buf holds a value. */
bool cfg_string(const cJSON *obj, const char *key, const char *path,
                const char *def, char *buf, size_t size,
                struct config_errors *errs);

/* The object under key, or NULL when absent; reported when not an object. */
const cJSON *cfg_object(const cJSON *obj, const char *key, const char *path,
                        struct config_errors *errs);

/* The same getters driven by the key table (config_keys.h): kpath names
 * the key's row, e.g. "zones[].limits.cutoff_c"; the key is the part after
 * the last '.', the default and the range are the row's. The _or forms
 * take the default from the caller, for a row whose default depends on
 * other keys. A kpath with no row of that type is reported as an error:
 * a parser and its table cannot drift apart unseen. */
double cfg_key_number(const cJSON *obj, const char *path, const char *kpath,
                      struct config_errors *errs);
double cfg_key_number_or(const cJSON *obj, const char *path,
                         const char *kpath, double def,
                         struct config_errors *errs);
long cfg_key_integer(const cJSON *obj, const char *path, const char *kpath,
                     struct config_errors *errs);
long cfg_key_integer_or(const cJSON *obj, const char *path,
                        const char *kpath, long def,
                        struct config_errors *errs);
bool cfg_key_bool(const cJSON *obj, const char *path, const char *kpath,
                  struct config_errors *errs);
/* A row whose default is "required" makes the string required. */
bool cfg_key_string(const cJSON *obj, const char *path, const char *kpath,
                    char *buf, size_t size, struct config_errors *errs);
bool cfg_key_string_or(const cJSON *obj, const char *path, const char *kpath,
                       const char *def, char *buf, size_t size,
                       struct config_errors *errs);

/* Reports every key of obj that has no row under kobj, e.g.
 * "zones[].sensor(ds18b20)" (whose rows include those of
 * "zones[].sensor", such as type). */
void cfg_check_table_keys(const cJSON *obj, const char *path,
                          const char *kobj, struct config_errors *errs);

/* "path.key" into buf. */
void cfg_join(char *buf, size_t size, const char *path, const char *key);

/* Whether some object under item (item itself, or any depth of objects and
 * lists) gives one key twice. cJSON keeps both and every lookup finds the
 * first, so {"max_minutes":90,"max_minutes":500} would read as 90 while
 * whoever wrote it meant 500: every JSON text that comes in is refused
 * instead. On true, path holds where, e.g. "zones[0].max_minutes" (control
 * characters as '?'). Costs n log n in the number of keys of an object, so
 * a hostile payload cannot make it quadratic. */
bool cfg_find_duplicate(const cJSON *item, char *path, size_t size);

/* The same, and how many key comparisons it took in *compares. */
bool cfg_find_duplicate_counted(const cJSON *item, char *path, size_t size,
                                unsigned long *compares);

/* The same as a refusal: 0, or -EINVAL with "<path>: duplicate key" in
 * err. */
int cfg_refuse_duplicate(const cJSON *item, char *err, size_t errlen);

#endif
