/* config_keys.h: the table of every configuration key.
 *
 * One row per key: its path in the JSON file, type, default, range, unit
 * and a line of help. The parser (config.c, config_hw.c, config_mqtt.c,
 * config_http.c) takes defaults and ranges from here and checks unknown
 * keys against it; core/safety.c takes the safety defaults from here;
 * scripts/gen-config-doc writes the KEYS section of heatpad.json(5) from
 * it (`make check-docs` fails when the committed page differs).
 *
 * Paths: "zones[].limits.cutoff_c" is the key cutoff_c of the limits
 * object of any zone. A type in parentheses names the variant an object's
 * "type" selects: "zones[].sensor(ds18b20).id" is a key of a DS18B20
 * sensor. zones[].sensor2 takes the keys of zones[].sensor. */
#ifndef HEATPAD_CONFIG_KEYS_H
#define HEATPAD_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>

enum config_key_type {
        CK_NUMBER, CK_INTEGER, CK_BOOL, CK_STRING, CK_OBJECT, CK_LIST
};

struct config_key {
        const char *path;
        enum config_key_type type;
        double def;             /* numbers, whole numbers, bools (0 or 1) */
        double min, max;        /* numbers and whole numbers */
        const char *def_str;    /* strings; NULL: see def_doc */
        /* Set when the default is not a plain value ("required", "from
         * the name"); the parser then passes it in. */
        const char *def_doc;
        const char *unit;       /* "s", "degC", ... or NULL */
        const char *help;
};

/* The rows, in the order heatpad.json(5) lists them. */
extern const struct config_key config_keys[];
extern const size_t config_nkeys;

/* The row of path, or NULL. */
const struct config_key *config_key_find(const char *path);

/* The default of a number, whole number or bool key; NAN when path is
 * not a key with such a default. */
double config_key_default(const char *path);

/* The name of a type as the page and --check-config say it. */
const char *config_key_type_name(enum config_key_type t);

#endif
