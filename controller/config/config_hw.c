/* config_hw.c: see config_hw.h. Defaults here and in README.md's Hardware
 * section; keep the two in step. */
#include <string.h>

#include "config/cfgjson.h"
#include "config/config_hw.h"

static void sim_sensor(const cJSON *obj, const char *path, int zone_index,
                       struct sim_cfg *ret, struct config_errors *errs)
{
        static const char *const keys[] = {
                "type", "power_w", "room_c", "noise_c", "conversion_ms",
                "read_delay_ms", "seed", NULL
        };
        cfg_check_keys(obj, path, keys, errs);
        ret->power_w = cfg_number(obj, "power_w", path, 40, 5, 200, errs);
        ret->room_c = cfg_number(obj, "room_c", path, 22, 0, 35, errs);
        ret->noise_c = cfg_number(obj, "noise_c", path, 0.03, 0, 1, errs);
        ret->conversion_ms = (uint64_t)cfg_integer(obj, "conversion_ms", path,
                                                   750, 0, 2000, errs);
        ret->read_delay_ms = (uint64_t)cfg_integer(obj, "read_delay_ms", path,
                                                   0, 0, 60000, errs);
        ret->seed = (unsigned)cfg_integer(obj, "seed", path, zone_index + 1,
                                          0, 1L << 30, errs);
}

static void ds18b20_sensor(const cJSON *obj, const char *path,
                           struct ds18b20_cfg *ret, struct config_errors *errs)
{
        static const char *const keys[] = { "type", "id", "w1_root",
                                            "retries", NULL };
        cfg_check_keys(obj, path, keys, errs);
        /* The kernel names a DS18B20 "28-" and 12 hex digits. */
        if (cfg_string(obj, "id", path, NULL, ret->id, sizeof(ret->id), errs)) {
                bool ok = strncmp(ret->id, "28-", 3) == 0 &&
                          strlen(ret->id) == 15 &&
                          strspn(ret->id + 3, "0123456789abcdef") == 12;
                if (!ok)
                        cfg_error(errs, path, "id", "must be a DS18B20 id as "
                                  "'28-' and 12 lower-case hex digits (see "
                                  "heatpadd --probe)");
        }
        cfg_string(obj, "w1_root", path, "/sys/bus/w1/devices", ret->w1_root,
                   sizeof(ret->w1_root), errs);
        ret->retries = (int)cfg_integer(obj, "retries", path, 1, 0, 5, errs);
}

/* The keys every Modbus object shares, for cfg_check_keys. */
#define MODBUS_LINK_KEYS "type", "device", "baud", "parity", "data_bits", \
        "stop_bits", "host", "port", "timeout_ms", "retries", "unit"

static void parse_mb_link(const cJSON *obj, const char *path,
                        struct mb_link_cfg *ret, int *ret_unit,
                        struct config_errors *errs)
{
        char parity[8];
        bool rtu = cfg_string(obj, "device", path, "", ret->device,
                              sizeof(ret->device), errs) && ret->device[0];
        bool tcp = cfg_string(obj, "host", path, "", ret->host,
                              sizeof(ret->host), errs) && ret->host[0];

        if (rtu == tcp)
                cfg_error(errs, path, "device", "give either device (Modbus "
                          "RTU, e.g. /dev/ttyUSB0) or host (Modbus TCP)");
        ret->baud = (int)cfg_integer(obj, "baud", path, 9600, 1200, 115200,
                                     errs);
        ret->data_bits = (int)cfg_integer(obj, "data_bits", path, 8, 7, 8,
                                          errs);
        ret->stop_bits = (int)cfg_integer(obj, "stop_bits", path, 1, 1, 2,
                                          errs);
        ret->parity = MB_PARITY_NONE;
        if (cfg_string(obj, "parity", path, "none", parity, sizeof(parity),
                       errs)) {
                if (strcmp(parity, "even") == 0)
                        ret->parity = MB_PARITY_EVEN;
                else if (strcmp(parity, "odd") == 0)
                        ret->parity = MB_PARITY_ODD;
                else if (strcmp(parity, "none") != 0)
                        cfg_error(errs, path, "parity", "must be none, even "
                                  "or odd");
        }
        ret->port = (int)cfg_integer(obj, "port", path, 502, 1, 65535, errs);
        ret->timeout_ms = (int)cfg_integer(obj, "timeout_ms", path, 500, 20,
                                           5000, errs);
        ret->retries = (int)cfg_integer(obj, "retries", path, 1, 0, 5, errs);
        /* 0 is broadcast (no answer); 248..255 are reserved. TCP gateways
         * commonly use 1 or 255; allow 255 there. */
        *ret_unit = (int)cfg_integer(obj, "unit", path, 1, 1, 255, errs);
        if (rtu && *ret_unit > 247)
                cfg_error(errs, path, "unit", "must be between 1 and 247 on "
                          "Modbus RTU");
}

static void parse_mb_sensor(const cJSON *obj, const char *path,
                          struct mb_sensor_cfg *ret,
                          struct config_errors *errs)
{
        static const char *const keys[] = {
                MODBUS_LINK_KEYS, "register", "register_type", "signed",
                "scale", "offset", NULL
        };
        char rtype[16];

        cfg_check_keys(obj, path, keys, errs);
        parse_mb_link(obj, path, &ret->link, &ret->unit, errs);
        if (!cJSON_GetObjectItemCaseSensitive(obj, "register"))
                cfg_error(errs, path, "register", "is required (the register "
                          "address holding the temperature)");
        ret->reg = (int)cfg_integer(obj, "register", path, 0, 0, 65535, errs);
        ret->input = true;
        if (cfg_string(obj, "register_type", path, "input", rtype,
                       sizeof(rtype), errs)) {
                if (strcmp(rtype, "holding") == 0)
                        ret->input = false;
                else if (strcmp(rtype, "input") != 0)
                        cfg_error(errs, path, "register_type", "must be input "
                                  "or holding");
        }
        ret->is_signed = cfg_bool(obj, "signed", path, true, errs);
        ret->scale = cfg_number(obj, "scale", path, 0.1, -1000, 1000, errs);
        if (ret->scale == 0)
                cfg_error(errs, path, "scale", "must not be 0");
        ret->offset = cfg_number(obj, "offset", path, 0, -1000, 1000, errs);
}

static void parse_sensor(const cJSON *obj, const char *path, int zone_index,
                         struct sensor_cfg *ret, struct config_errors *errs)
{
        char type[16];

        if (!cfg_string(obj, "type", path, NULL, type, sizeof(type), errs))
                return;
        if (strcmp(type, "sim") == 0) {
                ret->type = SENSOR_SIM;
                sim_sensor(obj, path, zone_index, &ret->sim, errs);
        } else if (strcmp(type, "ds18b20") == 0) {
                ret->type = SENSOR_DS18B20;
                ds18b20_sensor(obj, path, &ret->ds18b20, errs);
        } else if (strcmp(type, "modbus") == 0) {
                ret->type = SENSOR_MODBUS;
                parse_mb_sensor(obj, path, &ret->modbus, errs);
        } else {
                cfg_error(errs, path, "type", "unknown sensor type '%s' "
                          "(known: sim, ds18b20, modbus)", type);
        }
}

void config_hw_sensor(const cJSON *obj, const char *path, int zone_index,
                      struct sensor_cfg *ret, struct config_errors *errs)
{
        if (!obj) {
                cfg_error(errs, path, NULL, "is required (the zone's sensor)");
                return;
        }
        parse_sensor(obj, path, zone_index, ret, errs);
}

void config_hw_sensor2(const cJSON *obj, const char *path, int zone_index,
                       struct sensor_cfg *ret, struct config_errors *errs)
{
        ret->type = SENSOR_NONE;
        if (!obj)
                return;
        parse_sensor(obj, path, zone_index, ret, errs);
        if (ret->type == SENSOR_SIM)
                cfg_error(errs, path, "type", "a second sensor must be real "
                          "hardware (ds18b20 or modbus)");
}

static void gpio_relay(const cJSON *obj, const char *path,
                       struct gpio_relay_cfg *ret, struct config_errors *errs)
{
        static const char *const keys[] = { "type", "chip", "line",
                                            "active_low", NULL };
        cfg_check_keys(obj, path, keys, errs);
        cfg_string(obj, "chip", path, "gpiochip0", ret->chip,
                   sizeof(ret->chip), errs);
        if (!cJSON_GetObjectItemCaseSensitive(obj, "line"))
                cfg_error(errs, path, "line", "is required (the line offset "
                          "on the chip, e.g. 17 for GPIO17 on a Pi)");
        ret->line = (int)cfg_integer(obj, "line", path, 0, 0, 1023, errs);
        ret->active_low = cfg_bool(obj, "active_low", path, false, errs);
}

static void parse_mb_relay(const cJSON *obj, const char *path,
                         struct mb_relay_cfg *ret,
                         struct config_errors *errs)
{
        static const char *const keys[] = { MODBUS_LINK_KEYS, "coil", NULL };

        cfg_check_keys(obj, path, keys, errs);
        parse_mb_link(obj, path, &ret->link, &ret->unit, errs);
        if (!cJSON_GetObjectItemCaseSensitive(obj, "coil"))
                cfg_error(errs, path, "coil", "is required (the relay's coil "
                          "address)");
        ret->coil = (int)cfg_integer(obj, "coil", path, 0, 0, 65535, errs);
}

void config_hw_relay(const cJSON *obj, const char *path,
                     struct relay_cfg *ret, struct config_errors *errs)
{
        static const char *const sim_keys[] = { "type", NULL };
        char type[16];

        if (!obj) {
                cfg_error(errs, path, NULL, "is required (the zone's relay)");
                return;
        }
        if (!cfg_string(obj, "type", path, NULL, type, sizeof(type), errs))
                return;
        if (strcmp(type, "sim") == 0) {
                ret->type = RELAY_SIM;
                cfg_check_keys(obj, path, sim_keys, errs);
        } else if (strcmp(type, "gpio") == 0) {
                ret->type = RELAY_GPIO;
                gpio_relay(obj, path, &ret->gpio, errs);
        } else if (strcmp(type, "modbus") == 0) {
                ret->type = RELAY_MODBUS;
                parse_mb_relay(obj, path, &ret->modbus, errs);
        } else {
                cfg_error(errs, path, "type", "unknown relay type '%s' "
                          "(known: sim, gpio, modbus)", type);
        }
}

void config_hw_check_pair(const struct zone_cfg *z, const char *path,
                          struct config_errors *errs)
{
        if ((z->sensor.type == SENSOR_SIM) != (z->relay.type == RELAY_SIM))
                cfg_error(errs, path, "relay", "a simulated sensor and a "
                          "simulated relay go together (they share one "
                          "simulated pad)");
}
