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

#include "config/config_mqtt.h"
#include "config/config_http.h"
#include "core/pid.h"
#include "core/quiet.h"
#include "core/safety.h"
#include "core/window.h"

#define CONFIG_MAX_ZONES 8
#define CONFIG_NAME_MAX 32
#define CONFIG_PATH_MAX 256
#define CONFIG_MAX_ERRORS 32
#define CONFIG_PRESETS 3                /* config_preset_names */

/* "low", "medium", "high": the zone's named setpoints (zones[].presets). */
extern const char *const config_preset_names[CONFIG_PRESETS];

/* The simulated pad of a zone (sensor and relay types "sim"). */
struct sim_cfg {
        double power_w;         /* heater power */
        double room_c;          /* room temperature */
        double noise_c;         /* sensor noise, standard deviation */
        uint64_t conversion_ms; /* sensor conversion latency */
        uint64_t read_delay_ms; /* extra time each read takes (tests) */
        unsigned seed;          /* noise seed */
};

enum sensor_type { SENSOR_NONE = 0, SENSOR_SIM, SENSOR_DS18B20,
                   SENSOR_MODBUS };
enum relay_type { RELAY_NONE = 0, RELAY_SIM, RELAY_GPIO, RELAY_MODBUS };

/* A DS18B20 on 1-Wire, read through the kernel's w1 sysfs. */
struct ds18b20_cfg {
        char id[24];                    /* "28-0316a2795c9f" */
        char w1_root[CONFIG_PATH_MAX];  /* /sys/bus/w1/devices (tests: a dir) */
        int retries;                    /* re-reads after a CRC NO or 85000 */
};

enum mb_parity { MB_PARITY_NONE, MB_PARITY_EVEN, MB_PARITY_ODD };

/* How to reach a Modbus device: RTU (device set) or TCP (host set). Two
 * zones naming the same device or host:port share one link. */
struct mb_link_cfg {
        char device[CONFIG_PATH_MAX];   /* RTU: /dev/ttyUSB0 */
        int baud, data_bits, stop_bits;
        enum mb_parity parity;
        char host[64];                  /* TCP */
        int port;
        int timeout_ms;                 /* response timeout per attempt */
        int retries;                    /* further attempts after a failure */
};

struct mb_sensor_cfg {
        struct mb_link_cfg link;
        int unit;                       /* slave id / unit id */
        int reg;                        /* register address */
        bool input;                     /* input (04) or holding (03) */
        bool is_signed;                 /* int16 or uint16 */
        double scale, offset;           /* temp = raw * scale + offset */
};

struct mb_relay_cfg {
        struct mb_link_cfg link;
        int unit;
        int coil;                       /* coil address */
};

/* A relay on a GPIO line, through libgpiod. */
struct gpio_relay_cfg {
        char chip[CONFIG_PATH_MAX];     /* "gpiochip0" or "/dev/gpiochip0" */
        int line;                       /* line offset */
        bool active_low;                /* on = low level */
};

enum gpio_bias { GPIO_BIAS_AS_IS, GPIO_BIAS_DISABLED, GPIO_BIAS_PULL_UP,
                 GPIO_BIAS_PULL_DOWN };

/* A bedside button on a GPIO input line (zones[].button, button). */
struct button_cfg {
        bool set;                       /* configured */
        char chip[CONFIG_PATH_MAX];
        int line;
        bool active_low;                /* pressed = low level */
        enum gpio_bias bias;
};

/* An indicator light on a GPIO output line (zones[].light). */
struct light_cfg {
        bool set;
        char chip[CONFIG_PATH_MAX];
        int line;
        bool active_low;
};

struct sensor_cfg {
        enum sensor_type type;
        struct sim_cfg sim;
        struct ds18b20_cfg ds18b20;
        struct mb_sensor_cfg modbus;
};

struct relay_cfg {
        enum relay_type type;
        struct gpio_relay_cfg gpio;
        struct mb_relay_cfg modbus;
};

struct zone_cfg {
        char name[CONFIG_NAME_MAX];     /* as people read it: "upper back" */
        char id[CONFIG_NAME_MAX];       /* for topics and URLs: "upper_back" */
        struct sensor_cfg sensor;
        struct sensor_cfg sensor2;      /* optional: type SENSOR_NONE if not */
        struct relay_cfg relay;
        struct pid_params pid;
        bool pid_gains_set;             /* the file gave kp, ki or kd */
        struct window_params window;
        /* The file gave pid.window_s: that window, whatever the model. */
        bool window_set;
        enum window_mode window_mode;   /* pid.window_mode */
        double switches_per_hour;       /* pid.switches_per_hour */
        struct safety_params safety;
        double min_setpoint_c, max_setpoint_c, default_setpoint_c;
        int default_minutes, max_minutes;
        int rest_minutes;               /* rest before a fresh cap */
        double power_w;                 /* the heater's power; 0: unknown */
        double presets_c[CONFIG_PRESETS];       /* low, medium, high */
        struct button_cfg button;       /* the zone's own, or set false */
        struct light_cfg light;
};

struct config {
        char device_id[CONFIG_NAME_MAX];
        char state_file[CONFIG_PATH_MAX];
        struct quiet_hours quiet;
        int nzones;
        struct zone_cfg zones[CONFIG_MAX_ZONES];
        struct mqtt_cfg mqtt;           /* config_mqtt.h; off when absent */
        struct http_cfg http;           /* the page and API (config_http.c) */
        struct button_cfg button;       /* one button for every zone */
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

/* Whether path can be the state file: a regular file (not a symbolic
 * link), or absent in a directory that exists. Anything else (a device such
 * as /dev/null, a fifo, a directory, a link) would be read as a damaged
 * record and replaced. 0, -ENOENT when the directory is missing, or
 * another -errno; err says why, starting with the path. */
int config_check_state_file(const char *path, char *err, size_t errlen);

/* Finds a zone by name or id; -1 when there is none. */
int config_find_zone(const struct config *cfg, const char *name_or_id);

#endif
