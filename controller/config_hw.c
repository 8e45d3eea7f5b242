/* config_hw.c: see config_hw.h. */
#include <string.h>

#include "cfgjson.h"
#include "config_hw.h"

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

void config_hw_sensor(const cJSON *obj, const char *path, int zone_index,
                      struct sensor_cfg *ret, struct config_errors *errs)
{
        char type[16];

        if (!obj) {
                cfg_error(errs, path, NULL, "is required (the zone's sensor)");
                return;
        }
        if (!cfg_string(obj, "type", path, NULL, type, sizeof(type), errs))
                return;
        if (strcmp(type, "sim") == 0) {
                ret->type = SENSOR_SIM;
                sim_sensor(obj, path, zone_index, &ret->sim, errs);
        } else {
                cfg_error(errs, path, "type", "unknown sensor type '%s' "
                          "(known: sim)", type);
        }
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
        } else {
                cfg_error(errs, path, "type", "unknown relay type '%s' "
                          "(known: sim)", type);
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
