/* mqtt.h: the MQTT adapter (libmosquitto) and Home Assistant discovery.
 *
 * Runs inside the daemon's own loop through libmosquitto's external-loop
 * calls: the socket is watched for reading (and writing while
 * mosquitto_want_write), a 250 ms timer runs mosquitto_loop_misc and
 * reconnects. Connecting never blocks the loop: a numeric or local host
 * connects without waiting, and a broker that is down is retried with a
 * capped exponential backoff (0.25 s doubling to 3 s, with jitter). On
 * every (re)connect it subscribes again and publishes availability, every
 * zone's state (once the zone has its first reading), the guidance, the
 * schedule and, once the retained one has been read (to remove what is
 * gone from it), the device's discovery message (ha_discovery.h). States
 * follow every change within a service period and go out at least every
 * 10 s. Sessions never depend on the broker: they are the core's, and so
 * are schedules.
 *
 * Topics, under root = <base_topic>/<device_id>:
 *   root/availability           "online"/"offline", retained, last will
 *   root/<zone>/state           zone JSON (ha_state.h), retained, QoS 1,
 *                               on each change and at least every 10 s
 *   root/<zone>/set             JSON command {"action":"start",...}
 *   root/<zone>/mode/set        "heat"/"off" (the climate entity)
 *   root/<zone>/temperature/set "40.5" (the climate entity)
 *   root/<zone>/preset/set      "low", "medium", "high" (the climate entity)
 *   root/<zone>/minutes/set     "25" (the session-length number)
 *   root/<zone>/result          the reply to each command, QoS 0
 *                               (mqtt_flow.h: bounded in a flood)
 *   root/schedule/set           JSON schedule list
 *   root/schedule               the accepted schedule, retained
 *   root/schedule/result        the reply to a schedule/set
 *   root/schedule/run           each due entry: started or skipped, why
 *   root/guidance               the guidance JSON, retained
 * Commands that arrive retained are refused: a stale retained "start"
 * must not heat a pad again at each reconnect. */
#ifndef HEATPAD_MQTT_H
#define HEATPAD_MQTT_H

#include <stddef.h>

#include "core/core.h"
#include "net/port.h"

struct mqtt;

/* Sets the client up from port->cfg->mqtt and starts connecting (port
 * outlives the client). NULL with a reason in err when it cannot be set up
 * (a bad TLS file). */
struct mqtt *mqtt_open(const struct port *port, const char *version,
                       char *err, size_t errlen);

/* A core event, drained by the loop after a batch: publishes what it
 * changed. Accepts NULL. */
void mqtt_on_event(struct mqtt *m, const struct core_event *ev);

/* After every batch of the loop (and its events): sends the states that
 * are due, once each. Accepts NULL. */
void mqtt_after_batch(struct mqtt *m);

/* Publishes "offline", disconnects cleanly, frees. Accepts NULL. */
void mqtt_close(struct mqtt *m);

#endif
