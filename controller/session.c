/* session.c: see session.h. */
#include "session.h"

uint64_t session_start(struct session *s, int minutes, double setpoint_c,
                       int cap_min, uint64_t now_ms)
{
        if (cap_min > SESSION_HARD_CAP_MIN || cap_min <= 0)
                cap_min = SESSION_HARD_CAP_MIN;
        if (minutes > cap_min)
                minutes = cap_min;
        if (minutes < 0)
                minutes = 0;
        if (!s->active)
                s->began_ms = now_ms;
        uint64_t ends = now_ms + (uint64_t)minutes * 60000;
        uint64_t cap_end = s->began_ms + (uint64_t)cap_min * 60000;
        s->ends_ms = ends < cap_end ? ends : cap_end;
        s->setpoint_c = setpoint_c;
        s->active = true;
        return session_remaining_ms(s, now_ms);
}

void session_stop(struct session *s)
{
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
