/* mqtt_priv.h: what mqtt.c (the link and what goes out) and mqtt_handle.c
 * (what comes in) share. Not for other modules: they use mqtt.h. */
#ifndef HEATPAD_MQTT_PRIV_H
#define HEATPAD_MQTT_PRIV_H

#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <mosquitto.h>

#include "net/ha_state.h"
#include "net/mqtt_cmd.h"
#include "net/mqtt_flow.h"
#include "net/port.h"

#define DUP_WINDOW_MS 5000.0            /* real ms */
#define IDS_KEPT 8
#define TOPIC_MAX 256
#define FIRST_READING_MS 10000          /* virtual: a state waits for it */

struct mqtt;

/* What the adapter needs of libmosquitto to publish: mqtt.c gives the
 * real one, the unit tests a recorder. */
struct mqtt_wire {
        /* As mosquitto_publish: 0, or an error for strerror. */
        int (*publish)(struct mqtt *m, int *mid, const char *topic, int len,
                       const void *payload, int qos, bool retain);
        const char *(*strerror)(int rc);
        /* After publishing: keeps the loop's watch of the socket in step. */
        void (*sync)(struct mqtt *m);
};

/* A message that arrived (libmosquitto's, without the library). */
struct mqtt_msg {
        const char *topic;
        const void *payload;
        int payloadlen;
        bool retain;
};

/* DOWN -> (RESOLVING, for a host name) -> CONNECTING -> UP -> DOWN ... */
enum link { LINK_DOWN, LINK_RESOLVING, LINK_CONNECTING, LINK_UP };

/* What the adapter remembers per zone: recent commands, to recognise a
 * redelivered one. */
struct mqtt_zone {
        char ids[IDS_KEPT][MQTT_CMD_ID_MAX + 1];
        int next_id;
        uint64_t last_hash;             /* last successful command */
        double last_at_ms;              /* real ms */
        bool state_pending;             /* to publish when there is room */
        bool state_now;                 /* after a stop: room or not */
        struct ha_zone_sig sig;         /* what the last state showed */
        uint64_t ends_ms;               /* the session end last shown, */
        double ends_at;                 /* and in wall seconds */
        bool sent;                      /* since the connect */
        uint32_t result_seq;            /* the zone's last command seen
                                         * (core_last_cmd) */
};

struct mqtt {
        const struct port *port;
        const struct mqtt_wire *wire;
        const struct config *cfg;
        const char *version;
        struct mosquitto *mosq;
        char root[160];
        enum link link;
        int fd;                         /* watched on the loop, or -1 */
        uint32_t fd_events;
        bool fd_stale;                  /* libmosquitto closed it */
        int timer;
        double retry_at_ms, backoff_ms, connect_began_ms;       /* real */
        bool said_down;                 /* logged this outage already */
        bool closing;                   /* mqtt_close: losses are expected */
        int said_refused;               /* CONNACK code logged last */
        uint64_t last_publish_ms;       /* virtual */
        double last_publish_real_ms;
        uint64_t opened_ms;             /* virtual: when readings began */
        struct ha_guidance_sig gsig;
        bool disc_due;                  /* discovery waits for the old one */
        double disc_at_ms;              /* real */
        char *disc_prev;                /* the retained message, or NULL */
        char config_url[160];           /* the status page, or "" */
        unsigned rng;
        bool numeric_host;              /* an address: nothing to resolve */
        struct gaicb gai;               /* the name lookup in flight */
        struct addrinfo gai_hints;
        bool gai_busy;
        struct mqtt_zone zones[CONFIG_MAX_ZONES];
        struct mqtt_flow flow;          /* flood bounds: mqtt_flow.h */
        bool schedule_pending;
        bool reading;                   /* inside mosquitto_loop_read */
        bool guidance_pending;          /* to publish after the batch */
};

/* "mqtt: ..." into the daemon's log, control characters masked. */
void mqtt_log(struct mqtt *m, const char *level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* QoS 1; dropped while the link is down (all is published on connect).
 * Returns whether it was queued. */
bool mqtt_publish(struct mqtt *m, const char *topic, const char *payload,
                  bool retain);

/* The same for a JSON object, which it deletes. */
bool mqtt_publish_json(struct mqtt *m, const char *topic, cJSON *o,
                       bool retain);

/* A command's result (QoS 0, not retained); deletes o. Returns whether it
 * was queued. */
bool mqtt_publish_result(struct mqtt *m, const char *topic, cJSON *o);

/* A zone's state on <root>/<zone>/state, retained: marked to go out after
 * the loop's batch (mqtt_after_batch: one message for a batch's many
 * changes), or once the broker has caught up (mqtt_flow.h). Everything
 * retained waits for the batch's end like this: a change seen both by the
 * service timer and by the core's events goes out once. */
void mqtt_publish_zone(struct mqtt *m, int zone);

/* The same after a stop: at the end of the batch even while the broker is
 * behind (once per batch, however many stops it held). */
void mqtt_publish_zone_now(struct mqtt *m, int zone);

/* mqtt_after_batch's work: sends what is marked, unless inside a read
 * pass. */
void mqtt_flush_pending(struct mqtt *m);

/* Every zone's state and the guidance; the schedule echo (marked). */
void mqtt_publish_all_state(struct mqtt *m);
void mqtt_publish_schedule(struct mqtt *m);

/* mqtt_ha.c: the guidance on <root>/guidance, retained: marked, and sent
 * by mqtt_flush_pending. */
void mqtt_publish_guidance(struct mqtt *m);
void mqtt_send_guidance(struct mqtt *m);

/* Marks each zone whose state changed since it was last sent, and sends
 * the guidance if it changed (ha_state.h's signatures). */
void mqtt_publish_changes(struct mqtt *m);

/* The device's discovery message, retained (ha_discovery.h). */
void mqtt_publish_discovery(struct mqtt *m);

/* Keeps a zone state's ends_at steady from one message to the next. */
void mqtt_steady_end(struct mqtt *m, int zone, cJSON *o);

/* The status page's address for the device in Home Assistant, or "". */
void mqtt_config_url(const struct config *cfg, char *buf, size_t size);

/* A retained discovery message of this device: the current one is kept
 * (to remove what is gone from it), an earlier version's cleared. */
bool mqtt_discovery_msg(struct mqtt *m, const struct mqtt_msg *msg);

/* mqtt_handle.c: a message that arrived: commands and schedules. */
void mqtt_handle_msg(struct mqtt *m, const struct mqtt_msg *msg);

#endif
