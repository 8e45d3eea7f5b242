/* modbus.h: a temperature sensor in a Modbus register and a relay on a
 * Modbus coil (e.g. the common RS485 relay boards), over shared links
 * (modbus_link.h). The relay's force_off writes a prepared coil-off frame
 * straight to the link's fd (crash handler). Both block for up to timeout_ms x (retries + 1): reads
 * run on the zone's reader thread and the relay is marked blocking, so its
 * writes run on the zone's relay worker (relay_worker.h). A timeout is a
 * read error, never a stale value. */
#ifndef HEATPAD_HW_MODBUS_H
#define HEATPAD_HW_MODBUS_H

#include "config/config.h"
#include "hw/hw.h"
#include "hw/modbus_link.h"

int mb_sensor_open(const struct mb_sensor_cfg *cfg,
                   struct mb_registry *reg, struct sensor *ret);

/* Does not talk to the device: hw_open_zone's first off write does. */
int mb_relay_open(const struct mb_relay_cfg *cfg,
                  struct mb_registry *reg, struct relay *ret);

/* The link behind a Modbus sensor or relay, or NULL (for messages). */
const char *mb_sensor_link_name(const struct sensor *s);

#endif
