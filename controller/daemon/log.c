/* log.c: see log.h. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "daemon/log.h"

static const char *event_name(enum core_event_type t)
{
        switch (t) {
        case EV_SESSION_START: return "session_start";
        case EV_SESSION_END: return "session_end";
        case EV_RELAY: return "relay";
        case EV_FAULT: return "fault";
        case EV_FAULT_CLEARED: return "fault_cleared";
        case EV_GUIDANCE: return "guidance";
        case EV_RECORD: return "record";
        case EV_AUTOTUNE: return "autotune";
        case EV_SCHEDULE: return "schedule";
        case EV_SCHEDULE_RUN: return "schedule_run";
        }
        return "event";
}

static void stamp(time_t wall, char *buf, size_t len)
{
        struct tm tm;
        localtime_r(&wall, &tm);
        strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
}

static void emit_json(const struct log *lg, cJSON *o)
{
        char *s = cJSON_PrintUnformatted(o);
        if (s) {
                fprintf(lg->out, "%s\n", s);
                free(s);
        }
        fflush(lg->out);
        cJSON_Delete(o);
}

static cJSON *json_base(const char *event, uint64_t now_ms, time_t wall)
{
        char ts[32];
        cJSON *o = cJSON_CreateObject();

        stamp(wall, ts, sizeof(ts));
        cJSON_AddStringToObject(o, "ts", ts);
        cJSON_AddNumberToObject(o, "wall", (double)wall);
        cJSON_AddNumberToObject(o, "mono_ms", (double)now_ms);
        cJSON_AddStringToObject(o, "event", event);
        return o;
}

static void add_zone(cJSON *o, const struct core *core, int i, uint64_t now_ms)
{
        const struct core_zone *z = &core->zones[i];

        cJSON_AddStringToObject(o, "zone", z->cfg->name);
        cJSON_AddStringToObject(o, "zone_id", z->cfg->id);
        if (z->safety.have_temp)
                cJSON_AddNumberToObject(o, "temp_c", z->safety.temp_c);
        else
                cJSON_AddNullToObject(o, "temp_c");
        if (z->session.active)
                cJSON_AddNumberToObject(o, "setpoint_c", z->session.setpoint_c);
        else
                cJSON_AddNullToObject(o, "setpoint_c");
        cJSON_AddBoolToObject(o, "relay", z->relay_on);
        cJSON_AddBoolToObject(o, "session", z->session.active);
        cJSON_AddNumberToObject(o, "remaining_s",
                (double)(session_remaining_ms(&z->session, now_ms) / 1000));
        cJSON_AddNumberToObject(o, "duty", round(z->duty * 1000) / 1000);
        cJSON_AddNumberToObject(o, "cap_left_s", (double)(session_cap_left_ms(
                &z->session, z->cfg->max_minutes, now_ms) / 1000));
        if (z->safety.fault != FAULT_NONE)
                cJSON_AddStringToObject(o, "fault",
                                        safety_fault_name(z->safety.fault));
        else
                cJSON_AddNullToObject(o, "fault");
}

static void text_zone(const struct log *lg, const struct core *core, int i,
                      uint64_t now_ms, char *buf, size_t len)
{
        const struct core_zone *z = &core->zones[i];
        uint64_t left = session_remaining_ms(&z->session, now_ms) / 1000;
        int n;

        (void)lg;
        if (z->safety.have_temp)
                n = snprintf(buf, len, "%.2f C", z->safety.temp_c);
        else
                n = snprintf(buf, len, "no reading yet");
        if (n < 0 || (size_t)n >= len)
                return;
        uint64_t cap = session_cap_left_ms(&z->session, z->cfg->max_minutes,
                                           now_ms) / 1000;
        if (z->session.active)
                snprintf(buf + n, len - (size_t)n, " -> %.1f C, relay %s, "
                         "%llu:%02llu left (%llu min before a rest)",
                         z->session.setpoint_c, z->relay_on ? "on" : "off",
                         (unsigned long long)(left / 60),
                         (unsigned long long)(left % 60),
                         (unsigned long long)(cap / 60));
        else
                snprintf(buf + n, len - (size_t)n, ", idle, relay %s",
                         z->relay_on ? "on" : "off");
}

static void text_line(const struct log *lg, time_t wall, const char *who,
                      const char *what, const char *detail)
{
        char ts[32];
        stamp(wall, ts, sizeof(ts));
        fprintf(lg->out, "%s %s: %s%s%s\n", ts + 11, who, what,
                detail && *detail ? " | " : "", detail ? detail : "");
        fflush(lg->out);
}

void log_event(const struct log *lg, const struct core *core,
               const struct core_event *ev, uint64_t now_ms, time_t wall)
{
        const char *reason = ev->reason ? ev->reason : "";
        char what[160], detail[128] = "";

        if (lg->json) {
                cJSON *o = json_base(event_name(ev->type), now_ms, wall);
                if (ev->zone >= 0)
                        add_zone(o, core, ev->zone, now_ms);
                cJSON_AddStringToObject(o, "source",
                                        core_source_name(ev->source));
                if (ev->reason)
                        cJSON_AddStringToObject(o, "reason", ev->reason);
                if (ev->detail)
                        cJSON_AddStringToObject(o, "detail", ev->detail);
                if (ev->type == EV_GUIDANCE || ev->type == EV_RECORD)
                        cJSON_AddStringToObject(o, "guidance",
                                guidance_kind_name(core->guidance_kind));
                emit_json(lg, o);
                return;
        }

        const struct core_zone *z = ev->zone >= 0 ? &core->zones[ev->zone] : NULL;
        switch (ev->type) {
        case EV_SESSION_START:
                snprintf(what, sizeof(what), "session %s (%s)",
                         ev->reason ? "changed" : "started",
                         core_source_name(ev->source));
                break;
        case EV_SESSION_END:
                snprintf(what, sizeof(what), "session ended: %s", reason);
                break;
        case EV_RELAY:
                snprintf(what, sizeof(what), "relay %s", reason);
                break;
        case EV_FAULT:
                snprintf(what, sizeof(what), "FAULT %s: %s", reason,
                         safety_fault_help(z->safety.fault));
                break;
        case EV_FAULT_CLEARED:
                snprintf(what, sizeof(what), "fault %s cleared", reason);
                break;
        case EV_GUIDANCE:
                snprintf(what, sizeof(what), "guidance is now %s: %s", reason,
                         guidance_title(core->guidance_kind));
                break;
        case EV_RECORD:
                snprintf(what, sizeof(what), "record changed (%s, %s)", reason,
                         core_source_name(ev->source));
                break;
        case EV_AUTOTUNE:
                snprintf(what, sizeof(what), "autotune %s", reason);
                break;
        case EV_SCHEDULE:
                snprintf(what, sizeof(what), "schedule replaced (%s): %d "
                         "entries", core_source_name(ev->source),
                         core->schedule.n);
                break;
        case EV_SCHEDULE_RUN:
                snprintf(what, sizeof(what), "scheduled session %s%s%s",
                         strcmp(reason, "started") == 0 ? "started" : "skipped",
                         ev->detail && strcmp(reason, "started") ? ": " : "",
                         ev->detail && strcmp(reason, "started") ? ev->detail : "");
                break;
        }
        if (z)
                text_zone(lg, core, ev->zone, now_ms, detail, sizeof(detail));
        text_line(lg, wall, z ? z->cfg->name : "heatpad", what, detail);
}

void log_status(const struct log *lg, const struct core *core, int zone,
                uint64_t now_ms, time_t wall)
{
        char detail[128];

        if (lg->json) {
                cJSON *o = json_base("status", now_ms, wall);
                add_zone(o, core, zone, now_ms);
                emit_json(lg, o);
                return;
        }
        text_zone(lg, core, zone, now_ms, detail, sizeof(detail));
        text_line(lg, wall, core->zones[zone].cfg->name, "status", detail);
}

void log_loop(const struct log *lg, const struct tickstat *ts,
              uint64_t now_ms, time_t wall)
{
        double p50 = tickstat_quantile(ts, 0.5), p99 = tickstat_quantile(ts, 0.99);
        char detail[128];

        if (lg->json) {
                cJSON *o = json_base("loop", now_ms, wall);
                cJSON_AddNumberToObject(o, "ticks", (double)ts->count);
                cJSON_AddNumberToObject(o, "late_p50_ms", round(p50 * 1000) / 1000);
                cJSON_AddNumberToObject(o, "late_p99_ms", round(p99 * 1000) / 1000);
                cJSON_AddNumberToObject(o, "late_max_ms",
                                        round(ts->max_ms * 1000) / 1000);
                emit_json(lg, o);
                return;
        }
        snprintf(detail, sizeof(detail), "%llu tick%s, late by p50 %.2f ms, "
                 "p99 %.2f ms, max %.2f ms", (unsigned long long)ts->count,
                 ts->count == 1 ? "" : "s", p50, p99, ts->max_ms);
        text_line(lg, wall, "heatpad", "control loop", detail);
}

void log_msg(const struct log *lg, time_t wall, const char *level,
             const char *fmt, ...)
{
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (lg->json) {
                cJSON *o = json_base("log", 0, wall);
                cJSON_AddStringToObject(o, "level", level);
                cJSON_AddStringToObject(o, "msg", msg);
                emit_json(lg, o);
                return;
        }
        text_line(lg, wall, "heatpad", level[0] == 'i' ? msg : level, 
                  level[0] == 'i' ? NULL : msg);
}

void log_sim_control(const struct log *lg, const char *path, uint64_t now_ms,
                     time_t wall)
{
        if (lg->json) {
                cJSON *o = json_base("sim_control", now_ms, wall);
                cJSON_AddStringToObject(o, "path", path);
                emit_json(lg, o);
                return;
        }
        char msg[320];
        snprintf(msg, sizeof(msg), "simulation control socket on %s: virtual "
                 "time moves only as commanded", path);
        text_line(lg, wall, "heatpad", msg, NULL);
}
