/* config.h: the daemon's configuration, one JSON file.
 *
 * config_parse() checks everything at once and reports one line per problem,
 * naming the key path and why ("zones[1].pid.window_s: must be between 5 and
 * 600"). Unknown keys are errors: a misspelled limit must never be silently
 * ignored. Everything but the hardware has a default, listed in README.md.
 * Hardware (sensor and relay objects) is parsed by config_hw.c. */
#ifndef HEATPAD_CONFIG_H
#define HEATPAD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config_mqtt.h"
#include "config_http.h"
#include "pid.h"
#include "quiet.h"
#include "safety.h"
#include "window.h"

#define CONFIG_MAX_ZONES 8
#define CONFIG_NAME_MAX 32
#define CONFIG_PATH_MAX 256
#define CONFIG_MAX_ERRORS 32

/* The simulated pad of a zone (sensor and relay types "sim"). */
struct sim_cfg {
        double power_w;         /* heater power */
        double room_c;          /* room temperature */
        double noise_c;         /* sensor noise, standard deviation */
        uint64_t conversion_ms; /* sensor conversion latency */
        uint64_t read_delay_ms; /* extra time each read takes (tests) */
        unsigned seed;          /* noise seed */
};

enum sensor_type { SENSOR_SIM };
enum relay_type { RELAY_SIM };

struct sensor_cfg {
        enum sensor_type type;
        struct sim_cfg sim;
};

struct relay_cfg {
        enum relay_type type;
};

struct zone_cfg {
        char name[CONFIG_NAME_MAX];     /* as people read it: "upper back" */
        char id[CONFIG_NAME_MAX];       /* for topics and URLs: "upper_back" */
        struct sensor_cfg sensor;
        struct relay_cfg relay;
        struct pid_params pid;
        bool pid_gains_set;             /* the file gave kp, ki or kd */
        struct window_params window;
        struct safety_params safety;
        double min_setpoint_c, max_setpoint_c, default_setpoint_c;
        int default_minutes, max_minutes;
};

struct config {
        char device_id[CONFIG_NAME_MAX];
        char state_file[CONFIG_PATH_MAX];
        struct quiet_hours quiet;
        int nzones;
        struct zone_cfg zones[CONFIG_MAX_ZONES];
        struct mqtt_cfg mqtt;           /* config_mqtt.h; off when absent */
        struct http_cfg http;           /* the page and API (config_http.c) */
};

/* One line per problem found. */
struct config_errors {
        int n;
        bool truncated;                 /* more than CONFIG_MAX_ERRORS */
        char msg[CONFIG_MAX_ERRORS][192];
};

/* Parses JSON text into ret_cfg. Returns 0, or -EINVAL with every problem
 * in errs (ret_cfg is then not to be used). */
int config_parse(const char *json, struct config *ret_cfg,
                 struct config_errors *errs);

/* Reads and parses a file. -errno when it cannot be read (one line in errs
 * says why), -EINVAL when it is invalid. */
int config_load(const char *path, struct config *ret_cfg,
                struct config_errors *errs);

/* Finds a zone by name or id; -1 when there is none. */
int config_find_zone(const struct config *cfg, const char *name_or_id);

#endif
