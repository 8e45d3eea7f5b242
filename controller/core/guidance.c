/* guidance.c: see guidance.h. The texts are ours; keep them short, kind and
 * plain. */
#include "core/guidance.h"

const char *guidance_disclaimer(void)
{
        return "This is general self-care information, not medical advice.";
}

struct guidance guidance_evaluate(const struct guidance_record *r,
                                  uint64_t now_ms, time_t wall)
{
        struct guidance g = { .kind = GUIDANCE_HEAT };
        time_t until = 0;
        bool cold = false;

        if (r->acute && now_ms < r->hold_until_ms) {
                cold = true;
                until = wall + (time_t)((r->hold_until_ms - now_ms + 999) /
                                        1000);
        }
        /* Until folded, the wall-clock rule holds too. An event "in the
         * future" (a clock not yet set after boot) still blocks heat until
         * 48 hours after it: the safe reading. */
        if (r->acute && !r->wall_folded &&
            (long long)wall < (long long)r->acute_at + GUIDANCE_COLD_WINDOW_S) {
                time_t end = (time_t)((long long)r->acute_at +
                                      GUIDANCE_COLD_WINDOW_S);
                cold = true;
                if (end > until)
                        until = end;
        }
        if (cold) {
                g.kind = GUIDANCE_COLD;
                g.blocked_by = BLOCK_COLD_RULE;
                g.heat_allowed_at = until;
        }
        if (r->pain_worsening || r->nerve_signs) {
                g.kind = GUIDANCE_CONSULT;
                g.blocked_by = BLOCK_WARNING_SIGNS;
        }
        if (r->urgent_signs) {
                g.kind = GUIDANCE_URGENT;
                g.blocked_by = BLOCK_URGENT_SIGNS;
        }
        if (r->unreadable)
                g.blocked_by = BLOCK_RECORD_UNREADABLE;
        g.heat_blocked = g.blocked_by != BLOCK_NONE;
        if (g.blocked_by != BLOCK_COLD_RULE)
                g.heat_allowed_at = 0;
        return g;
}

static void hold_for(struct guidance_record *r, long long left_s,
                     uint64_t now_ms)
{
        if (left_s <= 0)
                return;
        uint64_t until = now_ms + (uint64_t)left_s * 1000;
        if (until > r->hold_until_ms)
                r->hold_until_ms = until;
}

void guidance_hold(struct guidance_record *r, time_t at, bool clock_trusted,
                   uint64_t now_ms, time_t wall)
{
        long long from = clock_trusted || at > wall ? (long long)at :
                         (long long)wall;

        r->hold_until_ms = 0;
        hold_for(r, from + GUIDANCE_COLD_WINDOW_S - (long long)wall, now_ms);
        /* The wall clock at the record is what the hold was taken from. */
        r->wall_folded = true;
}

void guidance_restore(struct guidance_record *r, long long left_s,
                      uint64_t now_ms)
{
        r->hold_until_ms = 0;
        hold_for(r, left_s, now_ms);
        r->wall_folded = false;
}

void guidance_fold_wall(struct guidance_record *r, uint64_t now_ms,
                        time_t wall)
{
        if (r->wall_folded)
                return;
        if (r->acute)
                hold_for(r, (long long)r->acute_at + GUIDANCE_COLD_WINDOW_S -
                         (long long)wall, now_ms);
        r->wall_folded = true;
}

long long guidance_left_s(const struct guidance_record *r, uint64_t now_ms)
{
        if (!r->acute || now_ms >= r->hold_until_ms)
                return 0;
        return (long long)((r->hold_until_ms - now_ms + 999) / 1000);
}

void guidance_confirm(struct guidance_record *r)
{
        /* The confirmation covers the acute event and the pad; warning
         * signs that could be read stay until cleared. */
        r->unreadable = false;
        r->acute = r->injury = r->swelling = false;
        r->acute_at = 0;
        r->hold_until_ms = 0;
        r->wall_folded = true;
}

const char *guidance_kind_name(enum guidance_kind k)
{
        switch (k) {
        case GUIDANCE_COLD: return "cold";
        case GUIDANCE_CONSULT: return "consult";
        case GUIDANCE_URGENT: return "urgent";
        default: return "heat";
        }
}

const char *guidance_block_name(enum guidance_block b)
{
        switch (b) {
        case BLOCK_COLD_RULE: return "cold_rule";
        case BLOCK_WARNING_SIGNS: return "warning_signs";
        case BLOCK_URGENT_SIGNS: return "urgent_signs";
        case BLOCK_RECORD_UNREADABLE: return "record_unreadable";
        default: return NULL;
        }
}

const char *guidance_title(enum guidance_kind k)
{
        switch (k) {
        case GUIDANCE_COLD:
                return "Cold for now, not heat";
        case GUIDANCE_CONSULT:
                return "Please see a doctor";
        case GUIDANCE_URGENT:
                return "Please get urgent care now";
        default:
                return "Gentle heat can help";
        }
}

const char *guidance_text(enum guidance_kind k)
{
        switch (k) {
        case GUIDANCE_COLD:
                return "For the first 48 hours after a sudden injury, or while "
                       "there is visible swelling, heat can make swelling "
                       "worse. Use a cold pack wrapped in a thin towel for "
                       "10 to 15 minutes at a time, with breaks in between. "
                       "Never put ice straight on the skin. Heat is switched "
                       "off until the 48 hours are over.";
        case GUIDANCE_CONSULT:
                return "Pain that keeps going or gets worse, or numbness, "
                       "tingling or pain that spreads into an arm or a leg, "
                       "should be looked at by a doctor or physiotherapist. "
                       "Numb skin also feels heat less, so heat is switched "
                       "off until you have been seen and clear these signs.";
        case GUIDANCE_URGENT:
                return "Loss of bladder or bowel control, numbness in the "
                       "groin or inner thighs, a leg that is getting weaker, "
                       "fever with back pain, or pain after a serious fall "
                       "or accident need urgent care now, not a heating "
                       "pad. Please call emergency services or an urgent "
                       "care line, or go to an emergency department, straight "
                       "away. Heat is switched off until you clear these "
                       "signs.";
        default:
                return "Warmth brings more blood to a tight muscle and helps "
                       "it let go. 15 to 20 minutes at a comfortable warmth "
                       "is plenty; the pad switches itself off. Afterwards, "
                       "stretch gently, or press a ball or foam roller into "
                       "the knot and hold for 20 to 30 seconds. Drink some "
                       "water, look at how you sit and how your screen is "
                       "set up, and give yourself time to unwind and sleep: "
                       "stress and short nights tighten muscles too.";
        }
}

const char *guidance_confirm_reason(void)
{
        return "The stored record could not be read, so an injury, swelling "
               "or a fault from before may be missing. Heat stays off until "
               "you confirm there was no injury or swelling in the last 48 "
               "hours and the pad is fine.";
}

void guidance_format_local(const struct tz *tz, time_t t, char *buf,
                           size_t len)
{
        struct tm tm;
        tz_local(tz, t, &tm);
        if (strftime(buf, len, "%a %d %b %H:%M", &tm) == 0 && len > 0)
                buf[0] = '\0';
}
