/* config_hw.c: see config_hw.h. Defaults and ranges come from the key
 * table (config_keys.c). */
#include <stdio.h>
#include <string.h>

#include "config/cfgjson.h"
#include "config/config_hw.h"

static void sim_sensor(const cJSON *obj, const char *path, int zone_index,
                       struct sim_cfg *ret, struct config_errors *errs)
{
#define K "zones[].sensor(sim)"
        cfg_check_table_keys(obj, path, K, errs);
        ret->power_w = cfg_key_number(obj, path, K ".power_w", errs);
        ret->room_c = cfg_key_number(obj, path, K ".room_c", errs);
        ret->noise_c = cfg_key_number(obj, path, K ".noise_c", errs);
        ret->conversion_ms = (uint64_t)cfg_key_integer(obj, path,
                                                       K ".conversion_ms",
                                                       errs);
        ret->read_delay_ms = (uint64_t)cfg_key_integer(obj, path,
                                                       K ".read_delay_ms",
                                                       errs);
        ret->seed = (unsigned)cfg_key_integer_or(obj, path, K ".seed",
                                                 zone_index + 1, errs);
#undef K
}

static void ds18b20_sensor(const cJSON *obj, const char *path,
                           struct ds18b20_cfg *ret, struct config_errors *errs)
{
#define K "zones[].sensor(ds18b20)"
        cfg_check_table_keys(obj, path, K, errs);
        /* The kernel names a DS18B20 "28-" and 12 hex digits. */
        if (cfg_key_string(obj, path, K ".id", ret->id, sizeof(ret->id),
                           errs)) {
                bool ok = strncmp(ret->id, "28-", 3) == 0 &&
                          strlen(ret->id) == 15 &&
                          strspn(ret->id + 3, "0123456789abcdef") == 12;
                if (!ok)
                        cfg_error(errs, path, "id", "must be a DS18B20 id as "
                                  "'28-' and 12 lower-case hex digits (see "
                                  "heatpadd --probe)");
        }
        cfg_key_string(obj, path, K ".w1_root", ret->w1_root,
                       sizeof(ret->w1_root), errs);
        ret->retries = (int)cfg_key_integer(obj, path, K ".retries", errs);
#undef K
}

/* A key of the Modbus object k ("zones[].sensor(modbus)") into buf. */
static const char *mb_key(char *buf, size_t size, const char *k,
                          const char *name)
{
        snprintf(buf, size, "%s.%s", k, name);
        return buf;
}

static void parse_mb_link(const cJSON *obj, const char *path, const char *k,
                          struct mb_link_cfg *ret, int *ret_unit,
                          struct config_errors *errs)
{
        char parity[8], kp[64];
#define KEY(name) mb_key(kp, sizeof(kp), k, name)
        bool rtu = cfg_key_string(obj, path, KEY("device"), ret->device,
                                  sizeof(ret->device), errs) &&
                   ret->device[0];
        bool tcp = cfg_key_string(obj, path, KEY("host"), ret->host,
                                  sizeof(ret->host), errs) && ret->host[0];

        if (rtu == tcp)
                cfg_error(errs, path, "device", "give either device (Modbus "
                          "RTU, e.g. /dev/ttyUSB0) or host (Modbus TCP)");
        ret->baud = (int)cfg_key_integer(obj, path, KEY("baud"), errs);
        ret->data_bits = (int)cfg_key_integer(obj, path, KEY("data_bits"),
                                              errs);
        ret->stop_bits = (int)cfg_key_integer(obj, path, KEY("stop_bits"),
                                              errs);
        ret->parity = MB_PARITY_NONE;
        if (cfg_key_string(obj, path, KEY("parity"), parity, sizeof(parity),
                           errs)) {
                if (strcmp(parity, "even") == 0)
                        ret->parity = MB_PARITY_EVEN;
                else if (strcmp(parity, "odd") == 0)
                        ret->parity = MB_PARITY_ODD;
                else if (strcmp(parity, "none") != 0)
                        cfg_error(errs, path, "parity", "must be none, even "
                                  "or odd");
        }
        ret->port = (int)cfg_key_integer(obj, path, KEY("port"), errs);
        ret->timeout_ms = (int)cfg_key_integer(obj, path, KEY("timeout_ms"),
                                               errs);
        ret->retries = (int)cfg_key_integer(obj, path, KEY("retries"), errs);
        /* 0 is broadcast (no answer); 248..255 are reserved. TCP gateways
         * commonly use 1 or 255; allow 255 there. */
        *ret_unit = (int)cfg_key_integer(obj, path, KEY("unit"), errs);
#undef KEY
        if (rtu && *ret_unit > 247)
                cfg_error(errs, path, "unit", "must be between 1 and 247 on "
                          "Modbus RTU");
}

static void parse_mb_sensor(const cJSON *obj, const char *path,
                          struct mb_sensor_cfg *ret,
                          struct config_errors *errs)
{
#define K "zones[].sensor(modbus)"
        char rtype[16];

        cfg_check_table_keys(obj, path, K, errs);
        parse_mb_link(obj, path, K, &ret->link, &ret->unit, errs);
        if (!cJSON_GetObjectItemCaseSensitive(obj, "register"))
                cfg_error(errs, path, "register", "is required (the register "
                          "address holding the temperature)");
        ret->reg = (int)cfg_key_integer_or(obj, path, K ".register", 0, errs);
        ret->input = true;
        if (cfg_key_string(obj, path, K ".register_type", rtype,
                           sizeof(rtype), errs)) {
                if (strcmp(rtype, "holding") == 0)
                        ret->input = false;
                else if (strcmp(rtype, "input") != 0)
                        cfg_error(errs, path, "register_type", "must be input "
                                  "or holding");
        }
        ret->is_signed = cfg_key_bool(obj, path, K ".signed", errs);
        ret->scale = cfg_key_number(obj, path, K ".scale", errs);
        if (ret->scale == 0)
                cfg_error(errs, path, "scale", "must not be 0");
        ret->offset = cfg_key_number(obj, path, K ".offset", errs);
#undef K
}

static void parse_sensor(const cJSON *obj, const char *path, int zone_index,
                         struct sensor_cfg *ret, struct config_errors *errs)
{
        char type[16];

        if (!cfg_key_string(obj, path, "zones[].sensor.type", type,
                            sizeof(type), errs))
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
#define K "zones[].relay(gpio)"
        cfg_check_table_keys(obj, path, K, errs);
        cfg_key_string(obj, path, K ".chip", ret->chip, sizeof(ret->chip),
                       errs);
        if (!cJSON_GetObjectItemCaseSensitive(obj, "line"))
                cfg_error(errs, path, "line", "is required (the line offset "
                          "on the chip, e.g. 17 for GPIO17 on a Pi)");
        ret->line = (int)cfg_key_integer_or(obj, path, K ".line", 0, errs);
        ret->active_low = cfg_key_bool(obj, path, K ".active_low", errs);
#undef K
}

static void parse_mb_relay(const cJSON *obj, const char *path,
                         struct mb_relay_cfg *ret,
                         struct config_errors *errs)
{
#define K "zones[].relay(modbus)"
        cfg_check_table_keys(obj, path, K, errs);
        parse_mb_link(obj, path, K, &ret->link, &ret->unit, errs);
        if (!cJSON_GetObjectItemCaseSensitive(obj, "coil"))
                cfg_error(errs, path, "coil", "is required (the relay's coil "
                          "address)");
        ret->coil = (int)cfg_key_integer_or(obj, path, K ".coil", 0, errs);
#undef K
}

void config_hw_relay(const cJSON *obj, const char *path,
                     struct relay_cfg *ret, struct config_errors *errs)
{
        char type[16];

        if (!obj) {
                cfg_error(errs, path, NULL, "is required (the zone's relay)");
                return;
        }
        if (!cfg_key_string(obj, path, "zones[].relay.type", type,
                            sizeof(type), errs))
                return;
        if (strcmp(type, "sim") == 0) {
                ret->type = RELAY_SIM;
                cfg_check_table_keys(obj, path, "zones[].relay(sim)", errs);
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

void config_hw_button(const cJSON *obj, const char *path, const char *kobj,
                      struct button_cfg *ret, struct config_errors *errs)
{
        char k[64], bias[16];

        memset(ret, 0, sizeof(*ret));
        if (!obj)
                return;
        ret->set = true;
        cfg_check_table_keys(obj, path, kobj, errs);
        snprintf(k, sizeof(k), "%s.chip", kobj);
        cfg_key_string(obj, path, k, ret->chip, sizeof(ret->chip), errs);
        if (!cJSON_GetObjectItemCaseSensitive(obj, "line"))
                cfg_error(errs, path, "line", "is required (the line offset "
                          "on the chip, e.g. 27 for GPIO27 on a Pi)");
        snprintf(k, sizeof(k), "%s.line", kobj);
        ret->line = (int)cfg_key_integer_or(obj, path, k, 0, errs);
        snprintf(k, sizeof(k), "%s.active_low", kobj);
        ret->active_low = cfg_key_bool(obj, path, k, errs);
        snprintf(k, sizeof(k), "%s.bias", kobj);
        ret->bias = GPIO_BIAS_PULL_UP;
        if (cfg_key_string(obj, path, k, bias, sizeof(bias), errs)) {
                if (strcmp(bias, "pull-up") == 0)
                        ret->bias = GPIO_BIAS_PULL_UP;
                else if (strcmp(bias, "pull-down") == 0)
                        ret->bias = GPIO_BIAS_PULL_DOWN;
                else if (strcmp(bias, "disabled") == 0)
                        ret->bias = GPIO_BIAS_DISABLED;
                else if (strcmp(bias, "as-is") == 0)
                        ret->bias = GPIO_BIAS_AS_IS;
                else
                        cfg_error(errs, path, "bias", "must be pull-up, "
                                  "pull-down, disabled or as-is");
        }
}

void config_hw_light(const cJSON *obj, const char *path,
                     struct light_cfg *ret, struct config_errors *errs)
{
#define K "zones[].light"
        memset(ret, 0, sizeof(*ret));
        if (!obj)
                return;
        ret->set = true;
        cfg_check_table_keys(obj, path, K, errs);
        cfg_key_string(obj, path, K ".chip", ret->chip, sizeof(ret->chip),
                       errs);
        if (!cJSON_GetObjectItemCaseSensitive(obj, "line"))
                cfg_error(errs, path, "line", "is required (the line offset "
                          "on the chip, e.g. 22 for GPIO22 on a Pi)");
        ret->line = (int)cfg_key_integer_or(obj, path, K ".line", 0, errs);
        ret->active_low = cfg_key_bool(obj, path, K ".active_low", errs);
#undef K
}

/* A GPIO line the config uses, and the key that names it. */
struct used_line {
        const char *chip;
        int line;
        char key[48];
};

/* "/dev/gpiochip0", "gpiochip0" and "0" are one chip. */
static const char *chip_key(const char *chip, char *buf, size_t len)
{
        if (strncmp(chip, "/dev/", 5) == 0)
                chip += 5;
        if (chip[0] >= '0' && chip[0] <= '9' && strspn(chip, "0123456789") ==
            strlen(chip)) {
                snprintf(buf, len, "gpiochip%s", chip);
                return buf;
        }
        return chip;
}

void config_hw_check_lines(const struct config *cfg,
                           struct config_errors *errs)
{
        struct used_line u[3 * CONFIG_MAX_ZONES + 1];
        int n = 0;

        for (int i = 0; i < cfg->nzones; i++) {
                const struct zone_cfg *z = &cfg->zones[i];
                if (z->relay.type == RELAY_GPIO) {
                        u[n] = (struct used_line){ z->relay.gpio.chip,
                                                   z->relay.gpio.line, "" };
                        snprintf(u[n++].key, sizeof(u[0].key),
                                 "zones[%d].relay", i);
                }
                if (z->button.set) {
                        u[n] = (struct used_line){ z->button.chip,
                                                   z->button.line, "" };
                        snprintf(u[n++].key, sizeof(u[0].key),
                                 "zones[%d].button", i);
                }
                if (z->light.set) {
                        u[n] = (struct used_line){ z->light.chip,
                                                   z->light.line, "" };
                        snprintf(u[n++].key, sizeof(u[0].key),
                                 "zones[%d].light", i);
                }
        }
        if (cfg->button.set) {
                u[n] = (struct used_line){ cfg->button.chip, cfg->button.line,
                                           "button" };
                n++;
        }
        for (int a = 0; a < n; a++)
                for (int b = 0; b < a; b++) {
                        char ka[CONFIG_PATH_MAX], kb[CONFIG_PATH_MAX];
                        if (u[a].line != u[b].line ||
                            strcmp(chip_key(u[a].chip, ka, sizeof(ka)),
                                   chip_key(u[b].chip, kb, sizeof(kb))))
                                continue;
                        cfg_error(errs, u[a].key, "line", "line %d of %s is "
                                  "already %s's: a relay, a button and a "
                                  "light each need a line of their own",
                                  u[a].line, u[a].chip, u[b].key);
                }
}
