/* core_events.c: the core's queue of events for the outside (MQTT, the
 * page, the log), bounded, keeping what the person must learn of when it
 * is full. See core.h. */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/core_priv.h"

/* Whether the person must learn of it even when the queue is full: heat
 * going away, and faults coming or going. */
static bool must_keep(const struct core_event *ev)
{
        switch (ev->type) {
        case EV_SESSION_END:
        case EV_FAULT:
        case EV_FAULT_CLEARED:
        case EV_AUTOTUNE:
                return true;
        case EV_RELAY:
                return ev->reason && strcmp(ev->reason, "off") == 0;
        default:
                return false;
        }
}

static struct core_queued *queue_at(struct core *core, int i)
{
        return &core->events[(core->ev_head + i) % CORE_EVENTS_MAX];
}

/* Removes the i-th entry from the oldest, keeping the others in order. */
static void queue_remove(struct core *core, int i)
{
        for (; i > 0; i--)
                *queue_at(core, i) = *queue_at(core, i - 1);
        core->ev_head = (core->ev_head + 1) % CORE_EVENTS_MAX;
        core->ev_count--;
}

/* Makes room for ev in a full queue: false when ev is to be dropped. */
static bool queue_room(struct core *core, const struct core_event *ev)
{
        core->events_dropped++;
        if (!must_keep(ev))
                return false;
        for (int i = 0; i < core->ev_count; i++)
                if (!must_keep(&queue_at(core, i)->ev)) {
                        queue_remove(core, i);
                        return true;
                }
        core->events_lost++;
        queue_remove(core, 0);
        return true;
}

void core_emit_detail(struct core *core, enum core_event_type type, int zone,
                      enum core_source src, const char *reason,
                      const char *detail)
{
        struct core_event ev = { .type = type, .zone = zone, .source = src,
                                 .reason = reason, .detail = detail };

        if (core->ev_count == CORE_EVENTS_MAX && !queue_room(core, &ev))
                return;
        struct core_queued *q = queue_at(core, core->ev_count++);
        ev.now_ms = core->now_ms;
        if (zone >= 0 && zone < core->nzones)
                ev.snap = core_zone_snapshot(core, zone, core->now_ms);
        ev.guidance_kind = core->guidance_kind;
        ev.schedule_n = core->schedule.n;
        q->ev = ev;
        snprintf(q->reason, sizeof(q->reason), "%s", reason ? reason : "");
        snprintf(q->detail, sizeof(q->detail), "%s", detail ? detail : "");
}

void core_emit(struct core *core, enum core_event_type type, int zone,
               enum core_source src, const char *reason)
{
        core_emit_detail(core, type, zone, src, reason, NULL);
}

bool core_next_event(struct core *core, struct core_event *ret)
{
        if (core->ev_count == 0)
                return false;
        core->ev_out = *queue_at(core, 0);
        core->ev_head = (core->ev_head + 1) % CORE_EVENTS_MAX;
        core->ev_count--;
        *ret = core->ev_out.ev;
        ret->reason = ret->reason ? core->ev_out.reason : NULL;
        ret->detail = ret->detail ? core->ev_out.detail : NULL;
        return true;
}

int core_events_pending(const struct core *core)
{
        return core->ev_count;
}
