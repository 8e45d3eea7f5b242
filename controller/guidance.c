/* guidance.c: see guidance.h. The texts are ours; keep them short, kind and
 * plain. */
#include "guidance.h"

const char *guidance_disclaimer(void)
{
        return "This is general self-care information, not medical advice.";
}

struct guidance guidance_evaluate(const struct guidance_record *r, time_t now)
{
        struct guidance g = { .kind = GUIDANCE_HEAT };

        /* An event recorded "in the future" (a clock not yet set after boot)
         * still blocks heat until 48 hours after it: the safe reading. */
        if (r->acute && now < r->acute_at + GUIDANCE_COLD_WINDOW_S) {
                g.kind = GUIDANCE_COLD;
                g.heat_blocked = true;
                g.heat_allowed_at = r->acute_at + GUIDANCE_COLD_WINDOW_S;
        }
        if (r->pain_worsening || r->nerve_signs)
                g.kind = GUIDANCE_CONSULT;
        return g;
}

const char *guidance_kind_name(enum guidance_kind k)
{
        switch (k) {
        case GUIDANCE_COLD: return "cold";
        case GUIDANCE_CONSULT: return "consult";
        default: return "heat";
        }
}

const char *guidance_title(enum guidance_kind k)
{
        switch (k) {
        case GUIDANCE_COLD:
                return "Cold for now, not heat";
        case GUIDANCE_CONSULT:
                return "Please see a doctor";
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
                       "Numb skin also feels heat less, so take extra care "
                       "with the pad, or leave it off until you have been "
                       "seen.";
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

void guidance_format_local(time_t t, char *buf, size_t len)
{
        struct tm tm;
        localtime_r(&t, &tm);
        if (strftime(buf, len, "%a %d %b %H:%M", &tm) == 0 && len > 0)
                buf[0] = '\0';
}
