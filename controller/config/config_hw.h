/* config_hw.h: the sensor and relay objects of a zone's config. Kept apart
 * from config.c so that a new backend touches only this file and hw/. */
#ifndef HEATPAD_CONFIG_HW_H
#define HEATPAD_CONFIG_HW_H

#include <cjson/cJSON.h>

#include "config/config.h"

/* Parses zones[i].sensor (path "zones[i].sensor") into ret. */
void config_hw_sensor(const cJSON *obj, const char *path, int zone_index,
                      struct sensor_cfg *ret, struct config_errors *errs);

/* Parses the optional zones[i].sensor2: ret->type stays SENSOR_NONE when
 * obj is NULL. Only real hardware may be a second sensor. */
void config_hw_sensor2(const cJSON *obj, const char *path, int zone_index,
                       struct sensor_cfg *ret, struct config_errors *errs);

/* Parses zones[i].relay into ret. */
void config_hw_relay(const cJSON *obj, const char *path,
                     struct relay_cfg *ret, struct config_errors *errs);

/* Checks that a zone's sensor and relay fit together (a simulated sensor
 * needs the simulated relay of the same pad). */
void config_hw_check_pair(const struct zone_cfg *z, const char *path,
                          struct config_errors *errs);

/* zones[].button or button (kobj names the table's rows), and
 * zones[].light; obj NULL leaves them unset. */
void config_hw_button(const cJSON *obj, const char *path, const char *kobj,
                      struct button_cfg *ret, struct config_errors *errs);
void config_hw_light(const cJSON *obj, const char *path,
                     struct light_cfg *ret, struct config_errors *errs);

/* No two of the relays, buttons and lights on GPIO use the same line of
 * the same chip; each clash is one error naming both keys. */
void config_hw_check_lines(const struct config *cfg,
                           struct config_errors *errs);

#endif
