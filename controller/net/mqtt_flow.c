/* mqtt_flow.c: see mqtt_flow.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "net/mqtt_flow.h"

bool mqtt_flow_room(const struct mqtt_flow *f)
{
        return f->unacked < MQTT_FLOW_OUT_MAX;
}

bool mqtt_flow_result_room(const struct mqtt_flow *f)
{
        return f->unwritten < MQTT_FLOW_OUT_MAX;
}

void mqtt_flow_sent(struct mqtt_flow *f)
{
        f->unacked++;
}

static bool is_result(const struct mqtt_flow *f, int mid)
{
        return mid > 0 && mid < 65536 &&
               (f->result_mid[mid / 8] & (1u << (mid % 8)));
}

void mqtt_flow_result_sent(struct mqtt_flow *f, int mid)
{
        if (mid <= 0 || mid >= 65536 || is_result(f, mid))
                return;
        f->result_mid[mid / 8] |= (uint8_t)(1u << (mid % 8));
        f->unwritten++;
}

static void forget_results(struct mqtt_flow *f)
{
        if (f->unwritten)
                memset(f->result_mid, 0, sizeof(f->result_mid));
        f->unwritten = 0;
}

/* After a reconnect libmosquitto may still deliver PUBACKs for messages
 * queued before it: never count below zero. */
void mqtt_flow_published(struct mqtt_flow *f, int mid)
{
        if (is_result(f, mid)) {
                f->result_mid[mid / 8] &= (uint8_t)~(1u << (mid % 8));
                f->unwritten--;
                return;
        }
        if (f->unacked > 0)
                f->unacked--;
}

void mqtt_flow_all_written(struct mqtt_flow *f)
{
        forget_results(f);
}

void mqtt_flow_connected(struct mqtt_flow *f)
{
        f->unacked = 0;
        forget_results(f);
}

/* Starts a new window at the first event after the old one ran out. */
static void roll(struct mqtt_flow *f, double now_ms)
{
        if (now_ms - f->window_start_ms < MQTT_FLOW_WINDOW_MS)
                return;
        f->window_start_ms = now_ms;
        f->logged = 0;
        f->unlogged = 0;
        f->dropped = 0;
}

bool mqtt_flow_command(struct mqtt_flow *f, bool refused, double now_ms)
{
        f->commands++;
        if (!refused)
                return false;
        f->refused++;
        /* A window with something left out must be summed up first. */
        if (!f->unlogged && !f->dropped)
                roll(f, now_ms);
        if (f->logged < MQTT_FLOW_LOG_BURST) {
                f->logged++;
                return true;
        }
        f->unlogged++;
        return false;
}

void mqtt_flow_result_dropped(struct mqtt_flow *f)
{
        f->results_dropped++;
        f->dropped++;
}

bool mqtt_flow_summary(struct mqtt_flow *f, double now_ms, char *buf,
                       size_t len)
{
        if (now_ms - f->window_start_ms < MQTT_FLOW_WINDOW_MS)
                return false;
        bool say = f->unlogged || f->dropped;
        if (say)
                snprintf(buf, len, "flood: %" PRIu64 " refusals not logged "
                         "one by one and %" PRIu64 " results dropped (the "
                         "broker was behind) in the last %.0f s; since start "
                         "%" PRIu64 " commands, %" PRIu64 " refused, %" PRIu64
                         " results dropped", f->unlogged, f->dropped,
                         (now_ms - f->window_start_ms) / 1000.0, f->commands,
                         f->refused, f->results_dropped);
        f->window_start_ms = now_ms;
        f->logged = 0;
        f->unlogged = 0;
        f->dropped = 0;
        return say;
}
