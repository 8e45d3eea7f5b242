/* core.c: see core.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/core_priv.h"
#include "core/quiet.h"

void core_reply(struct core_reply *r, enum core_status st, const char *code,
                  const char *fmt, ...)
{
        va_list ap;

        if (!r)
                return;
        r->status = st;
        snprintf(r->code, sizeof(r->code), "%s", code);
        va_start(ap, fmt);
        vsnprintf(r->message, sizeof(r->message), fmt, ap);
        va_end(ap);
}

struct core_zone_snap core_zone_snapshot(const struct core *core, int zone,
                                         uint64_t now_ms)
{
        const struct core_zone *z = &core->zones[zone];

        return (struct core_zone_snap){
                .have_temp = z->safety.have_temp,
                .temp_c = z->safety.temp_c,
                .session = z->session.active,
                .setpoint_c = z->session.setpoint_c,
                .relay_on = z->relay_on,
                .duty = z->duty,
                .remaining_ms = session_remaining_ms(&z->session, now_ms),
                .cap_left_ms = session_cap_left_ms(&z->session,
                                                   z->cfg->max_minutes, now_ms),
                .fault = z->safety.fault,
        };
}

const char *core_source_name(enum core_source src)
{
        switch (src) {
        case SRC_CLI: return "cli";
        case SRC_HTTP: return "http";
        case SRC_MQTT: return "mqtt";
        case SRC_SCHEDULE: return "schedule";
        case SRC_BUTTON: return "button";
        default: return "core";
        }
}

void core_init(struct core *core, const struct config *cfg,
               const struct guidance_record *record,
               const struct schedule *schedule, uint64_t now_ms, time_t wall)
{
        memset(core, 0, sizeof(*core));
        core->cfg = cfg;
        core->nzones = cfg->nzones;
        if (record)
                core->record = *record;
        if (schedule)
                core->schedule = *schedule;
        core->now_ms = core->hold_saved_ms = now_ms;
        core->guidance_kind = guidance_evaluate(&core->record, now_ms,
                                                wall).kind;
        for (int i = 0; i < core->nzones; i++) {
                struct core_zone *z = &core->zones[i];
                z->cfg = &cfg->zones[i];
                pid_init(&z->pid, &z->cfg->pid);
                window_init(&z->window, &z->cfg->window);
                safety_init(&z->safety, &z->cfg->safety, now_ms);
                session_set_rest(&z->session,
                                 (uint64_t)z->cfg->rest_minutes * 60000);
                z->target_c = NAN;
                z->energy_saved_ms = now_ms;
        }
        core->now_ms = now_ms;
}

void core_set_localtime(struct core *core, tz_fn fn, void *ctx)
{
        core->tz = (struct tz){ .fn = fn, .ctx = ctx };
}

void core_restore_hold(struct core *core, long long left_s, uint64_t now_ms)
{
        core->now_ms = now_ms;
        guidance_restore(&core->record, left_s, now_ms);
}

void core_set_wall_trusted(struct core *core, bool trusted, uint64_t now_ms,
                           time_t wall)
{
        core->now_ms = now_ms;
        core->wall_trusted = trusted;
        if (!trusted || core->record.wall_folded)
                return;
        uint64_t before = core->record.hold_until_ms;
        guidance_fold_wall(&core->record, now_ms, wall);
        if (core->record.hold_until_ms != before)
                core->state_dirty = true;
}

long long core_hold_left_s(const struct core *core, uint64_t now_ms)
{
        return guidance_left_s(&core->record, now_ms);
}

void core_restore_fault(struct core *core, const char *zone_id,
                        enum safety_fault f)
{
        int i = config_find_zone(core->cfg, zone_id);
        if (i >= 0)
                safety_restore(&core->zones[i].safety, f);
}

int core_find_zone(const struct core *core, const char *name_or_id)
{
        return config_find_zone(core->cfg, name_or_id);
}

struct guidance core_guidance(const struct core *core, time_t wall)
{
        return guidance_evaluate(&core->record, core->now_ms, wall);
}

bool core_zone_ok(const struct core *core, int zone, struct core_reply *ret)
{
        if (zone >= 0 && zone < core->nzones)
                return true;
        core_reply(ret, CORE_NOT_FOUND, "unknown_zone", "there is no such zone");
        return false;
}

bool core_may_heat(const struct core *core, int zone, time_t wall,
                   struct core_reply *ret)
{
        const struct quiet_hours *q = &core->cfg->quiet;
        struct guidance g = core_guidance(core, wall);
        char when[48], from[8], to[8];

        if (!core_zone_ok(core, zone, ret))
                return false;
        switch (g.blocked_by) {
        case BLOCK_RECORD_UNREADABLE:
                core_reply(ret, CORE_REFUSED, "record_unreadable", "heat is "
                      "blocked: the stored record could not be read, so an "
                      "injury or a fault from before may be missing; confirm "
                      "there was no injury or swelling in the last 48 hours "
                      "and the pad is fine to allow heat again");
                return false;
        case BLOCK_URGENT_SIGNS:
                core_reply(ret, CORE_REFUSED, "urgent_signs", "heat is blocked: "
                      "the signs you reported need urgent care now, not "
                      "heat; clear them once you have been seen");
                return false;
        case BLOCK_WARNING_SIGNS:
                core_reply(ret, CORE_REFUSED, "warning_signs", "heat is blocked: "
                      "pain that persists or worsens, numbness or tingling "
                      "should be seen by a doctor first; clear the warning "
                      "signs once you have been seen");
                return false;
        case BLOCK_COLD_RULE:
                guidance_format_local(&core->tz, g.heat_allowed_at, when,
                                      sizeof(when));
                core_reply(ret, CORE_REFUSED, "cold_rule", "heat is blocked until "
                      "%s by the 48-hour cold rule: after a sudden injury or "
                      "swelling, use cold, not heat", when);
                return false;
        default:
                break;
        }
        if (quiet_active(q, &core->tz, wall)) {
                quiet_format_hhmm(q->start_min, from);
                quiet_format_hhmm(q->end_min, to);
                guidance_format_local(&core->tz, quiet_ends_at(q, &core->tz,
                                      wall), when, sizeof(when));
                core_reply(ret, CORE_REFUSED, "quiet_hours", "it is quiet hours "
                      "(%s-%s): heat can start again at %s", from, to, when);
                return false;
        }
        const struct core_zone *z = &core->zones[zone];
        if (z->safety.fault != FAULT_NONE) {
                core_reply(ret, CORE_REFUSED, "fault_latched", "%s has a fault "
                      "(%s): %s", z->cfg->name,
                      safety_fault_name(z->safety.fault),
                      safety_fault_help(z->safety.fault));
                return false;
        }
        return true;
}

/* Commands and ticks tell the core the time; a session that ends inside a
 * command without one (a recorded injury) ends at the latest seen. */
void core_saw_time(struct core *core, uint64_t now_ms)
{
        if (now_ms > core->now_ms)
                core->now_ms = now_ms;
}

/* Whether a fresh session may start: not while the zone's continuous
 * exposure cap is used up and it has not rested. */
bool core_rested(const struct core *core, int zone, uint64_t now_ms,
                   time_t wall, struct core_reply *ret)
{
        const struct core_zone *z = &core->zones[zone];
        const struct zone_cfg *c = z->cfg;
        char when[48];

        if (z->session.active ||
            session_cap_left_ms(&z->session, c->max_minutes, now_ms) >= 60000)
                return true;
        uint64_t fresh = session_fresh_at_ms(&z->session, now_ms);
        guidance_format_local(&core->tz,
                              wall + (time_t)((fresh - now_ms + 999) / 1000),
                              when, sizeof(when));
        core_reply(ret, CORE_REFUSED, "resting", "%s has given %d min of heat "
              "with less than %d min of rest between sessions; a fresh "
              "session is possible at %s", c->name, c->max_minutes,
              c->rest_minutes, when);
        return false;
}

static void set_relay(struct core *core, int i, bool on)
{
        struct core_zone *z = &core->zones[i];

        if (z->relay_on == on)
                return;
        z->relay_on = on;
        core_emit(core, EV_RELAY, i, SRC_CORE, on ? "on" : "off");
}

void core_end_session(struct core *core, int i, enum core_source src,
                        const char *reason)
{
        struct core_zone *z = &core->zones[i];

        if (!z->session.active)
                return;
        session_stop(&z->session, core->now_ms);
        /* The plan as it last stood: a change moves the end, a new target
         * the setpoint. */
        int planned = (int)((z->session.ends_ms - z->session.began_ms +
                             30000) / 60000);
        if (session_log_end(&z->log, core->now_ms, reason,
                            planned > 0 ? planned : 1, z->session.setpoint_c))
                core->state_dirty = true;
        if (z->cfg->power_w > 0) {
                z->energy_saved_ms = core->now_ms;
                core->state_dirty = true;
        }
        window_reset(&z->window);
        z->heatup.phase = HU_DONE;
        if (z->learned.valid) {
                z->learned.valid = false;
                core_fit_window(core, i, z->session.setpoint_c);
        }
        z->duty = 0;
        set_relay(core, i, false);
        core_emit(core, EV_SESSION_END, i, src, reason);
        if (z->autotuning) {
                /* Stopped, timed out or faulted before it finished. */
                z->autotuning = false;
                z->autotune.phase = AT_FAILED;
                z->autotune.why = reason;
                core_emit(core, EV_AUTOTUNE, i, src, "failed");
        }
}

void core_start(struct core *core, int zone, int minutes, double setpoint_c,
                enum core_source src, uint64_t now_ms, time_t wall,
                struct core_reply *ret)
{
        core->now_ms = now_ms;
        if (!core_zone_ok(core, zone, ret))
                return;
        core_saw_time(core, now_ms);
        struct core_zone *z = &core->zones[zone];
        const struct zone_cfg *c = z->cfg;

        bool given = !isnan(setpoint_c);
        if (minutes <= 0)
                minutes = core_minutes(core, zone);
        if (!given)
                setpoint_c = core_target_c(core, zone);
        if (minutes > c->max_minutes) {
                core_reply(ret, CORE_INVALID, "out_of_range", "minutes must be "
                      "between 1 and %d", c->max_minutes);
                return;
        }
        if (!(setpoint_c >= c->min_setpoint_c &&
              setpoint_c <= c->max_setpoint_c)) {
                core_reply(ret, CORE_INVALID, "out_of_range", "setpoint must be "
                      "between %g and %g C", c->min_setpoint_c,
                      c->max_setpoint_c);
                return;
        }
        if (!core_may_heat(core, zone, wall, ret))
                return;
        if (z->autotuning) {
                core_reply(ret, CORE_REFUSED, "autotune_running", "%s is being "
                      "autotuned; stop it first", c->name);
                return;
        }

        if (!core_rested(core, zone, now_ms, wall, ret))
                return;

        bool was_active = z->session.active;
        if (given && !(z->target_c == setpoint_c)) {
                z->target_c = setpoint_c;
                core->state_dirty = true;
        }
        uint64_t left = session_start(&z->session, minutes, setpoint_c,
                                      c->max_minutes, now_ms);
        if (!was_active && z->session.active)
                session_log_begin(&z->log, wall, now_ms, core_source_name(src),
                                  c->power_w, z->safety.have_temp,
                                  z->safety.temp_c);
        if (!was_active) {
                /* Bumpless: no derivative kick, no inherited integral. */
                pid_reset(&z->pid, 0.0);
                window_reset(&z->window);
        }
        safety_session_started(&z->safety, now_ms);
        if (z->tuning.valid)
                core_fit_window(core, zone, setpoint_c);
        /* With a model, a start far below the setpoint is a heat-up at full
         * power that cuts early and coasts in (heatup.h). */
        enum heatup_phase was_phase = z->heatup.phase;
        z->heatup.phase = HU_DONE;
        if (z->tuning.valid && z->safety.have_temp) {
                heatup_begin(&z->heatup, &z->tuning.model, setpoint_c,
                             z->safety.temp_c, now_ms);
        } else if (was_active && z->heatup.learning && was_phase != HU_DONE) {
                /* A change during a learning heat-up keeps what the rise
                 * taught: started afresh mid-ramp, it would read the ramp
                 * as its baseline. */
                z->heatup.phase = was_phase;
                heatup_retarget(&z->heatup, NULL, setpoint_c,
                                z->safety.temp_c, now_ms);
        } else if (c->power_w > 0 && z->safety.have_temp && !was_active) {
                heatup_begin_learning(&z->heatup, setpoint_c,
                                      z->safety.temp_c, now_ms);
        }
        unsigned long long left_min = (left + 59999) / 60000;
        if (left_min < (unsigned long long)minutes)
                core_reply(ret, CORE_OK, "ok", "%s: heating to %.1f C for %llu "
                      "min, all that is left of its %d min before a %d min "
                      "rest", c->name, setpoint_c, left_min, c->max_minutes,
                      c->rest_minutes);
        else
                core_reply(ret, CORE_OK, "ok", "%s: heating to %.1f C for %llu min",
                      c->name, setpoint_c, left_min);
        core_emit(core, EV_SESSION_START, zone, src, was_active ? "changed" : NULL);
}

double core_target_c(const struct core *core, int zone)
{
        const struct core_zone *z = &core->zones[zone];
        return isnan(z->target_c) ? z->cfg->default_setpoint_c : z->target_c;
}

int core_minutes(const struct core *core, int zone)
{
        const struct core_zone *z = &core->zones[zone];
        return z->minutes > 0 ? z->minutes : z->cfg->default_minutes;
}

void core_set_target(struct core *core, int zone, double setpoint_c,
                     enum core_source src, uint64_t now_ms,
                     struct core_reply *ret)
{
        core_saw_time(core, now_ms);
        if (!core_zone_ok(core, zone, ret))
                return;
        struct core_zone *z = &core->zones[zone];
        const struct zone_cfg *c = z->cfg;

        if (!(setpoint_c >= c->min_setpoint_c &&
              setpoint_c <= c->max_setpoint_c)) {
                core_reply(ret, CORE_INVALID, "out_of_range", "setpoint must be "
                      "between %g and %g C", c->min_setpoint_c,
                      c->max_setpoint_c);
                return;
        }
        if (!(z->target_c == setpoint_c)) {
                z->target_c = setpoint_c;
                core->state_dirty = true;
        }
        /* An autotune's setpoint is the experiment's, not the person's. */
        if (!z->session.active || z->autotuning) {
                core_reply(ret, CORE_OK, "ok", "%s: will heat to %.1f C when "
                      "turned on", c->name, setpoint_c);
                return;
        }
        /* The setpoint only: the session ends when it was going to. */
        z->session.setpoint_c = setpoint_c;
        if (z->heatup.phase != HU_DONE && z->safety.have_temp)
                heatup_retarget(&z->heatup, &z->tuning.model, setpoint_c,
                                z->safety.temp_c, now_ms);
        unsigned long long left_min =
                (session_remaining_ms(&z->session, now_ms) + 59999) / 60000;
        core_reply(ret, CORE_OK, "ok", "%s: heating to %.1f C, %llu min left",
              c->name, setpoint_c, left_min);
        core_emit(core, EV_SESSION_START, zone, src, "changed");
}

void core_set_minutes(struct core *core, int zone, int minutes,
                      enum core_source src, uint64_t now_ms, time_t wall,
                      struct core_reply *ret)
{
        core_saw_time(core, now_ms);
        if (!core_zone_ok(core, zone, ret))
                return;
        struct core_zone *z = &core->zones[zone];
        const struct zone_cfg *c = z->cfg;

        if (minutes < 1 || minutes > c->max_minutes) {
                core_reply(ret, CORE_INVALID, "out_of_range", "minutes must be "
                      "between 1 and %d", c->max_minutes);
                return;
        }
        if (z->session.active && !z->autotuning) {
                core_start(core, zone, minutes, z->session.setpoint_c, src,
                           now_ms, wall, ret);
                if (ret && ret->status != CORE_OK)
                        return;
        }
        if (z->minutes != minutes) {
                z->minutes = minutes;
                core->state_dirty = true;
        }
        if (!z->session.active)
                core_reply(ret, CORE_OK, "ok", "%s: sessions last %d min", c->name,
                      minutes);
}

int core_restore_zone(struct core *core, int zone, double target_c,
                      int minutes, double energy_wh)
{
        struct core_zone *z = &core->zones[zone];
        const struct zone_cfg *c = z->cfg;
        int ignored = 0;

        if (!isnan(target_c)) {
                if (target_c >= c->min_setpoint_c &&
                    target_c <= c->max_setpoint_c)
                        z->target_c = target_c;
                else
                        ignored++;
        }
        if (minutes > 0) {
                if (minutes <= c->max_minutes)
                        z->minutes = minutes;
                else
                        ignored++;
        }
        if (energy_wh >= 0 && isfinite(energy_wh))
                z->energy_wh = energy_wh;
        return ignored;
}

void core_stop(struct core *core, int zone, enum core_source src,
               uint64_t now_ms, struct core_reply *ret)
{
        core_saw_time(core, now_ms);
        if (!core_zone_ok(core, zone, ret))
                return;
        core_end_session(core, zone, src, "stopped");
        core_reply(ret, CORE_OK, "ok", "%s: off", core->zones[zone].cfg->name);
}

void core_clear_fault(struct core *core, int zone, enum core_source src,
                      uint64_t now_ms, struct core_reply *ret)
{
        if (!core_zone_ok(core, zone, ret))
                return;
        core_saw_time(core, now_ms);
        struct core_zone *z = &core->zones[zone];
        enum safety_fault f = z->safety.fault;

        if (f == FAULT_NONE) {
                core_reply(ret, CORE_OK, "ok", "%s has no fault", z->cfg->name);
                return;
        }
        if (safety_clear(&z->safety, now_ms) < 0) {
                core_reply(ret, CORE_REFUSED, "fault_persists", "%s: the %s "
                      "condition is still there: %s", z->cfg->name,
                      safety_fault_name(f), safety_fault_help(f));
                return;
        }
        core->state_dirty = true;
        core_reply(ret, CORE_OK, "ok", "%s: fault %s cleared", z->cfg->name,
              safety_fault_name(f));
        core_emit(core, EV_FAULT_CLEARED, zone, src, safety_fault_name(f));
}
void core_set_schedule(struct core *core, const struct schedule *s,
                       enum core_source src, struct core_reply *ret)
{
        core->schedule = *s;
        core->state_dirty = true;
        core_emit(core, EV_SCHEDULE, -1, src, NULL);
        core_reply(ret, CORE_OK, "ok", "schedule set: %d entr%s", s->n,
              s->n == 1 ? "y" : "ies");
}

void core_run_schedule(struct core *core, time_t from, time_t to,
                       bool clock_trusted, uint64_t now_ms)
{
        int due[SCHEDULE_MAX];
        int n = schedule_due(&core->schedule, &core->tz, from, to, due,
                             SCHEDULE_MAX);

        for (int i = 0; i < n; i++) {
                const struct schedule_entry *e = &core->schedule.e[due[i]];
                int zone = config_find_zone(core->cfg, e->zone_id);
                struct core_reply rep;

                if (!clock_trusted)
                        core_reply(&rep, CORE_REFUSED, "clock_untrusted", "the "
                              "clock is not synchronised yet, so the %02d:%02d "
                              "schedule was skipped", e->start_min / 60,
                              e->start_min % 60);
                else
                        core_start(core, zone, e->minutes, e->setpoint_c,
                                   SRC_SCHEDULE, now_ms, to, &rep);
                core_emit_detail(core, EV_SCHEDULE_RUN, zone, SRC_SCHEDULE,
                                 rep.status == CORE_OK ? "started" : rep.code,
                                 rep.message);
        }
}

void core_post_reading(struct core *core, int zone, int err, double temp_c)
{
        if (zone < 0 || zone >= core->nzones)
                return;
        struct core_zone *z = &core->zones[zone];
        z->pending = true;
        z->pending_error = err != 0;
        z->pending_c = temp_c;
}

void core_post_reading2(struct core *core, int zone, int err, double temp_c)
{
        if (zone < 0 || zone >= core->nzones)
                return;
        struct core_zone *z = &core->zones[zone];
        z->pending2 = true;
        z->pending2_error = err != 0;
        z->pending2_c = temp_c;
}

static void latch_fault(struct core *core, int i)
{
        struct core_zone *z = &core->zones[i];

        core->state_dirty = true;       /* the latch survives a restart */
        /* Off first, then the session's end and the fault's name. */
        set_relay(core, i, false);
        core_end_session(core, i, SRC_CORE, "fault");
        z->duty = 0;
        window_reset(&z->window);
        core_emit(core, EV_FAULT, i, SRC_CORE, safety_fault_name(z->safety.fault));
}

void core_relay_failed(struct core *core, int zone, uint64_t now_ms)
{
        core_saw_time(core, now_ms);
        if (zone < 0 || zone >= core->nzones)
                return;
        struct core_zone *z = &core->zones[zone];
        bool had = z->safety.fault != FAULT_NONE;
        safety_relay_failed(&z->safety);
        safety_relay_failing(&z->safety, true);
        if (!had)
                latch_fault(core, zone);
}

void core_relay_ok(struct core *core, int zone)
{
        if (zone >= 0 && zone < core->nzones)
                safety_relay_failing(&core->zones[zone].safety, false);
}

static double c_power(const struct core_zone *z)
{
        return z->cfg->power_w;
}

/* A heat-up's coast has peaked: PID takes over from the duty that holds
 * the setpoint (bumpless, no derivative kick), its first window capped so
 * it does not land on the peak. A learned model sets this session's window
 * and gains first. */
static void hand_over(struct core *core, int i)
{
        struct core_zone *z = &core->zones[i];

        if (z->heatup.learning) {
                z->learned.valid = true;
                heatup_learned_model(&z->heatup, &z->learned.model);
                core_fit_window(core, i, z->session.setpoint_c);
        }
        pid_reset(&z->pid, heatup_start_duty(&z->heatup));
        window_reset(&z->window);
        double win_s = (double)z->window.p.window_ms / 1000.0;
        double u = heatup_hold_duty(&z->heatup.m, z->session.setpoint_c);
        /* A sawtooth whose top would reach the above-target cut starts
         * with half an off-time: the hand-over comes at the coast's peak,
         * and a pulse at once would put the first top a whole swing above
         * it (on a light pad at 40 switches an hour the pad's RMS over the
         * first 15 minutes in the band went 0.83 -> 0.76 C). Smaller
         * ripples start at once: the integral gathered while held off
         * only made the first pulse overshoot (heavy pad 1.01 -> 1.27
         * times the bound). */
        double off_s = z->ripple_c >= 2 * CORE_ABOVE_TARGET_OFF_C ?
                       (1.0 - u) * win_s / 2.0 : 0;
        window_preset(&z->window, heatup_first_duty(&z->heatup.m,
                      z->session.setpoint_c, win_s),
                      (uint64_t)(off_s * 1000.0));
}

static void tick_zone(struct core *core, int i, uint64_t now_ms, time_t wall,
                      const struct guidance *g)
{
        struct core_zone *z = &core->zones[i];
        enum safety_fault before = z->safety.fault;
        struct safety_input in = {
                .have_reading = z->pending,
                .read_error = z->pending_error,
                .temp_c = z->pending_c,
                .relay_on = z->relay_on,
                .duty = z->duty,
                /* An autotune letting a warm pad cool first is not heating:
                 * its relay is off and the pad is meant to fall. */
                .heating = z->session.active &&
                           !(z->autotuning && z->autotune.phase == AT_COOL),
                .setpoint_c = z->session.setpoint_c,
                .have_reading2 = z->pending2,
                .read_error2 = z->pending2_error,
                .temp2_c = z->pending2_c,
        };
        double dt_s = z->ticked ? (double)(now_ms - z->last_tick_ms) / 1000 : 0;
        uint64_t dt_ms = z->ticked ? now_ms - z->last_tick_ms : 0;

        z->pending = z->pending2 = false;
        z->last_tick_ms = now_ms;
        z->ticked = true;
        /* The relay was what it is since the last tick. */
        if (z->relay_on)
                session_log_on(&z->log, dt_ms);
        if (z->relay_on && dt_s > 0 && c_power(z) > 0) {
                z->energy_wh += c_power(z) * dt_s / 3600.0;
                if (now_ms - z->energy_saved_ms >= CORE_ENERGY_SAVE_MS) {
                        z->energy_saved_ms = now_ms;
                        core->state_dirty = true;
                }
        }

        enum safety_fault verdict = safety_check(&z->safety, &in, now_ms);
        /* The peak includes the reading that ends the session. */
        if (z->safety.have_temp)
                session_log_saw(&z->log, z->safety.temp_c);
        if (verdict != FAULT_NONE) {
                if (before == FAULT_NONE)
                        latch_fault(core, i);
        } else if (session_expired(&z->session, now_ms)) {
                core_end_session(core, i, SRC_CORE, "time_up");
        } else if (z->session.active &&
                   quiet_active(&core->cfg->quiet, &core->tz, wall)) {
                core_end_session(core, i, SRC_CORE, "quiet_hours");
        } else if (z->session.active && g->heat_blocked) {
                core_end_session(core, i, SRC_CORE,
                            guidance_block_name(g->blocked_by));
        }

        bool on = false;
        z->duty = 0;
        /* No heat before the first valid reading: PID needs a real
         * temperature, and the sensor timeout covers one that never comes. */
        if (z->session.active && z->safety.fault == FAULT_NONE &&
            z->safety.have_temp) {
                if (z->autotuning) {
                        bool cooling = z->autotune.phase == AT_COOL;
                        on = autotune_update(&z->autotune, z->safety.temp_c,
                                             now_ms, wall);
                        /* Heating starts now: the heat-up checks afresh. */
                        if (cooling && z->autotune.phase != AT_COOL)
                                safety_session_started(&z->safety, now_ms);
                        z->duty = on;
                        set_relay(core, i, on);
                        if (z->autotune.phase == AT_DONE ||
                            z->autotune.phase == AT_FAILED)
                                core_finish_autotune(core, i);
                        return;
                }
                if (z->heatup.phase != HU_DONE) {
                        enum heatup_phase ph = heatup_update(&z->heatup,
                                        z->safety.temp_c, now_ms);
                        if (ph != HU_DONE) {
                                z->duty = ph == HU_FULL;
                                set_relay(core, i, ph == HU_FULL);
                                return;
                        }
                        if (!z->heatup.learning || z->heatup.learned)
                                hand_over(core, i);
                }
                z->duty = pid_update(&z->pid, z->session.setpoint_c,
                                     z->safety.temp_c, dt_s);
                on = window_update(&z->window, z->duty, now_ms);
                /* The window plans from a smoothed duty, to spare the
                 * relay; a pad that reads clearly above its target gets no
                 * more heat whatever the plan says. */
                if (on && z->safety.temp_c >= z->session.setpoint_c +
                                               CORE_ABOVE_TARGET_OFF_C) {
                        on = false;
                        window_cut(&z->window, now_ms);
                }
        }
        set_relay(core, i, on);
}

/* While the window runs its seconds left go to the state file now and
 * then, and once more when it ends. */
static void refresh_hold(struct core *core, uint64_t now_ms)
{
        const struct guidance_record *r = &core->record;

        if (!r->acute || core->hold_saved_ms >= r->hold_until_ms)
                return;
        if (now_ms >= r->hold_until_ms ||
            now_ms - core->hold_saved_ms >= CORE_HOLD_SAVE_MS) {
                core->hold_saved_ms = now_ms;
                core->state_dirty = true;
        }
}

void core_tick(struct core *core, uint64_t now_ms, time_t wall)
{
        core_saw_time(core, now_ms);
        refresh_hold(core, now_ms);
        struct guidance g = core_guidance(core, wall);

        if (g.kind != core->guidance_kind) {
                core->guidance_kind = g.kind;
                core_emit(core, EV_GUIDANCE, -1, SRC_CORE, guidance_kind_name(g.kind));
        }
        for (int i = 0; i < core->nzones; i++)
                tick_zone(core, i, now_ms, wall, &g);
}

void core_shutdown(struct core *core, uint64_t now_ms)
{
        core_saw_time(core, now_ms);
        /* A clean stop writes the window's exact seconds left. */
        if (guidance_left_s(&core->record, now_ms) > 0)
                core->state_dirty = true;
        for (int i = 0; i < core->nzones; i++) {
                set_relay(core, i, false);
                core_end_session(core, i, SRC_CORE, "shutdown");
        }
}

/* Every zone off; never refused (stopping an idle zone is not an error). */
static void stop_all(struct core *core, enum core_source src, uint64_t now_ms,
                     struct core_reply *ret)
{
        struct core_reply rep;

        for (int i = 0; i < core->nzones; i++)
                core_stop(core, i, src, now_ms, &rep);
        core_reply(ret, CORE_OK, "ok", "every zone: off");
}

/* A zone's command and its answer, as the zone's last result. */
static void note_last(struct core *core, int zone, const struct core_cmd *c,
                      const struct core_reply *rep, time_t wall)
{
        struct core_last_cmd *l = &core->zones[zone].last_cmd;

        l->seq++;
        if (l->seq == 0)
                l->seq = 1;
        l->src = c->src;
        l->kind = c->kind;
        l->status = rep->status;
        snprintf(l->code, sizeof(l->code), "%s", rep->code);
        snprintf(l->message, sizeof(l->message), "%s", rep->message);
        l->at = wall;
}

static bool zone_cmd(enum core_cmd_kind k)
{
        return k == CMD_START || k == CMD_STOP || k == CMD_CLEAR_FAULT ||
               k == CMD_SET_TARGET || k == CMD_SET_MINUTES ||
               k == CMD_AUTOTUNE;
}

static void submit(struct core *core, const struct core_cmd *c,
                   uint64_t now_ms, time_t wall, struct core_reply *ret);

void core_submit(struct core *core, const struct core_cmd *c,
                 uint64_t now_ms, time_t wall, struct core_reply *ret)
{
        submit(core, c, now_ms, wall, ret);
        if (c->kind == CMD_STOP_ALL) {
                for (int i = 0; i < core->nzones; i++)
                        note_last(core, i, c, ret, wall);
        } else if (zone_cmd(c->kind) && c->zone >= 0 &&
                   c->zone < core->nzones) {
                note_last(core, c->zone, c, ret, wall);
        }
}

static void submit(struct core *core, const struct core_cmd *c,
                   uint64_t now_ms, time_t wall, struct core_reply *ret)
{
        switch (c->kind) {
        case CMD_START:
                core_start(core, c->zone, c->minutes, c->setpoint_c, c->src,
                           now_ms, wall, ret);
                break;
        case CMD_STOP:
                core_stop(core, c->zone, c->src, now_ms, ret);
                break;
        case CMD_STOP_ALL:
                stop_all(core, c->src, now_ms, ret);
                break;
        case CMD_CLEAR_FAULT:
                core_clear_fault(core, c->zone, c->src, now_ms, ret);
                break;
        case CMD_RECORD_ACUTE:
                core_record_acute(core, c->at, c->injury, c->swelling, c->src,
                                  now_ms, wall, ret);
                break;
        case CMD_WARNING_SIGNS:
                core_set_warning_signs(core, c->pain_worsening, c->nerve_signs,
                                       c->urgent_signs, c->src, wall, ret);
                break;
        case CMD_CLEAR_RECORD:
                core_clear_record(core, c->src, wall, ret);
                break;
        case CMD_CONFIRM_SAFE:
                core_confirm_safe(core, c->src, wall, ret);
                break;
        case CMD_SET_SCHEDULE:
                if (!c->schedule) {
                        core_reply(ret, CORE_INVALID, "bad_request",
                                   "no schedule given");
                        break;
                }
                core_set_schedule(core, c->schedule, c->src, ret);
                break;
        case CMD_SET_TARGET:
                core_set_target(core, c->zone, c->setpoint_c, c->src, now_ms,
                                ret);
                break;
        case CMD_SET_MINUTES:
                core_set_minutes(core, c->zone, c->minutes, c->src, now_ms,
                                 wall, ret);
                break;
        case CMD_AUTOTUNE:
                core_autotune_start(core, c->zone, c->src, now_ms, wall, ret);
                break;
        default:
                core_reply(ret, CORE_INVALID, "bad_request", "unknown command");
                break;
        }
}
