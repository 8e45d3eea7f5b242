/* config.c: see config.h. Defaults and ranges come from the key table
 * (config_keys.c); what is left here are the rules between keys. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/cfgjson.h"
#include "config/config.h"
#include "config/config_hw.h"
#include "config/config_keys.h"
#include "core/session.h"
#include "config/slurp.h"

/* Largest config file we read: a full 8-zone config is ~6 KiB. */
#define CONFIG_MAX_BYTES (256 * 1024)

static void parse_quiet(const cJSON *obj, struct quiet_hours *q,
                        struct config_errors *errs)
{
        const char *path = "quiet_hours";
        char start[16], end[16];

        q->start_min = q->end_min = -1;
        cfg_check_table_keys(obj, path, path, errs);
        q->enabled = cfg_key_bool(obj, path, "quiet_hours.enabled", errs);
        if (cfg_key_string(obj, path, "quiet_hours.start", start,
                           sizeof(start), errs)) {
                q->start_min = quiet_parse_hhmm(start);
                if (q->start_min < 0)
                        cfg_error(errs, path, "start", "must be a time as HH:MM");
        }
        if (cfg_key_string(obj, path, "quiet_hours.end", end, sizeof(end),
                           errs)) {
                q->end_min = quiet_parse_hhmm(end);
                if (q->end_min < 0)
                        cfg_error(errs, path, "end", "must be a time as HH:MM");
        }
        /* An empty span means no quiet hours at all: say that on purpose. */
        if (q->enabled && q->start_min >= 0 && q->start_min == q->end_min)
                cfg_error(errs, path, "end", "must differ from start (%s): "
                          "the same time would turn quiet hours off; to do "
                          "that, set \"enabled\": false", start);
}

static void parse_pid(const cJSON *obj, const char *zpath, struct zone_cfg *z,
                      struct config_errors *errs)
{
        const char *k = "zones[].pid";
        char path[64];

        cfg_join(path, sizeof(path), zpath, "pid");
        cfg_check_table_keys(obj, path, k, errs);
        z->pid = (struct pid_params){
                .kp = cfg_key_number(obj, path, "zones[].pid.kp", errs),
                .ki = cfg_key_number(obj, path, "zones[].pid.ki", errs),
                .kd = cfg_key_number(obj, path, "zones[].pid.kd", errs),
                .d_filter_s = cfg_key_number(obj, path,
                                             "zones[].pid.d_filter_s", errs),
                .i_band_c = cfg_key_number(obj, path, "zones[].pid.i_band_c",
                                           errs),
                .out_min = 0,
                .out_max = 1,
        };
        /* Gains the file gives win over an autotune's (README). */
        z->pid_gains_set = obj && (cJSON_GetObjectItemCaseSensitive(obj, "kp") ||
                                   cJSON_GetObjectItemCaseSensitive(obj, "ki") ||
                                   cJSON_GetObjectItemCaseSensitive(obj, "kd"));
        double window = cfg_key_number(obj, path, "zones[].pid.window_s",
                                       errs);
        z->window_set = obj && cJSON_GetObjectItemCaseSensitive(obj,
                                                               "window_s");
        char mode[16];
        z->window_mode = WINDOW_COMFORT;
        if (cfg_key_string(obj, path, "zones[].pid.window_mode", mode,
                           sizeof(mode), errs)) {
                if (strcmp(mode, "relay_life") == 0)
                        z->window_mode = WINDOW_RELAY_LIFE;
                else if (strcmp(mode, "comfort") != 0)
                        cfg_error(errs, path, "window_mode", "must be "
                                  "\"comfort\" or \"relay_life\"");
        }
        z->switches_per_hour = cfg_key_number(obj, path,
                                              "zones[].pid.switches_per_hour",
                                              errs);
        double min_on = cfg_key_number(obj, path, "zones[].pid.min_on_s",
                                       errs);
        double min_off = cfg_key_number(obj, path, "zones[].pid.min_off_s",
                                        errs);
        if (min_on + min_off > window)
                cfg_error(errs, path, "min_on_s", "min_on_s + min_off_s must "
                          "not exceed window_s (%g)", window);
        z->window = (struct window_params){
                .window_ms = (uint64_t)(window * 1000),
                .min_on_ms = (uint64_t)(min_on * 1000),
                .min_off_ms = (uint64_t)(min_off * 1000),
        };
}

/* A limit in seconds as the supervisor's milliseconds. */
static uint64_t limit_ms(const cJSON *obj, const char *path, const char *kpath,
                         struct config_errors *errs)
{
        return (uint64_t)(1000 * cfg_key_number(obj, path, kpath, errs));
}

static void parse_limits(const cJSON *obj, const char *zpath,
                         struct zone_cfg *z, struct config_errors *errs)
{
        char path[64];

        cfg_join(path, sizeof(path), zpath, "limits");
        cfg_check_table_keys(obj, path, "zones[].limits", errs);
        struct safety_params *s = &z->safety;
        /* The checks no key sets keep their defaults. */
        safety_default_params(s);
        s->cutoff_c = cfg_key_number(obj, path, "zones[].limits.cutoff_c",
                                     errs);
        z->max_setpoint_c = cfg_key_number(obj, path,
                                           "zones[].limits.max_setpoint_c",
                                           errs);
        z->min_setpoint_c = cfg_key_number(obj, path,
                                           "zones[].limits.min_setpoint_c",
                                           errs);
        s->sensor_timeout_ms = limit_ms(obj, path,
                                        "zones[].limits.sensor_timeout_s",
                                        errs);
        s->runaway_ms = limit_ms(obj, path, "zones[].limits.runaway_s", errs);
        s->runaway_min_rise_c = cfg_key_number(obj, path,
                "zones[].limits.runaway_min_rise_c", errs);
        s->holding_ms = limit_ms(obj, path, "zones[].limits.holding_s", errs);
        s->holding_drop_c = cfg_key_number(obj, path,
                                           "zones[].limits.holding_drop_c",
                                           errs);
        s->stuck_ms = limit_ms(obj, path, "zones[].limits.stuck_relay_s",
                               errs);
        s->stuck_above_c = cfg_key_number(obj, path,
                "zones[].limits.stuck_relay_above_c", errs);
        s->disagree_c = cfg_key_number(obj, path,
                                       "zones[].limits.sensor_disagree_c",
                                       errs);
        s->frozen_ms = limit_ms(obj, path, "zones[].limits.frozen_reading_s",
                                errs);

        if (z->max_setpoint_c > s->cutoff_c - 2)
                cfg_error(errs, path, "max_setpoint_c", "must be at least 2 "
                          "below cutoff_c (%g)", s->cutoff_c);
        if (z->min_setpoint_c > z->max_setpoint_c)
                cfg_error(errs, path, "min_setpoint_c", "must not exceed "
                          "max_setpoint_c (%g)", z->max_setpoint_c);
}

static void parse_session(const cJSON *obj, const char *zpath,
                          struct zone_cfg *z, struct config_errors *errs)
{
        char path[64];

        cfg_join(path, sizeof(path), zpath, "session");
        cfg_check_table_keys(obj, path, "zones[].session", errs);
        z->max_minutes = (int)cfg_key_integer(obj, path,
                                              "zones[].session.max_minutes",
                                              errs);
        z->default_minutes = (int)cfg_key_integer(obj, path,
                "zones[].session.default_minutes", errs);
        z->default_setpoint_c = cfg_key_number(obj, path,
                "zones[].session.default_setpoint_c", errs);
        z->rest_minutes = (int)cfg_key_integer(obj, path,
                                               "zones[].session.rest_minutes",
                                               errs);
        if (z->default_minutes > z->max_minutes)
                cfg_error(errs, path, "default_minutes", "must not exceed "
                          "max_minutes (%d)", z->max_minutes);
        if (z->default_setpoint_c < z->min_setpoint_c ||
            z->default_setpoint_c > z->max_setpoint_c)
                cfg_error(errs, path, "default_setpoint_c", "must be between "
                          "min_setpoint_c (%g) and max_setpoint_c (%g)",
                          z->min_setpoint_c, z->max_setpoint_c);
}

/* "Upper Back" -> "upper_back": what topics and URLs can carry. */
static void make_id(const char *name, char *id, size_t size)
{
        size_t n = 0;
        bool sep = false;

        for (const char *p = name; *p && n + 1 < size; p++) {
                if (isalnum((unsigned char)*p)) {
                        if (sep && n > 0)
                                id[n++] = '_';
                        if (n + 1 < size)
                                id[n++] = (char)tolower((unsigned char)*p);
                        sep = false;
                } else {
                        sep = true;
                }
        }
        id[n] = '\0';
}

static bool valid_id(const char *id)
{
        if (!*id)
                return false;
        for (const char *p = id; *p; p++)
                if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
                      *p == '_' || *p == '-'))
                        return false;
        return true;
}

/* The words MQTT topics (mqtt.c, mqtt_handle.c, ha_discovery.c) and the
 * page's routes (http_api.c) put where a zone id goes, or right after one:
 * a zone by such an id would be read as, or be mistaken for, one of them. */
static const struct {
        const char *word, *use;
} reserved_ids[] = {
        { "availability", "the MQTT availability topic" },
        { "guidance", "the MQTT guidance topic and /api/guidance" },
        { "schedule", "the MQTT schedule topic and /api/schedule" },
        { "run", "the MQTT schedule/run topic" },
        { "set", "the MQTT <zone>/set topics" },
        { "state", "the MQTT <zone>/state topic" },
        { "result", "the MQTT <zone>/result topic" },
        { "mode", "the MQTT <zone>/mode/set topic" },
        { "temperature", "the MQTT <zone>/temperature/set topic" },
        { "heat_blocked", "a Home Assistant component of the device" },
        { "quiet_hours", "a Home Assistant component of the device" },
        { "heat_allowed_at", "a Home Assistant component of the device" },
        { "preset", "the MQTT <zone>/preset/set topic" },
        { "minutes", "the MQTT <zone>/minutes/set topic" },
        { "api", "the page's /api/ paths" },
        { "zones", "the page's /api/zones/ paths" },
        { "status", "/api/status" },
        { "login", "/api/login" },
        { "logout", "/api/logout" },
        { "history", "/api/history" },
        { "injury", "/api/injury" },
        { "confirm-safe", "/api/confirm-safe" },
        { "confirm_safe", "/api/confirm-safe" },
        { "start", "/api/zones/<zone>/start and the MQTT start action" },
        { "stop", "/api/stop and /api/zones/<zone>/stop" },
        { "clear-fault", "/api/zones/<zone>/clear-fault" },
        { "clear_fault", "the MQTT clear_fault action" },
        { "all", "what stopping all zones means (/api/stop)" },
};

static const char *reserved_id_use(const char *id)
{
        for (size_t i = 0; i < sizeof(reserved_ids) / sizeof(reserved_ids[0]);
             i++)
                if (strcmp(id, reserved_ids[i].word) == 0)
                        return reserved_ids[i].use;
        return NULL;
}

const char *const config_preset_names[CONFIG_PRESETS] = { "low", "medium",
                                                          "high" };

/* Named setpoints; the defaults are moved into the zone's range, a value
 * given must lie in it. */
static void parse_presets(const cJSON *obj, const char *zpath,
                          struct zone_cfg *z, struct config_errors *errs)
{
        char path[64], kpath[48];

        cfg_join(path, sizeof(path), zpath, "presets");
        cfg_check_table_keys(obj, path, "zones[].presets", errs);
        for (int i = 0; i < CONFIG_PRESETS; i++) {
                snprintf(kpath, sizeof(kpath), "zones[].presets.%s",
                         config_preset_names[i]);
                double d = fmin(fmax(config_key_default(kpath),
                                     z->min_setpoint_c), z->max_setpoint_c);
                z->presets_c[i] = cfg_number(obj, config_preset_names[i], path,
                                             d, z->min_setpoint_c,
                                             z->max_setpoint_c, errs);
        }
}

static void parse_zone(const cJSON *obj, int i, struct zone_cfg *z,
                       struct config_errors *errs)
{
        char path[32], sub[64];

        snprintf(path, sizeof(path), "zones[%d]", i);
        if (!cJSON_IsObject(obj)) {
                cfg_error(errs, path, NULL, "must be an object");
                return;
        }
        cfg_check_table_keys(obj, path, "zones[]", errs);
        if (cfg_key_string(obj, path, "zones[].name", z->name,
                           sizeof(z->name), errs) && !z->name[0])
                cfg_error(errs, path, "name", "must not be empty");
        char derived[CONFIG_NAME_MAX];
        make_id(z->name, derived, sizeof(derived));
        if (cfg_key_string_or(obj, path, "zones[].id", derived, z->id,
                              sizeof(z->id), errs)) {
                const char *use = reserved_id_use(z->id);
                if (!valid_id(z->id))
                        cfg_error(errs, path, "id", "must be lower-case "
                                  "letters, digits, '_' or '-' (it goes into "
                                  "topics and URLs)");
                else if (use)
                        cfg_error(errs, path, "id", "'%s' is taken by %s; "
                                  "give the zone another \"id\"", z->id, use);
        }

        cfg_join(sub, sizeof(sub), path, "sensor");
        config_hw_sensor(cfg_object(obj, "sensor", path, errs), sub, i,
                         &z->sensor, errs);
        cfg_join(sub, sizeof(sub), path, "sensor2");
        config_hw_sensor2(cfg_object(obj, "sensor2", path, errs), sub, i,
                          &z->sensor2, errs);
        cfg_join(sub, sizeof(sub), path, "relay");
        config_hw_relay(cfg_object(obj, "relay", path, errs), sub, &z->relay,
                        errs);
        config_hw_check_pair(z, path, errs);
        cfg_join(sub, sizeof(sub), path, "button");
        config_hw_button(cfg_object(obj, "button", path, errs), sub,
                         "zones[].button", &z->button, errs);
        cfg_join(sub, sizeof(sub), path, "light");
        config_hw_light(cfg_object(obj, "light", path, errs), sub, &z->light,
                        errs);
        parse_pid(cfg_object(obj, "pid", path, errs), path, z, errs);
        parse_limits(cfg_object(obj, "limits", path, errs), path, z, errs);
        parse_session(cfg_object(obj, "session", path, errs), path, z, errs);
        parse_presets(cfg_object(obj, "presets", path, errs), path, z, errs);
        /* A simulated pad declares its power already. */
        z->power_w = cfg_key_number_or(obj, path, "zones[].power_w",
                                       z->sensor.type == SENSOR_SIM ?
                                       z->sensor.sim.power_w : 0, errs);
        z->safety.two_sensors = z->sensor2.type != SENSOR_NONE;
}

static void parse_zones(const cJSON *root, struct config *cfg,
                        struct config_errors *errs)
{
        const cJSON *zones = cJSON_GetObjectItemCaseSensitive(root, "zones");
        const cJSON *item;
        int i = 0;

        if (!zones) {
                cfg_error(errs, "zones", NULL, "is required (1 to %d zones)",
                          CONFIG_MAX_ZONES);
                return;
        }
        /* An empty list is the shipped config: valid, and the daemon says
         * it is not configured yet rather than heat anything. */
        if (!cJSON_IsArray(zones) ||
            cJSON_GetArraySize(zones) > CONFIG_MAX_ZONES) {
                cfg_error(errs, "zones", NULL, "must be a list of 0 to %d zones",
                          CONFIG_MAX_ZONES);
                return;
        }
        cJSON_ArrayForEach(item, zones) {
                parse_zone(item, i, &cfg->zones[i], errs);
                for (int j = 0; j < i; j++) {
                        char path[32];
                        snprintf(path, sizeof(path), "zones[%d]", i);
                        if (strcmp(cfg->zones[j].id, cfg->zones[i].id) == 0)
                                cfg_error(errs, path, "name", "zone id '%s' "
                                          "is already used by zones[%d]",
                                          cfg->zones[i].id, j);
                }
                i++;
        }
        cfg->nzones = i;
}

int config_parse(const char *json, struct config *ret_cfg,
                 struct config_errors *errs)
{
        struct config *cfg = calloc(1, sizeof(*cfg));
        cJSON *root;

        memset(errs, 0, sizeof(*errs));
        if (!cfg)
                return -ENOMEM;
        root = cJSON_Parse(json);
        if (!root) {
                const char *at = cJSON_GetErrorPtr();
                int line = 1;
                for (const char *p = json; at && p < at; p++)
                        line += *p == '\n';
                cfg_error(errs, NULL, NULL, "not valid JSON (near line %d)", line);
                free(cfg);
                return -EINVAL;
        }
        char dup[160];
        if (cfg_find_duplicate(root, dup, sizeof(dup)))
                cfg_error(errs, dup, NULL, "duplicate key");
        if (!cJSON_IsObject(root)) {
                cfg_error(errs, NULL, NULL, "must be a JSON object");
        } else {
                cfg_check_table_keys(root, "", "", errs);
                if (cfg_key_string(root, "", "device_id", cfg->device_id,
                                   sizeof(cfg->device_id), errs) &&
                    !valid_id(cfg->device_id))
                        cfg_error(errs, "", "device_id", "must be lower-case "
                                  "letters, digits, '_' or '-'");
                cfg_key_string(root, "", "state_file", cfg->state_file,
                               sizeof(cfg->state_file), errs);
                parse_quiet(cfg_object(root, "quiet_hours", "", errs),
                            &cfg->quiet, errs);
                parse_zones(root, cfg, errs);
                config_mqtt_parse(cfg_object(root, "mqtt", "", errs), cfg,
                                  &cfg->mqtt, errs);
                config_http_parse(cfg_object(root, "http", "", errs),
                                  &cfg->http, errs);
                config_hw_button(cfg_object(root, "button", "", errs),
                                 "button", "button", &cfg->button, errs);
                config_hw_check_lines(cfg, errs);
        }
        cJSON_Delete(root);
        if (errs->n == 0)
                *ret_cfg = *cfg;
        free(cfg);
        return errs->n ? -EINVAL : 0;
}

int config_load(const char *path, struct config *ret_cfg,
                struct config_errors *errs)
{
        char *buf;
        int r;

        memset(errs, 0, sizeof(*errs));
        r = slurp_file(path, CONFIG_MAX_BYTES, &buf);
        if (r == -EFBIG) {
                cfg_error(errs, path, NULL, "larger than %d bytes",
                          CONFIG_MAX_BYTES);
                return r;
        }
        if (r < 0) {
                cfg_error(errs, path, NULL, "cannot open: %s", strerror(-r));
                return r;
        }
        r = config_parse(buf, ret_cfg, errs);
        free(buf);
        return r;
}

static const char *file_kind(mode_t mode)
{
        if (S_ISDIR(mode))
                return "a directory";
        if (S_ISCHR(mode))
                return "a character device";
        if (S_ISBLK(mode))
                return "a block device";
        if (S_ISFIFO(mode))
                return "a fifo";
        if (S_ISSOCK(mode))
                return "a socket";
        if (S_ISLNK(mode))
                return "a symbolic link";
        return "not a regular file";
}

int config_check_state_file(const char *path, char *err, size_t errlen)
{
        char dir[PATH_MAX];
        struct stat st;
        const char *slash;

        if (!*path) {
                snprintf(err, errlen, "the state file's path is empty");
                return -EINVAL;
        }
        if (lstat(path, &st) == 0) {
                if (S_ISREG(st.st_mode))
                        return 0;
                snprintf(err, errlen, "%s is %s, not a regular file: give "
                         "the path of a file of its own%s", path,
                         file_kind(st.st_mode), S_ISLNK(st.st_mode) ?
                         " (not a link to one)" : "");
                return -EINVAL;
        }
        if (errno != ENOENT) {
                int e = errno;
                snprintf(err, errlen, "%s: %s", path, strerror(e));
                return -e;
        }
        /* Absent: written on the first change, so its folder must be there
         * (a link to a folder is fine). */
        slash = strrchr(path, '/');
        if (slash && (size_t)(slash - path) >= sizeof(dir)) {
                snprintf(err, errlen, "the state file's path is too long");
                return -ENAMETOOLONG;
        }
        if (!slash)
                snprintf(dir, sizeof(dir), ".");
        else if (slash == path)
                snprintf(dir, sizeof(dir), "/");
        else
                snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
        if (stat(dir, &st) < 0) {
                int e = errno;
                snprintf(err, errlen, "%s: its directory %s %s", path, dir,
                         e == ENOENT ? "does not exist" : strerror(e));
                return -e;
        }
        if (!S_ISDIR(st.st_mode)) {
                snprintf(err, errlen, "%s: %s is not a directory", path, dir);
                return -ENOTDIR;
        }
        return 0;
}

int config_find_zone(const struct config *cfg, const char *name_or_id)
{
        for (int i = 0; i < cfg->nzones; i++)
                if (strcmp(cfg->zones[i].name, name_or_id) == 0 ||
                    strcmp(cfg->zones[i].id, name_or_id) == 0)
                        return i;
        return -1;
}
