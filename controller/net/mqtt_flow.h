/* mqtt_flow.h: what keeps a flood of MQTT commands from growing the
 * daemon's memory, stalling its loop or filling its log. Pure: counts and
 * time (real ms) in, decisions out; mqtt.c and mqtt_handle.c act on them.
 *
 * Every command is still read and run in order, so the last one sent is
 * the one that holds. What is bounded is what a command makes:
 *   - QoS 1 publishes (states, the schedule echo) awaiting the broker's
 *     PUBACK. libmosquitto queues them without limit, and
 *     mosquitto_loop_read() reads as many packets per call as it has QoS 1
 *     messages queued (its max_packets argument is not used), so an
 *     unbounded queue is also an unbounded loop pass: 10,000 commands
 *     buffered on the socket were read in one pass of 5,348 messages and
 *     580 ms, with 17,623 publishes queued. The broker's PUBACKs queue on
 *     the same socket behind the flood, so they cannot come back during
 *     it. At MQTT_FLOW_OUT_MAX awaiting, states and the schedule echo wait
 *     (they are retained: only the newest counts) and go out once the
 *     broker has caught up.
 *   - Results, QoS 0 answers to a live command, not yet written to the
 *     socket. They leave at the end of each read pass; when the broker
 *     stops reading and MQTT_FLOW_OUT_MAX are waiting, a result is dropped
 *     and counted. Not a stop's: its answer is queued past the bound (a
 *     small message per stop, until the broker reads again), and so is the
 *     zone's state after it, because whoever sent a stop must learn that
 *     the pad is off. Results are told apart from QoS 1 messages by their
 *     message id (a bit per id), so those past the bound are counted too.
 *   - Log lines: at most MQTT_FLOW_LOG_BURST refusals are logged one by one
 *     per MQTT_FLOW_WINDOW_MS; the rest are counted, and a summary line
 *     with the totals closes a window in which any was left out. */
#ifndef HEATPAD_MQTT_FLOW_H
#define HEATPAD_MQTT_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MQTT_FLOW_OUT_MAX 64
#define MQTT_FLOW_LOG_BURST 10
#define MQTT_FLOW_WINDOW_MS 10000.0

struct mqtt_flow {
        int unacked;                    /* QoS 1 published, no PUBACK yet */
        int unwritten;                  /* results queued, not yet written */
        uint8_t result_mid[65536 / 8];  /* their message ids, a bit each */
        /* Since start-up. */
        uint64_t commands, refused, results_dropped;
        /* The current log window. */
        double window_start_ms;
        int logged;                     /* refusals logged in it */
        uint64_t unlogged, dropped;     /* refusals not logged, results dropped */
};

/* Whether another QoS 1 message (a state), or another result, may be
 * queued now. A stop's result and state are queued whatever these say. */
bool mqtt_flow_room(const struct mqtt_flow *f);
bool mqtt_flow_result_room(const struct mqtt_flow *f);

/* A QoS 1 message, or a (QoS 0) result with message id mid, was queued. */
void mqtt_flow_sent(struct mqtt_flow *f);
void mqtt_flow_result_sent(struct mqtt_flow *f, int mid);

/* libmosquitto's publish callback: a result with this id was written, or
 * else a QoS 1 message was acknowledged. */
void mqtt_flow_published(struct mqtt_flow *f, int mid);

/* libmosquitto has nothing left to write: no result waits. (Keeps the
 * count right should a result ever be written inside mosquitto_publish,
 * before its id is known.) */
void mqtt_flow_all_written(struct mqtt_flow *f);

/* A new connection: libmosquitto's old queues are no longer ours to
 * count (unwritten results are gone; a PUBACK for an old message is
 * ignored). */
void mqtt_flow_connected(struct mqtt_flow *f);

/* A command arrived; refused tells whether it was. Returns whether its
 * refusal may be logged one by one (false for an accepted command). */
bool mqtt_flow_command(struct mqtt_flow *f, bool refused, double now_ms);

/* A command's result was dropped for want of room. */
void mqtt_flow_result_dropped(struct mqtt_flow *f);

/* Closes the window when it has run out: if anything was left out of the
 * log in it, writes a summary line into buf (without a newline) and returns
 * true. Call it now and then (the 250 ms service timer). */
bool mqtt_flow_summary(struct mqtt_flow *f, double now_ms, char *buf,
                       size_t len);

#endif
