/* core_record.c: the person's record (an acute injury or swelling, the
 * warning signs, the confirmation that the record was safe to keep) and
 * the schedule, as core commands. See core.h. */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/core_priv.h"

static void record_changed(struct core *core, enum core_source src,
                           const char *what, time_t wall)
{
        core->state_dirty = true;
        core_emit(core, EV_RECORD, -1, src, what);
        enum guidance_kind k = core_guidance(core, wall).kind;
        if (k != core->guidance_kind) {
                core->guidance_kind = k;
                core_emit(core, EV_GUIDANCE, -1, src, guidance_kind_name(k));
        }
}

void core_record_acute(struct core *core, time_t at, bool injury,
                       bool swelling, enum core_source src, uint64_t now_ms,
                       time_t wall, struct core_reply *ret)
{
        char when[48];

        core->now_ms = now_ms;
        if (!injury && !swelling) {
                core_reply(ret, CORE_INVALID, "bad_request", "say whether it was a "
                      "sudden injury, visible swelling, or both");
                return;
        }
        if (at > wall + 60) {
                core_reply(ret, CORE_INVALID, "out_of_range", "the time it happened "
                      "cannot be in the future");
                return;
        }
        /* What the state file can hold (and read back). */
        if (at < wall - 30L * 86400 || (long long)at < GUIDANCE_TIME_MIN ||
            (long long)at > GUIDANCE_TIME_MAX) {
                core_reply(ret, CORE_INVALID, "out_of_range", "the time it happened "
                      "must be within the last 30 days");
                return;
        }
        core->record.acute = true;
        core->record.acute_at = at;
        core->record.injury = injury;
        core->record.swelling = swelling;
        guidance_hold(&core->record, at, core->wall_trusted, now_ms, wall);
        core->hold_saved_ms = now_ms;
        for (int i = 0; i < core->nzones; i++)
                core_end_session(core, i, src, "cold_rule");
        record_changed(core, src, "acute", wall);
        struct guidance g = core_guidance(core, wall);
        if (g.blocked_by == BLOCK_COLD_RULE) {
                guidance_format_local(&core->tz, g.heat_allowed_at, when,
                                      sizeof(when));
                core_reply(ret, CORE_OK, "ok", "recorded: use cold, not heat; heat "
                      "is blocked until %s", when);
        } else if (g.heat_blocked) {
                core_reply(ret, CORE_OK, "ok", "recorded: more than 48 hours ago; "
                      "heat stays blocked for another reason (%s)",
                      guidance_block_name(g.blocked_by));
        } else {
                core_reply(ret, CORE_OK, "ok", "recorded: more than 48 hours ago, "
                      "so heat is allowed");
        }
}

void core_set_warning_signs(struct core *core, bool pain_worsening,
                            bool nerve_signs, bool urgent_signs,
                            enum core_source src, time_t wall,
                            struct core_reply *ret)
{
        core->record.pain_worsening = pain_worsening;
        core->record.nerve_signs = nerve_signs;
        core->record.urgent_signs = urgent_signs;
        if (pain_worsening || nerve_signs || urgent_signs)
                for (int i = 0; i < core->nzones; i++)
                        core_end_session(core, i, src, urgent_signs ?
                                    "urgent_signs" : "warning_signs");
        record_changed(core, src, urgent_signs ? "urgent_signs" :
                       "warning_signs", wall);
        if (urgent_signs)
                core_reply(ret, CORE_OK, "ok", "recorded: please get urgent care "
                      "now; heat is off until you clear these signs");
        else if (pain_worsening || nerve_signs)
                core_reply(ret, CORE_OK, "ok", "recorded: please see a doctor; "
                      "heat is off until you clear these signs");
        else
                core_reply(ret, CORE_OK, "ok", "warning signs cleared");
}

void core_confirm_safe(struct core *core, enum core_source src, time_t wall,
                       struct core_reply *ret)
{
        if (!core->record.unreadable) {
                core_reply(ret, CORE_OK, "ok", "nothing to confirm: the record "
                      "was read");
                return;
        }
        guidance_confirm(&core->record);
        record_changed(core, src, "confirmed_safe", wall);
        core_reply(ret, CORE_OK, "ok", "confirmed: no injury or swelling in the "
              "last 48 hours and the pad is fine");
}

void core_clear_record(struct core *core, enum core_source src, time_t wall,
                       struct core_reply *ret)
{
        bool unreadable = core->record.unreadable;

        memset(&core->record, 0, sizeof(core->record));
        core->record.wall_folded = true;
        core->record.unreadable = unreadable;
        record_changed(core, src, "cleared", wall);
        core_reply(ret, CORE_OK, "ok", unreadable ? "record cleared; heat stays "
              "blocked until you confirm the stored record that could not be "
              "read held nothing" : "record cleared");
}
