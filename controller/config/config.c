/* config.c: see config.h. Defaults live here and in README.md's reference;
 * keep the two in step. */
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
#include "core/session.h"
#include "config/slurp.h"

/* Largest config file we read: a full 8-zone config is ~6 KiB. */
#define CONFIG_MAX_BYTES (256 * 1024)

static void parse_quiet(const cJSON *obj, struct quiet_hours *q,
                        struct config_errors *errs)
{
        static const char *const keys[] = { "enabled", "start", "end", NULL };
        const char *path = "quiet_hours";
        char start[16], end[16];

        q->start_min = q->end_min = -1;
        cfg_check_keys(obj, path, keys, errs);
        q->enabled = cfg_bool(obj, "enabled", path, true, errs);
        if (cfg_string(obj, "start", path, "23:00", start, sizeof(start), errs)) {
                q->start_min = quiet_parse_hhmm(start);
                if (q->start_min < 0)
                        cfg_error(errs, path, "start", "must be a time as HH:MM");
        }
        if (cfg_string(obj, "end", path, "07:00", end, sizeof(end), errs)) {
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
        static const char *const keys[] = {
                "kp", "ki", "kd", "d_filter_s", "i_band_c", "window_s",
                "min_on_s", "min_off_s", "window_mode", "switches_per_hour",
                NULL
        };
        char path[64];

        cfg_join(path, sizeof(path), zpath, "pid");
        cfg_check_keys(obj, path, keys, errs);
        /* Tuned on the simulated pad (sim_pad.c): a cold start to 40 degC
         * settles within 0.5 degC with about 0.2 degC of overshoot. */
        z->pid = (struct pid_params){
                .kp = cfg_number(obj, "kp", path, 0.4, 0, 10, errs),
                .ki = cfg_number(obj, "ki", path, 0.0015, 0, 1, errs),
                .kd = cfg_number(obj, "kd", path, 5, 0, 1000, errs),
                .d_filter_s = cfg_number(obj, "d_filter_s", path, 20, 0, 600, errs),
                .i_band_c = cfg_number(obj, "i_band_c", path, 2, 0.1, 20, errs),
                .out_min = 0,
                .out_max = 1,
        };
        /* Gains the file gives win over an autotune's (README). */
        z->pid_gains_set = obj && (cJSON_GetObjectItemCaseSensitive(obj, "kp") ||
                                   cJSON_GetObjectItemCaseSensitive(obj, "ki") ||
                                   cJSON_GetObjectItemCaseSensitive(obj, "kd"));
        double window = cfg_number(obj, "window_s", path, 60, 5, 600, errs);
        z->window_set = obj && cJSON_GetObjectItemCaseSensitive(obj,
                                                               "window_s");
        char mode[16];
        z->window_mode = WINDOW_COMFORT;
        if (cfg_string(obj, "window_mode", path, "comfort", mode, sizeof(mode),
                       errs)) {
                if (strcmp(mode, "relay_life") == 0)
                        z->window_mode = WINDOW_RELAY_LIFE;
                else if (strcmp(mode, "comfort") != 0)
                        cfg_error(errs, path, "window_mode", "must be "
                                  "\"comfort\" or \"relay_life\"");
        }
        z->switches_per_hour = cfg_number(obj, "switches_per_hour", path, 40,
                                          4, 600, errs);
        double min_on = cfg_number(obj, "min_on_s", path, 10, 0, 300, errs);
        double min_off = cfg_number(obj, "min_off_s", path, 10, 0, 300, errs);
        if (min_on + min_off > window)
                cfg_error(errs, path, "min_on_s", "min_on_s + min_off_s must "
                          "not exceed window_s (%g)", window);
        z->window = (struct window_params){
                .window_ms = (uint64_t)(window * 1000),
                .min_on_ms = (uint64_t)(min_on * 1000),
                .min_off_ms = (uint64_t)(min_off * 1000),
        };
}

static void parse_limits(const cJSON *obj, const char *zpath,
                         struct zone_cfg *z, struct config_errors *errs)
{
        static const char *const keys[] = {
                "cutoff_c", "max_setpoint_c", "min_setpoint_c",
                "sensor_timeout_s", "runaway_s", "runaway_min_rise_c",
                "holding_s", "holding_drop_c", "stuck_relay_s",
                "stuck_relay_above_c", "sensor_disagree_c",
                "frozen_reading_s", NULL
        };
        struct safety_params d;
        char path[64];

        safety_default_params(&d);
        cfg_join(path, sizeof(path), zpath, "limits");
        cfg_check_keys(obj, path, keys, errs);
        struct safety_params *s = &z->safety;
        *s = d;
        /* 50 degC for minutes burns skin; no config may go there. */
        s->cutoff_c = cfg_number(obj, "cutoff_c", path, d.cutoff_c, 30, 50, errs);
        z->max_setpoint_c = cfg_number(obj, "max_setpoint_c", path, 42, 25, 48, errs);
        z->min_setpoint_c = cfg_number(obj, "min_setpoint_c", path, 30, 20, 48, errs);
        s->sensor_timeout_ms = (uint64_t)(1000 * cfg_number(obj,
                "sensor_timeout_s", path, 5, 2, 60, errs));
        s->runaway_ms = (uint64_t)(1000 * cfg_number(obj, "runaway_s", path,
                120, 30, 900, errs));
        s->runaway_min_rise_c = cfg_number(obj, "runaway_min_rise_c", path,
                d.runaway_min_rise_c, 0.2, 10, errs);
        s->holding_ms = (uint64_t)(1000 * cfg_number(obj, "holding_s", path,
                120, 30, 900, errs));
        s->holding_drop_c = cfg_number(obj, "holding_drop_c", path,
                d.holding_drop_c, 1, 15, errs);
        s->stuck_ms = (uint64_t)(1000 * cfg_number(obj, "stuck_relay_s", path,
                60, 10, 600, errs));
        s->stuck_above_c = cfg_number(obj, "stuck_relay_above_c", path,
                d.stuck_above_c, 0.5, 10, errs);
        s->disagree_c = cfg_number(obj, "sensor_disagree_c", path,
                d.disagree_c, 0.5, 20, errs);
        s->frozen_ms = (uint64_t)(1000 * cfg_number(obj, "frozen_reading_s",
                path, 60, 20, 900, errs));

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
        static const char *const keys[] = {
                "default_minutes", "max_minutes", "default_setpoint_c",
                "rest_minutes", NULL
        };
        char path[64];

        cfg_join(path, sizeof(path), zpath, "session");
        cfg_check_keys(obj, path, keys, errs);
        z->max_minutes = (int)cfg_integer(obj, "max_minutes", path, 90, 1,
                                          SESSION_HARD_CAP_MIN, errs);
        z->default_minutes = (int)cfg_integer(obj, "default_minutes", path, 20,
                                              1, SESSION_HARD_CAP_MIN,
                                              errs);
        z->default_setpoint_c = cfg_number(obj, "default_setpoint_c", path, 38,
                                           20, 48, errs);
        z->rest_minutes = (int)cfg_integer(obj, "rest_minutes", path, 30, 10,
                                           240, errs);
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
        static const char *const keys[] = { "low", "medium", "high", NULL };
        static const double defaults[CONFIG_PRESETS] = { 37, 39, 41 };
        char path[64];

        cfg_join(path, sizeof(path), zpath, "presets");
        cfg_check_keys(obj, path, keys, errs);
        for (int i = 0; i < CONFIG_PRESETS; i++) {
                double d = fmin(fmax(defaults[i], z->min_setpoint_c),
                                z->max_setpoint_c);
                z->presets_c[i] = cfg_number(obj, config_preset_names[i], path,
                                             d, z->min_setpoint_c,
                                             z->max_setpoint_c, errs);
        }
}

static void parse_zone(const cJSON *obj, int i, struct zone_cfg *z,
                       struct config_errors *errs)
{
        static const char *const keys[] = {
                "name", "id", "sensor", "sensor2", "relay", "pid", "limits",
                "session", "power_w", "presets", NULL
        };
        char path[32], sub[64];

        snprintf(path, sizeof(path), "zones[%d]", i);
        if (!cJSON_IsObject(obj)) {
                cfg_error(errs, path, NULL, "must be an object");
                return;
        }
        cfg_check_keys(obj, path, keys, errs);
        if (cfg_string(obj, "name", path, NULL, z->name, sizeof(z->name), errs)
            && !z->name[0])
                cfg_error(errs, path, "name", "must not be empty");
        char derived[CONFIG_NAME_MAX];
        make_id(z->name, derived, sizeof(derived));
        if (cfg_string(obj, "id", path, derived, z->id, sizeof(z->id), errs)) {
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
        parse_pid(cfg_object(obj, "pid", path, errs), path, z, errs);
        parse_limits(cfg_object(obj, "limits", path, errs), path, z, errs);
        parse_session(cfg_object(obj, "session", path, errs), path, z, errs);
        parse_presets(cfg_object(obj, "presets", path, errs), path, z, errs);
        /* A simulated pad declares its power already. */
        z->power_w = cfg_number(obj, "power_w", path, z->sensor.type ==
                                SENSOR_SIM ? z->sensor.sim.power_w : 0, 0,
                                5000, errs);
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
        static const char *const keys[] = {
                "device_id", "state_file", "quiet_hours", "zones", "mqtt",
                "http", NULL
        };
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
                cfg_check_keys(root, "", keys, errs);
                if (cfg_string(root, "device_id", "", "heatpad", cfg->device_id,
                               sizeof(cfg->device_id), errs) &&
                    !valid_id(cfg->device_id))
                        cfg_error(errs, "", "device_id", "must be lower-case "
                                  "letters, digits, '_' or '-'");
                cfg_string(root, "state_file", "", "/var/lib/heatpad/state.json",
                           cfg->state_file, sizeof(cfg->state_file), errs);
                parse_quiet(cfg_object(root, "quiet_hours", "", errs),
                            &cfg->quiet, errs);
                parse_zones(root, cfg, errs);
                config_mqtt_parse(cfg_object(root, "mqtt", "", errs), cfg,
                                  &cfg->mqtt, errs);
                config_http_parse(cfg_object(root, "http", "", errs),
                                  &cfg->http, errs);
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
