/* session_log.c: see session_log.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/session.h"
#include "core/session_log.h"

/* Up to 2100: a Pi without a clock may start at 1970, so nothing earlier
 * is refused. */
#define LOG_TIME_MAX 4102444800LL

static void word(char *dst, const char *src)
{
        snprintf(dst, SESSION_LOG_WORD, "%s", src && *src ? src : "core");
}

void session_log_begin(struct session_log *l, time_t wall, uint64_t now_ms,
                       const char *source, double power_w, bool have_temp,
                       double temp_c)
{
        l->open = true;
        l->cur = (struct session_rec){ .started_at = wall, .peak_c = NAN,
                                       .energy_wh = NAN };
        word(l->cur.source, source);
        l->began_ms = now_ms;
        l->on_ms = 0;
        l->power_w = power_w;
        if (have_temp)
                session_log_saw(l, temp_c);
}

void session_log_saw(struct session_log *l, double temp_c)
{
        if (!l->open || !isfinite(temp_c))
                return;
        if (isnan(l->cur.peak_c) || temp_c > l->cur.peak_c)
                l->cur.peak_c = temp_c;
}

void session_log_on(struct session_log *l, uint64_t on_ms)
{
        if (l->open)
                l->on_ms += on_ms;
}

bool session_log_end(struct session_log *l, uint64_t now_ms,
                     const char *reason, int minutes, double setpoint_c)
{
        struct session_rec *r = &l->cur;

        if (!l->open)
                return false;
        l->open = false;
        uint64_t ran_ms = now_ms > l->began_ms ? now_ms - l->began_ms : 0;
        r->ended_at = r->started_at + (time_t)((ran_ms + 500) / 1000);
        r->minutes = minutes;
        r->setpoint_c = setpoint_c;
        word(r->end, reason);
        /* Whole seconds, never more than the session lasted. */
        r->on_s = (l->on_ms + 500) / 1000;
        if (r->on_s > (uint64_t)(r->ended_at - r->started_at))
                r->on_s = (uint64_t)(r->ended_at - r->started_at);
        if (l->power_w > 0)
                r->energy_wh = l->power_w * (double)l->on_ms / 3.6e6;
        session_log_add(l, r);
        return true;
}

int session_log_count(const struct session_log *l)
{
        return l->n;
}

const struct session_rec *session_log_get(const struct session_log *l, int i)
{
        if (i < 0 || i >= l->n)
                return NULL;
        return &l->r[(l->head - 1 - i + 2 * SESSION_LOG_MAX) % SESSION_LOG_MAX];
}

void session_log_add(struct session_log *l, const struct session_rec *r)
{
        l->r[l->head] = *r;
        l->head = (l->head + 1) % SESSION_LOG_MAX;
        if (l->n < SESSION_LOG_MAX)
                l->n++;
}

static bool plain_word(const char *w)
{
        size_t n = strnlen(w, SESSION_LOG_WORD);

        if (n == 0 || n == SESSION_LOG_WORD)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((w[i] >= 'a' && w[i] <= 'z') ||
                      (w[i] >= '0' && w[i] <= '9') || w[i] == '_'))
                        return false;
        return true;
}

bool session_rec_valid(const struct session_rec *r)
{
        /* A session never runs past the hard cap; a minute to spare for
         * the tick that ends it. */
        long long cap_s = (long long)SESSION_HARD_CAP_MIN * 60 + 60;
        long long ran = (long long)r->ended_at - (long long)r->started_at;

        return (long long)r->started_at >= 0 &&
               (long long)r->ended_at <= LOG_TIME_MAX &&
               ran >= 0 && ran <= cap_s &&
               r->minutes >= 1 && r->minutes <= SESSION_HARD_CAP_MIN &&
               isfinite(r->setpoint_c) && r->setpoint_c >= 0 &&
               r->setpoint_c <= 100 &&
               (isnan(r->peak_c) || (r->peak_c >= -55 && r->peak_c <= 150)) &&
               r->on_s <= (uint64_t)ran &&
               (isnan(r->energy_wh) || (r->energy_wh >= 0 &&
                                        r->energy_wh <= 1e6)) &&
               plain_word(r->end) && plain_word(r->source);
}
