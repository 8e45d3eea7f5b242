/* port.c: see port.h. */
#include <stdarg.h>
#include <stdio.h>

#include "net/port.h"

void port_submit(const struct port *p, const struct core_cmd *cmd,
                 struct core_reply *ret)
{
        *ret = (struct core_reply){ 0 };
        p->submit(p->ctx, cmd, ret);
}

uint64_t port_now_ms(const struct port *p)
{
        return p->now_ms(p->ctx);
}

time_t port_wall(const struct port *p)
{
        return p->wall(p->ctx);
}

uint64_t port_real_ms(const struct port *p)
{
        return p->real_ms(p->ctx);
}

void port_log(const struct port *p, const char *level, const char *fmt, ...)
{
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        p->log(p->ctx, level, msg);
}
