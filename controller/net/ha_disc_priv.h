/* ha_disc_priv.h: what the discovery files share (ha_discovery.c, the
 * device; ha_disc_zone.c, a zone's components; ha_disc_device.c, the
 * device's own). Keys are Home Assistant's abbreviations, topics start
 * with "~", the component's base topic. */
#ifndef HEATPAD_HA_DISC_PRIV_H
#define HEATPAD_HA_DISC_PRIV_H

#include <cjson/cJSON.h>

#include "config/config.h"

#define HA_TOPIC_MAX 256

/* A new component under cmps[key]: platform, name, unique id
 * "heatpad_<device_id>_<key>" and base topic. Returns it. */
cJSON *ha_component(cJSON *cmps, const struct config *cfg, const char *key,
                    const char *platform, const char *name, const char *base);

/* A list of strings, added under key. */
void ha_add_strings(cJSON *o, const char *key, const char *const *v, int n);

/* Adds the components of zone i, and of the device. */
void ha_zone_components(cJSON *cmps, const struct config *cfg, int i,
                        const char *root);
void ha_device_components(cJSON *cmps, const struct config *cfg,
                          const char *root);

#endif
