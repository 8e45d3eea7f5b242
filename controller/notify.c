/* notify.c: see notify.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "notify.h"

/* sd_notify() returns > 0 when sent, 0 when there is no NOTIFY_SOCKET,
 * < 0 on error; we promise 0 or -errno. */
static int send_state(const char *state)
{
        int r = sd_notify(0, state);
        return r < 0 ? r : 0;
}

static int send_status(struct notify *n, const char *prefix,
                       const char *status)
{
        char msg[NOTIFY_STATUS_MAX + 32];

        snprintf(n->status, sizeof(n->status), "%s", status);
        snprintf(msg, sizeof(msg), "%sSTATUS=%s", prefix, n->status);
        return send_state(msg);
}

void notify_init(struct notify *n)
{
        uint64_t usec = 0;

        *n = (struct notify){ 0 };
        /* > 0 only when WATCHDOG_USEC is set for this very process. */
        if (sd_watchdog_enabled(0, &usec) > 0)
                n->watchdog_ms = usec / 1000;
}

int notify_ready(struct notify *n, const char *status)
{
        return send_status(n, "READY=1\n", status);
}

int notify_status(struct notify *n, const char *status)
{
        if (strncmp(n->status, status, sizeof(n->status) - 1) == 0)
                return 0;
        return send_status(n, "", status);
}

int notify_tick(struct notify *n, uint64_t real_now_ms, uint64_t period_ms)
{
        uint64_t prev = n->last_tick_ms;

        n->last_tick_ms = real_now_ms;
        if (!n->watchdog_ms)
                return 0;
        /* A tick far behind its time means the loop was stuck somewhere:
         * no ping for it. If it stays stuck, systemd's watchdog fires. */
        n->late = prev && real_now_ms - prev > period_ms + n->watchdog_ms / 2;
        if (n->late)
                return 0;
        if (n->last_ping_ms && real_now_ms - n->last_ping_ms < n->watchdog_ms / 4)
                return 0;
        int r = send_state("WATCHDOG=1");
        if (r < 0)
                return r;
        n->last_ping_ms = real_now_ms;
        return 1;
}

int notify_stopping(struct notify *n, const char *status)
{
        return send_status(n, "STOPPING=1\n", status);
}

/* Appends to buf at *used, never past len. */
__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (*used >= len)
                return;
        va_start(ap, fmt);
        n = vsnprintf(buf + *used, len - *used, fmt, ap);
        va_end(ap);
        if (n > 0)
                *used += (size_t)n < len - *used ? (size_t)n : len - *used - 1;
}

void notify_format_status(const struct core *core, uint64_t now_ms,
                          char *buf, size_t len)
{
        size_t used = 0;

        if (len == 0)
                return;
        buf[0] = '\0';
        for (int i = 0; i < core->nzones; i++) {
                const struct core_zone *z = &core->zones[i];
                const struct safety *s = &z->safety;

                append(buf, len, &used, "%s%s: ", i ? "; " : "", z->cfg->name);
                if (s->fault != FAULT_NONE)
                        append(buf, len, &used, "FAULT %s, off",
                               safety_fault_name(s->fault));
                else if (z->session.active)
                        append(buf, len, &used, "heating to %.1f °C, %llu min left",
                               z->session.setpoint_c, (unsigned long long)
                               ((session_remaining_ms(&z->session, now_ms) +
                                 59999) / 60000));
                else
                        append(buf, len, &used, "off");
                if (s->have_temp)
                        append(buf, len, &used, ", pad %.1f °C", s->temp_c);
                else
                        append(buf, len, &used, ", no reading yet");
        }
}
