/* config_keys.c: see config_keys.h. Every default and range of the
 * configuration is written here and nowhere else. */
#include <math.h>
#include <string.h>

#include "config/config_keys.h"
#include "config/config.h"
#include "core/session.h"

#define NUM(p, d, lo, hi, u, h) \
        { .path = p, .type = CK_NUMBER, .def = d, .min = lo, .max = hi, \
          .unit = u, .help = h }
#define NUM_DOC(p, doc, lo, hi, u, h) \
        { .path = p, .type = CK_NUMBER, .min = lo, .max = hi, .def_doc = doc, \
          .unit = u, .help = h }
#define INT(p, d, lo, hi, u, h) \
        { .path = p, .type = CK_INTEGER, .def = d, .min = lo, .max = hi, \
          .unit = u, .help = h }
#define INT_DOC(p, doc, lo, hi, u, h) \
        { .path = p, .type = CK_INTEGER, .min = lo, .max = hi, .def_doc = doc, \
          .unit = u, .help = h }
#define BOOL(p, d, h) { .path = p, .type = CK_BOOL, .def = d, .max = 1, .help = h }
#define STR(p, d, h) { .path = p, .type = CK_STRING, .def_str = d, .help = h }
#define STR_DOC(p, doc, h) { .path = p, .type = CK_STRING, .def_doc = doc, \
                             .help = h }
#define OBJ(p, doc, h) { .path = p, .type = CK_OBJECT, .def_doc = doc, .help = h }

/* The keys every Modbus object shares, sensor and relay alike. */
#define MB_LINK(o) \
        STR(o ".device", "", "Modbus RTU: the serial device, e.g. " \
            "/dev/ttyUSB0 (give device or host)"), \
        INT(o ".baud", 9600, 1200, 115200, "baud", "RTU line speed"), \
        STR(o ".parity", "none", "RTU parity: none, even or odd"), \
        INT(o ".data_bits", 8, 7, 8, NULL, "RTU data bits"), \
        INT(o ".stop_bits", 1, 1, 2, NULL, "RTU stop bits"), \
        STR(o ".host", "", "Modbus TCP: the host (give device or host)"), \
        INT(o ".port", 502, 1, 65535, NULL, "Modbus TCP port"), \
        INT(o ".timeout_ms", 500, 20, 5000, "ms", \
            "how long to wait for each answer"), \
        INT(o ".retries", 1, 0, 5, NULL, \
            "further attempts after a timeout or a garbled answer"), \
        INT(o ".unit", 1, 1, 255, NULL, \
            "slave id (RTU: 1 to 247) or unit id (TCP)")

/* A bedside button's keys, in a zone or at the top level. */
#define BUTTON_KEYS(o, what) \
        OBJ(o, "none: no button", "a momentary push button on a GPIO " \
            "line: a short press starts " what "'s default session or " \
            "stops it, a 2 s press stops every zone"), \
        STR(o ".chip", "gpiochip0", "a chip label (best, e.g. " \
            "pinctrl-rp1), name, path or number"), \
        INT_DOC(o ".line", "required", 0, 1023, NULL, "the line offset: " \
                "GPIO27 on a Pi's header is line 27; not a relay's or a " \
                "light's line"), \
        BOOL(o ".active_low", 1, "true when pressed reads low (a button " \
             "to ground with a pull-up)"), \
        STR(o ".bias", "pull-up", "pull-up, pull-down, disabled (an " \
            "external resistor) or as-is")

const struct config_key config_keys[] = {
        STR("device_id", "heatpad", "names this device in MQTT topics and "
            "Home Assistant: lower-case letters, digits, '_' or '-'"),
        STR("state_file", "/var/lib/heatpad/state.json", "the person's "
            "record and the zones' state: a regular file, or absent in a "
            "directory that exists"),

        OBJ("quiet_hours", "enabled, 23:00 to 07:00", "no new session "
            "starts in these hours, and a running one ends"),
        BOOL("quiet_hours.enabled", 1, "whether quiet hours apply"),
        STR("quiet_hours.start", "23:00", "local time as HH:MM; may wrap "
            "midnight"),
        STR("quiet_hours.end", "07:00", "local time as HH:MM; must differ "
            "from start (say enabled false to turn quiet hours off)"),

        { .path = "zones", .type = CK_LIST, .def_doc = "required",
          .max = CONFIG_MAX_ZONES,
          .help = "the zones, 0 to 8; an empty list means not configured "
                  "yet" },
        STR_DOC("zones[].name", "required", "the zone as people read it, "
                "e.g. \"upper back\""),
        STR_DOC("zones[].id", "from the name", "for topics and URLs: "
                "\"Upper Back\" gives upper_back; not a word a topic or a "
                "path of the page uses"),
        NUM_DOC("zones[].power_w", "the simulated pad's power, else 0", 0,
                5000, "W", "the heater's power: Home Assistant's power and "
                "energy, the session log's energy, and, without an autotuned "
                "model, the least warming the runaway and temperature-dropped "
                "checks expect and a cold start's heat-up that learns the "
                "pad from its rise (docs/control.md); 0 for neither"),

        OBJ("zones[].sensor", "required", "the zone's sensor; type sim, "
            "ds18b20 or modbus"),
        STR_DOC("zones[].sensor.type", "required", "sim, ds18b20 or modbus"),
        NUM("zones[].sensor(sim).power_w", 40, 5, 200, "W",
            "heater power of the simulated pad"),
        NUM("zones[].sensor(sim).room_c", 22, 0, 35, "degC",
            "room temperature"),
        NUM("zones[].sensor(sim).noise_c", 0.03, 0, 1, "degC",
            "sensor noise, standard deviation"),
        INT("zones[].sensor(sim).conversion_ms", 750, 0, 2000, "ms",
            "sensor conversion latency"),
        INT("zones[].sensor(sim).read_delay_ms", 0, 0, 60000, "ms",
            "extra time each read takes (tests a slow sensor)"),
        INT_DOC("zones[].sensor(sim).seed", "the zone's index + 1", 0,
                1L << 30, NULL, "noise seed"),
        STR_DOC("zones[].sensor(ds18b20).id", "required", "28- and 12 "
                "lower-case hex digits, as heatpadd --probe shows it"),
        STR("zones[].sensor(ds18b20).w1_root", "/sys/bus/w1/devices",
            "where the kernel's w1 devices are"),
        INT("zones[].sensor(ds18b20).retries", 1, 0, 5, NULL,
            "reads again after a CRC NO, a garbled answer or 85.000"),
        MB_LINK("zones[].sensor(modbus)"),
        INT_DOC("zones[].sensor(modbus).register", "required", 0, 65535, NULL,
                "the register address holding the temperature"),
        STR("zones[].sensor(modbus).register_type", "input",
            "input (function 04) or holding (03)"),
        BOOL("zones[].sensor(modbus).signed", 1, "int16 (true) or uint16"),
        NUM("zones[].sensor(modbus).scale", 0.1, -1000, 1000, NULL,
            "degC = value * scale + offset; not 0"),
        NUM("zones[].sensor(modbus).offset", 0, -1000, 1000, "degC",
            "added after scaling"),
        OBJ("zones[].sensor2", "none", "an optional second sensor, ds18b20 "
            "or modbus, with the keys of zones[].sensor: the hotter meets "
            "the cutoff"),

        OBJ("zones[].relay", "required", "the zone's relay; type sim, gpio "
            "or modbus (a simulated sensor needs a simulated relay)"),
        STR_DOC("zones[].relay.type", "required", "sim, gpio or modbus"),
        STR("zones[].relay(gpio).chip", "gpiochip0", "a chip label (best, "
            "e.g. pinctrl-rp1), name, path or number"),
        INT_DOC("zones[].relay(gpio).line", "required", 0, 1023, NULL,
                "the line offset: GPIO17 on a Pi's header is line 17"),
        BOOL("zones[].relay(gpio).active_low", 0, "true when the relay "
             "board switches on at a low level"),
        MB_LINK("zones[].relay(modbus)"),
        INT_DOC("zones[].relay(modbus).coil", "required", 0, 65535, NULL,
                "the relay's coil address"),

        BUTTON_KEYS("zones[].button", "the zone"),
        OBJ("zones[].light", "none: no light", "an indicator light (an LED "
            "through 330 ohm) on a GPIO line: on while heating, a slow "
            "blink holding at the setpoint, a fast blink on a fault, three "
            "short blinks after a refused press; never safety-critical"),
        STR("zones[].light.chip", "gpiochip0", "a chip label (best, e.g. "
            "pinctrl-rp1), name, path or number"),
        INT_DOC("zones[].light.line", "required", 0, 1023, NULL,
                "the line offset: GPIO22 on a Pi's header is line 22; not "
                "a relay's or a button's line"),
        BOOL("zones[].light.active_low", 0, "true when the LED lights at "
             "a low level"),

        /* Tuned on the simulated pad (sim_pad.c): a cold start to 40 degC
         * settles within 0.5 degC with about 0.2 degC of overshoot. */
        OBJ("zones[].pid", "each key's own", "the controller; gains "
            "given here win over an autotune's"),
        NUM("zones[].pid.kp", 0.4, 0, 10, "1/degC", "proportional gain: "
            "duty per degC"),
        NUM("zones[].pid.ki", 0.0015, 0, 1, "1/(degC s)", "integral gain"),
        NUM("zones[].pid.kd", 5, 0, 1000, "s/degC", "derivative gain"),
        NUM("zones[].pid.d_filter_s", 20, 0, 600, "s",
            "derivative low-pass time constant"),
        NUM("zones[].pid.i_band_c", 2, 0.1, 20, "degC",
            "integrate only this close to the setpoint"),
        NUM("zones[].pid.window_s", 60, 5, 600, "s", "time-proportioning "
            "window; when given, used whatever the model says"),
        STR("zones[].pid.window_mode", "comfort", "comfort or relay_life: "
            "how an autotuned zone without window_s chooses its window"),
        NUM("zones[].pid.switches_per_hour", 40, 4, 600, "1/h",
            "the switch budget of relay_life"),
        NUM("zones[].pid.min_on_s", 10, 0, 300, "s", "shortest on period; "
            "min_on_s + min_off_s must not exceed window_s"),
        NUM("zones[].pid.min_off_s", 10, 0, 300, "s", "shortest off period"),

        OBJ("zones[].limits", "each key's own", "the safety "
            "supervisor's limits"),
        /* 50 degC for minutes burns skin; no config may go there. */
        NUM("zones[].limits.cutoff_c", 45, 30, 50, "degC",
            "over-temperature cutoff"),
        NUM("zones[].limits.max_setpoint_c", 42, 25, 48, "degC", "highest "
            "setpoint anyone may ask for; at least 2 below cutoff_c"),
        NUM("zones[].limits.min_setpoint_c", 30, 20, 48, "degC", "lowest "
            "setpoint; at most max_setpoint_c"),
        NUM("zones[].limits.sensor_timeout_s", 5, 2, 60, "s",
            "longest gap between valid readings"),
        NUM("zones[].limits.runaway_s", 120, 30, 900, "s",
            "thermal runaway check: its window"),
        NUM("zones[].limits.runaway_min_rise_c", 0.3, 0.2, 10, "degC",
            "thermal runaway check: the floor under the rise the model "
            "predicts"),
        NUM("zones[].limits.holding_s", 120, 30, 900, "s",
            "sensor-off-the-pad check: its window"),
        NUM("zones[].limits.holding_drop_c", 4, 1, 15, "degC",
            "sensor-off-the-pad check: the fall below the setpoint"),
        NUM("zones[].limits.stuck_relay_s", 60, 10, 600, "s",
            "stuck relay check: its window"),
        NUM("zones[].limits.stuck_relay_above_c", 2, 0.5, 10, "degC",
            "stuck relay check: the rise above the setpoint"),
        NUM("zones[].limits.sensor_disagree_c", 3, 0.5, 20, "degC",
            "with sensor2: the largest difference allowed between the two"),
        NUM("zones[].limits.frozen_reading_s", 60, 20, 900, "s", "relay-on "
            "time a reading may stay exactly the same"),

        OBJ("zones[].session", "each key's own", "session length and "
            "target"),
        INT("zones[].session.default_minutes", 20, 1, SESSION_HARD_CAP_MIN,
            "min", "when a start gives none; at most max_minutes"),
        INT("zones[].session.max_minutes", 90, 1, SESSION_HARD_CAP_MIN, "min",
            "the zone's cap on continuous heat"),
        INT("zones[].session.rest_minutes", 30, 10, 240, "min",
            "the rest after which a session gets a fresh cap"),
        NUM("zones[].session.default_setpoint_c", 38, 20, 48, "degC",
            "when a start gives none and no target was set; between "
            "min_setpoint_c and max_setpoint_c"),

        OBJ("zones[].presets", "each key's own", "Home Assistant's "
            "climate presets; each between min_setpoint_c and "
            "max_setpoint_c (a default is moved into that range)"),
        NUM("zones[].presets.low", 37, 20, 48, "degC", "the low preset"),
        NUM("zones[].presets.medium", 39, 20, 48, "degC",
            "the medium preset"),
        NUM("zones[].presets.high", 41, 20, 48, "degC", "the high preset"),

        BUTTON_KEYS("button", "the first zone"),

        OBJ("mqtt", "none: no MQTT", "the broker (Home Assistant's "
            "Mosquitto add-on)"),
        BOOL("mqtt.enabled", 1, "false keeps the settings but connects to "
             "no broker"),
        STR_DOC("mqtt.host", "required", "the broker's host name or "
                "address"),
        INT_DOC("mqtt.port", "1883, or 8883 with tls_ca_file", 1, 65535, NULL,
                "the broker's port"),
        STR("mqtt.username", "", "empty: no login"),
        STR("mqtt.password", "", "needs a username"),
        STR("mqtt.tls_ca_file", "", "the CA certificate for TLS (keep it "
            "under /etc/heatpad); empty: no TLS"),
        STR_DOC("mqtt.client_id", "heatpad-<device_id>", "the MQTT client "
                "id; not empty"),
        STR("mqtt.base_topic", "heatpad", "the topics' prefix: topic levels "
            "without '+', '#' or empty levels"),
        STR("mqtt.discovery_prefix", "homeassistant", "Home Assistant's "
            "discovery prefix"),
        INT("mqtt.keepalive_s", 30, 5, 600, "s", "MQTT keepalive"),

        OBJ("http", "none: no page", "the status page and its API"),
        STR("http.listen", "127.0.0.1", "an IPv4 or IPv6 address; beyond "
            "loopback the page needs a PIN"),
        INT("http.port", 8080, 0, 65535, NULL, "the TCP port (0: any free "
            "one)"),
        STR("http.web_root", "web", "the folder the page is served from"),
        STR("http.pin", "", "4 to 16 digits, not easy to guess; \"none\" to "
            "go without one on purpose"),
};

const size_t config_nkeys = sizeof(config_keys) / sizeof(config_keys[0]);

const struct config_key *config_key_find(const char *path)
{
        for (size_t i = 0; i < config_nkeys; i++)
                if (strcmp(config_keys[i].path, path) == 0)
                        return &config_keys[i];
        return NULL;
}

double config_key_default(const char *path)
{
        const struct config_key *k = config_key_find(path);

        if (!k || k->def_doc || !(k->type == CK_NUMBER ||
                                  k->type == CK_INTEGER || k->type == CK_BOOL))
                return NAN;
        return k->def;
}

const char *config_key_type_name(enum config_key_type t)
{
        switch (t) {
        case CK_NUMBER: return "number";
        case CK_INTEGER: return "integer";
        case CK_BOOL: return "bool";
        case CK_STRING: return "string";
        case CK_OBJECT: return "object";
        case CK_LIST: return "list";
        }
        return "?";
}
