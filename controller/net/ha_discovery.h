/* ha_discovery.h: the Home Assistant MQTT discovery message of a device.
 *
 * One retained message, device-based discovery: the device (named
 * "heatpad", or "heatpad <device_id>" when that is not "heatpad"), the
 * origin, the availability topic every component shares, and under "cmps"
 * every component. Per zone: a climate entity (off/heat, presets low,
 * medium and high, action off/preheating/heating/idle), the pad's
 * temperature, heater power and energy (when the zone declares power_w),
 * duty, the session's end and remaining minutes, a session-length number,
 * clear-fault and autotune buttons, a fault binary sensor and an event of
 * each command's result. Per device: the guidance, heat blocked, quiet
 * hours, when heat is allowed again and an event of each schedule entry
 * that came due. A component of the previous
 * message that is gone (a zone removed or renamed) is sent as its platform
 * alone, which is how Home Assistant is told to remove it. Every
 * component reads the retained state topics (ha_state.h). Pure: it builds
 * topics and JSON; the caller publishes (retained). */
#ifndef HEATPAD_HA_DISCOVERY_H
#define HEATPAD_HA_DISCOVERY_H

#include <stddef.h>

#include "config/config.h"

/* "<base>/<device_id>", the root of every topic of this device. */
void ha_root_topic(const struct config *cfg, char *buf, size_t size);

/* "<prefix>/device/<device_id>/config": where the message goes. */
void ha_device_topic(const struct config *cfg, char *buf, size_t size);

/* The message, a malloc'd JSON text (NULL when out of memory).
 * config_url (may be NULL) is the status page; prev (may be NULL) is the
 * message retained on the broker before, whose components not made now
 * are marked for removal. */
char *ha_discovery_payload(const struct config *cfg, const char *version,
                           const char *config_url, const char *prev);

/* Whether topic is one of the discovery topics an earlier version used
 * for this device ("<prefix>/<component>/<device_id>/<object>/config"),
 * to be cleared. */
bool ha_discovery_is_legacy(const struct config *cfg, const char *topic);

#endif
