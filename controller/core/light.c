/* light.c: see light.h. */
#include <math.h>
#include <string.h>

#include "core/light.h"

#define REFUSED_SPAN_MS (2ULL * LIGHT_REFUSED_BLINKS * LIGHT_REFUSED_HALF_MS)

enum light_mode light_mode(const struct light_state *s)
{
        if (s->fault)
                return LIGHT_FAST;
        if (!s->session)
                return LIGHT_OFF;
        if (s->have_temp && fabs(s->temp_c - s->setpoint_c) <= LIGHT_HOLD_BAND_C)
                return LIGHT_SLOW;
        return LIGHT_ON;
}

static bool in_refusal(const struct light_state *s, uint64_t now_ms)
{
        return s->refused && now_ms >= s->refused_ms &&
               now_ms - s->refused_ms < REFUSED_SPAN_MS;
}

static uint64_t half_of(enum light_mode m)
{
        return m == LIGHT_FAST ? LIGHT_FAST_HALF_MS :
               m == LIGHT_SLOW ? LIGHT_SLOW_HALF_MS : 0;
}

bool light_on(const struct light_state *s, uint64_t now_ms)
{
        if (in_refusal(s, now_ms))
                return (now_ms - s->refused_ms) / LIGHT_REFUSED_HALF_MS % 2 == 0;
        enum light_mode m = light_mode(s);
        if (m == LIGHT_OFF || m == LIGHT_ON)
                return m == LIGHT_ON;
        return now_ms / half_of(m) % 2 == 0;
}

uint64_t light_next_ms(const struct light_state *s, uint64_t now_ms)
{
        if (in_refusal(s, now_ms)) {
                uint64_t t = now_ms - s->refused_ms;
                return s->refused_ms + (t / LIGHT_REFUSED_HALF_MS + 1) *
                       LIGHT_REFUSED_HALF_MS;
        }
        uint64_t h = half_of(light_mode(s));
        return h ? (now_ms / h + 1) * h : UINT64_MAX;
}

void light_state_of(const struct core *core, int zone,
                    struct light_state *ret)
{
        const struct core_zone *z = &core->zones[zone];
        struct core_zone_snap snap = core_zone_snapshot(core, zone,
                                                        core->now_ms);

        memset(ret, 0, sizeof(*ret));
        ret->session = snap.session;
        ret->fault = z->safety.fault != FAULT_NONE;
        ret->have_temp = snap.have_temp;
        ret->temp_c = snap.temp_c;
        ret->setpoint_c = snap.setpoint_c;
}
