/* history.c: see history.h. */
#include <string.h>

#include "core/history.h"

void history_init(struct history *h, int nzones)
{
        memset(h, 0, sizeof(*h));
        h->nzones = nzones;
}

bool history_due(struct history *h, uint64_t now_ms)
{
        if (h->sampled && now_ms - h->last_ms < HISTORY_STEP_MS)
                return false;
        /* Keep the cadence of whole steps; after a stall, restart it. */
        if (h->sampled && now_ms - h->last_ms < 2 * HISTORY_STEP_MS)
                h->last_ms += HISTORY_STEP_MS;
        else
                h->last_ms = now_ms;
        h->sampled = true;
        return true;
}

void history_add(struct history *h, int zone,
                 const struct history_sample *sample)
{
        if (zone < 0 || zone >= h->nzones)
                return;
        struct history_ring *r = &h->zones[zone];
        r->s[r->head] = *sample;
        r->head = (r->head + 1) % HISTORY_LEN;
        if (r->count < HISTORY_LEN)
                r->count++;
}

int history_since(const struct history *h, int zone, uint64_t now_ms,
                  int minutes, struct history_sample *ret, int max)
{
        if (zone < 0 || zone >= h->nzones || minutes <= 0)
                return 0;
        const struct history_ring *r = &h->zones[zone];
        uint64_t span = (uint64_t)minutes * 60000;
        uint64_t from = now_ms > span ? now_ms - span : 0;
        int first = (r->head - r->count + HISTORY_LEN) % HISTORY_LEN;
        int n = 0;

        for (int i = 0; i < r->count && n < max; i++) {
                const struct history_sample *s = &r->s[(first + i) % HISTORY_LEN];
                if (s->mono_ms >= from && s->mono_ms <= now_ms)
                        ret[n++] = *s;
        }
        return n;
}
