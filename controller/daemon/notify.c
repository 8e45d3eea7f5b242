/* notify.c: see notify.h. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/notify.h"

static int send_state(struct notify *n, const char *state)
{
        if (n->fd < 0)
                return 0;
        if (sendto(n->fd, state, strlen(state), MSG_NOSIGNAL | MSG_DONTWAIT,
                   (struct sockaddr *)&n->addr, n->addr_len) < 0)
                return -errno;
        return 0;
}

static int send_status(struct notify *n, const char *prefix,
                       const char *status)
{
        char msg[NOTIFY_STATUS_MAX + 32];

        int r;

        snprintf(n->status, sizeof(n->status), "%s", status);
        snprintf(msg, sizeof(msg), "%sSTATUS=%s", prefix, n->status);
        r = send_state(n, msg);
        if (r < 0)
                n->status[0] = '\0';   /* not sent: send it next time */
        return r;
}

/* WATCHDOG_USEC in ms when it is meant for this process, else 0. */
static uint64_t watchdog_ms_from_env(void)
{
        const char *usec = getenv("WATCHDOG_USEC");
        const char *pid = getenv("WATCHDOG_PID");
        char *end;

        if (!usec)
                return 0;
        if (pid) {
                long p = strtol(pid, &end, 10);
                if (*end || p != (long)getpid())
                        return 0;
        }
        unsigned long long u = strtoull(usec, &end, 10);
        return *end || u == 0 ? 0 : u / 1000;
}

void notify_init(struct notify *n)
{
        const char *path = getenv("NOTIFY_SOCKET");
        size_t len = path ? strlen(path) : 0;

        *n = (struct notify){ .fd = -1 };
        n->watchdog_ms = watchdog_ms_from_env();
        /* A path, or "@name" for the abstract namespace. */
        if (len < 2 || len >= sizeof(n->addr.sun_path) ||
            (path[0] != '/' && path[0] != '@'))
                goto no_systemd;
        n->addr.sun_family = AF_UNIX;
        memcpy(n->addr.sun_path, path, len);
        if (path[0] == '@')
                n->addr.sun_path[0] = '\0';
        n->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
                                  (path[0] == '/'));
        n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (n->fd >= 0)
                return;
no_systemd:
        n->watchdog_ms = 0;     /* nobody to ping */
}

bool notify_enabled(const struct notify *n)
{
        return n->fd >= 0;
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
        int r = send_state(n, "WATCHDOG=1");
        if (r < 0)
                return r;
        n->last_ping_ms = real_now_ms;
        return 1;
}

int notify_stopping(struct notify *n, const char *status)
{
        int r = send_status(n, "STOPPING=1\n", status);

        if (n->fd >= 0)
                close(n->fd);
        n->fd = -1;
        return r;
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

/* Drops a UTF-8 sequence cut short at the end of s (systemd ignores a
 * STATUS= that is not valid UTF-8). */
static void trim_partial_utf8(char *s, size_t used)
{
        size_t i = used, cont = 0;

        while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80 && cont < 3) {
                i--;
                cont++;
        }
        if (i == 0 || ((unsigned char)s[i - 1] & 0x80) == 0)
                return;         /* ends in ASCII */
        unsigned char lead = (unsigned char)s[i - 1];
        size_t want = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
        if (cont < want)
                s[i - 1] = '\0';
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
        trim_partial_utf8(buf, used);
}
