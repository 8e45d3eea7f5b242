/* ha_discovery.h: the Home Assistant MQTT discovery messages of a device.
 *
 * Per zone: a climate entity (modes off/heat, the zone's setpoint range,
 * current temperature, action heating/idle/off), a sensor of the session's
 * remaining minutes and a binary sensor of a fault (its name as an
 * attribute). Per device: a sensor of the guidance (heat, cold, consult).
 * All under one device carrying the daemon's version, all reading the
 * retained state topics the MQTT adapter publishes, all tied to its
 * availability topic. Pure: it builds topics and JSON, the caller
 * publishes them (retained). */
#ifndef HEATPAD_HA_DISCOVERY_H
#define HEATPAD_HA_DISCOVERY_H

#include <stddef.h>

#include "config.h"

/* "<base>/<device_id>", the root of every topic of this device. */
void ha_root_topic(const struct config *cfg, char *buf, size_t size);

typedef void (*ha_publish_fn)(void *ctx, const char *topic,
                              const char *payload);

/* Calls fn once per discovery message: topic
 * "<prefix>/<component>/<device_id>/<object>/config" and a JSON payload.
 * Returns how many. */
int ha_discovery_each(const struct config *cfg, const char *version,
                      ha_publish_fn fn, void *ctx);

#endif
