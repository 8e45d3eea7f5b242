/* guidance.h: heat or cold, and the 48-hour acute cold rule.
 *
 * After a sudden injury or visible swelling, cold (not heat) is the advice
 * for the first 48 hours, and heat stays blocked for that window: the window
 * runs 48 real hours from the moment the event happened, so a DST change
 * inside it moves the clock time it ends at, not its length. Warning signs
 * (pain that persists or worsens; numbness, tingling or pain that radiates)
 * make the advice "consult a physician", ranked above everything else.
 * Pure: wall time is an argument. This is not medical advice, and the texts
 * say so. */
#ifndef HEATPAD_GUIDANCE_H
#define HEATPAD_GUIDANCE_H

#include <stdbool.h>
#include <time.h>

#define GUIDANCE_COLD_WINDOW_S (48 * 3600)

/* What the person has told us. Persisted in the state file. */
struct guidance_record {
        bool acute;             /* an acute event is on record */
        time_t acute_at;        /* when it happened (wall time) */
        bool injury;            /* a sudden injury */
        bool swelling;          /* visible swelling or inflammation */
        bool pain_worsening;    /* pain that persists or gets worse */
        bool nerve_signs;       /* numbness, tingling, radiating pain */
};

enum guidance_kind { GUIDANCE_HEAT, GUIDANCE_COLD, GUIDANCE_CONSULT };

struct guidance {
        enum guidance_kind kind;
        bool heat_blocked;      /* inside the 48-hour cold window */
        time_t heat_allowed_at; /* when heat may start again, if blocked */
};

/* Decides the guidance for wall time `now`. */
struct guidance guidance_evaluate(const struct guidance_record *r, time_t now);

/* "heat", "cold" or "consult". */
const char *guidance_kind_name(enum guidance_kind k);

/* A short headline and a few plain sentences for the person. */
const char *guidance_title(enum guidance_kind k);
const char *guidance_text(enum guidance_kind k);

/* The line every guidance ends with. */
const char *guidance_disclaimer(void);

/* Formats a wall time as the person reads it, "Tue 24 Nov 20:15" in local
 * time, into buf. */
void guidance_format_local(time_t t, char *buf, size_t len);

#endif
