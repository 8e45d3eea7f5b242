/* session.c: see session.h. */
#include "core/session.h"

static uint64_t cap_ms(int cap_min)
{
        if (cap_min > SESSION_HARD_CAP_MIN || cap_min <= 0)
                cap_min = SESSION_HARD_CAP_MIN;
        return (uint64_t)cap_min * 60000;
}

void session_set_rest(struct session *s, uint64_t rest_ms)
{
        s->rest_ms = rest_ms;
}

/* The heat the chain has given before a session starting at now_ms. */
static uint64_t chain_used(const struct session *s, uint64_t now_ms)
{
        if (!s->ended_once || s->rest_ms == 0 ||
            now_ms >= s->last_end_ms + s->rest_ms)
                return 0;
        return s->chain_used_ms;
}

uint64_t session_start(struct session *s, int minutes, double setpoint_c,
                       int cap_min, uint64_t now_ms)
{
        uint64_t cap = cap_ms(cap_min);

        if (minutes < 0)
                minutes = 0;
        if (!s->active) {
                uint64_t used = chain_used(s, now_ms);
                if (used >= cap)
                        return 0;
                s->chain_used_ms = used;
                s->began_ms = now_ms;
                s->cap_end_ms = now_ms + (cap - used);
        }
        uint64_t ends = now_ms + (uint64_t)minutes * 60000;
        s->ends_ms = ends < s->cap_end_ms ? ends : s->cap_end_ms;
        s->setpoint_c = setpoint_c;
        s->active = true;
        return session_remaining_ms(s, now_ms);
}

void session_stop(struct session *s, uint64_t now_ms)
{
        if (!s->active)
                return;
        uint64_t end = now_ms < s->ends_ms ? now_ms : s->ends_ms;
        if (end < s->began_ms)
                end = s->began_ms;
        s->chain_used_ms += end - s->began_ms;
        s->last_end_ms = end;
        s->ended_once = true;
        s->active = false;
}

bool session_expired(const struct session *s, uint64_t now_ms)
{
        return s->active && now_ms >= s->ends_ms;
}

uint64_t session_remaining_ms(const struct session *s, uint64_t now_ms)
{
        if (!s->active || now_ms >= s->ends_ms)
                return 0;
        return s->ends_ms - now_ms;
}

uint64_t session_cap_left_ms(const struct session *s, int cap_min,
                             uint64_t now_ms)
{
        uint64_t cap = cap_ms(cap_min);

        if (s->active)
                return now_ms < s->cap_end_ms ? s->cap_end_ms - now_ms : 0;
        uint64_t used = chain_used(s, now_ms);
        return used < cap ? cap - used : 0;
}

uint64_t session_fresh_at_ms(const struct session *s, uint64_t now_ms)
{
        if (s->active)
                return s->rest_ms ? s->ends_ms + s->rest_ms : now_ms;
        if (chain_used(s, now_ms) == 0)
                return now_ms;
        return s->last_end_ms + s->rest_ms;
}
