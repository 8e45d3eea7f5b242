/* button.c: see button.h. */
#include <math.h>
#include <string.h>

#include "core/button.h"

void button_init(struct button *b, bool pressed, uint64_t now_ms)
{
        memset(b, 0, sizeof(*b));
        b->raw = b->pressed = pressed;
        b->raw_ms = b->pressed_ms = now_ms;
        b->stuck = pressed;
}

/* The debounced level changes to raw at now_ms. */
static enum button_action settle(struct button *b, uint64_t now_ms)
{
        b->settling = false;
        if (b->raw == b->pressed)
                return BUTTON_NONE;
        b->pressed = b->raw;
        if (b->pressed) {
                b->pressed_ms = now_ms;
                b->long_done = false;
                return BUTTON_NONE;
        }
        if (b->stuck) {
                b->stuck = false;
                return BUTTON_UNSTUCK;
        }
        return b->long_done ? BUTTON_NONE : BUTTON_SHORT;
}

enum button_action button_level(struct button *b, bool pressed,
                                uint64_t now_ms)
{
        /* Time up to this edge first: a press may have become long. */
        enum button_action a = button_poll(b, now_ms);

        if (pressed != b->raw) {
                b->raw = pressed;
                b->raw_ms = now_ms;
                b->settling = pressed != b->pressed;
        }
        return a;
}

enum button_action button_poll(struct button *b, uint64_t now_ms)
{
        if (b->settling && now_ms >= b->raw_ms + BUTTON_DEBOUNCE_MS) {
                /* It held from raw_ms on: the change dates from then. */
                enum button_action a = settle(b, b->raw_ms);
                if (a != BUTTON_NONE)
                        return a;
        }
        if (!b->pressed || b->stuck)
                return BUTTON_NONE;
        /* A release still settling does not hold the press longer. */
        if (b->settling)
                return BUTTON_NONE;
        if (now_ms >= b->pressed_ms + BUTTON_STUCK_MS) {
                b->stuck = true;
                return BUTTON_STUCK;
        }
        if (!b->long_done && now_ms >= b->pressed_ms + BUTTON_LONG_MS) {
                b->long_done = true;
                return BUTTON_LONG;
        }
        return BUTTON_NONE;
}

uint64_t button_next_ms(const struct button *b)
{
        if (b->settling)
                return b->raw_ms + BUTTON_DEBOUNCE_MS;
        if (!b->pressed || b->stuck)
                return UINT64_MAX;
        return b->long_done ? b->pressed_ms + BUTTON_STUCK_MS :
               b->pressed_ms + BUTTON_LONG_MS;
}

const char *button_action_name(enum button_action a)
{
        switch (a) {
        case BUTTON_SHORT: return "short";
        case BUTTON_LONG: return "long";
        case BUTTON_STUCK: return "stuck";
        case BUTTON_UNSTUCK: return "unstuck";
        default: return "none";
        }
}

bool button_command(enum button_action a, int zone, bool heating,
                    struct core_cmd *ret)
{
        memset(ret, 0, sizeof(*ret));
        ret->src = SRC_BUTTON;
        ret->setpoint_c = NAN;
        ret->zone = zone;
        switch (a) {
        case BUTTON_LONG:
                ret->kind = CMD_STOP_ALL;
                return true;
        case BUTTON_SHORT:
                if (heating)
                        ret->kind = zone < 0 ? CMD_STOP_ALL : CMD_STOP;
                else
                        ret->kind = CMD_START;  /* the zone's defaults */
                return true;
        default:
                return false;
        }
}
