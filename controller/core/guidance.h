/* guidance.h: heat or cold, the 48-hour acute cold rule, warning signs.
 *
 * After a sudden injury or visible swelling, cold (not heat) is the advice
 * for the first 48 hours, and heat stays blocked for that window. The
 * window is 48 real hours: it is held on the monotonic clock of the running
 * daemon, so a wall clock that steps (forward or back, NTP setting a Pi
 * that booted with an old time) neither shortens nor stretches it, and a
 * DST change inside it moves the clock time it ends at, not its length.
 * After a restart the monotonic clock starts again: the state file keeps
 * the real seconds that were left, and the wall-clock rule (48 hours after
 * the event on the wall clock) holds as well until the wall clock is
 * trusted, when it is folded into the monotonic window once.
 *
 * Two tiers of warning signs, both blocking heat until cleared: "consult"
 * (pain that persists or worsens; numbness, tingling or pain that spreads)
 * and, ranked above everything, "urgent" (loss of bladder or bowel
 * control, numbness in the groin or inner thighs, a leg getting weaker,
 * fever with back pain, pain after a serious fall or accident).
 *
 * Pure: both clocks are arguments. This is not medical advice, and the
 * texts say so. */
#ifndef HEATPAD_GUIDANCE_H
#define HEATPAD_GUIDANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/tz.h"

#define GUIDANCE_COLD_WINDOW_S (48 * 3600)

/* The wall times a record may hold, either side of 1970 (a Pi that booted
 * at the epoch records "two hours ago" before it), or where a 32-bit
 * time_t ends. */
#define GUIDANCE_TIME_MAX ((long long)(sizeof(time_t) > 4 ? 4102444800LL : \
                                       2147483647LL))
#define GUIDANCE_TIME_MIN (-GUIDANCE_TIME_MAX)

/* What the person has told us, and the window it holds. Persisted in the
 * state file (hold_until_ms as the seconds left, guidance_left_s). */
struct guidance_record {
        bool acute;             /* an acute event is on record */
        time_t acute_at;        /* when it happened (wall time, as told) */
        bool injury;            /* a sudden injury */
        bool swelling;          /* visible swelling or inflammation */
        bool pain_worsening;    /* pain that persists or gets worse */
        bool nerve_signs;       /* numbness, tingling, radiating pain */
        bool urgent_signs;      /* signs that need urgent care now */
        bool unreadable;        /* the stored record or latched faults could
                                 * not be read: blocked until a person
                                 * confirms (guidance_confirm) */
        /* The window on this run's monotonic clock: blocked while
         * now_ms < hold_until_ms. */
        uint64_t hold_until_ms;
        /* false: the wall-clock rule still counts on its own (a record
         * read from the state file, before the wall clock was trusted). */
        bool wall_folded;
};

enum guidance_kind { GUIDANCE_HEAT, GUIDANCE_COLD, GUIDANCE_CONSULT,
                     GUIDANCE_URGENT };

/* Why heat is blocked, the strongest reason first. */
enum guidance_block { BLOCK_NONE, BLOCK_COLD_RULE, BLOCK_WARNING_SIGNS,
                      BLOCK_URGENT_SIGNS, BLOCK_RECORD_UNREADABLE };

struct guidance {
        enum guidance_kind kind;
        bool heat_blocked;
        enum guidance_block blocked_by;
        /* When heat may start again: set only when the cold rule is all
         * that blocks it (0 otherwise: a person must clear or confirm). */
        time_t heat_allowed_at;
};

/* Decides the guidance at monotonic ms now_ms and wall time wall. */
struct guidance guidance_evaluate(const struct guidance_record *r,
                                  uint64_t now_ms, time_t wall);

/* An acute event that happened at `at` was just recorded: the window is
 * held from now on the monotonic clock. With an untrusted wall clock the
 * event counts as no earlier than now (its "two hours ago" proves
 * nothing), so the full 48 hours are held. */
void guidance_hold(struct guidance_record *r, time_t at, bool clock_trusted,
                   uint64_t now_ms, time_t wall);

/* After a restart: left_s real seconds of the window were left when the
 * state file was last written (< 0 when the file did not say). */
void guidance_restore(struct guidance_record *r, long long left_s,
                      uint64_t now_ms);

/* The wall clock is trusted: the wall-clock rule of a restored record is
 * folded into the monotonic window (it can only lengthen it), once. */
void guidance_fold_wall(struct guidance_record *r, uint64_t now_ms,
                        time_t wall);

/* Real seconds left of the monotonic window, rounded up; 0 when none. */
long long guidance_left_s(const struct guidance_record *r, uint64_t now_ms);

/* A person confirmed there was no injury or swelling in the last 48 hours
 * and the pad is fine: the unreadable mark and any acute event go; warning
 * signs that could be read stay. */
void guidance_confirm(struct guidance_record *r);

/* "heat", "cold", "consult" or "urgent". */
const char *guidance_kind_name(enum guidance_kind k);

/* null (NULL), "cold_rule", "warning_signs", "urgent_signs",
 * "record_unreadable": the refusal codes too. */
const char *guidance_block_name(enum guidance_block b);

/* A short headline and a few plain sentences for the person. */
const char *guidance_title(enum guidance_kind k);
const char *guidance_text(enum guidance_kind k);

/* Why heat is blocked while the record is unreadable, for the page. */
const char *guidance_confirm_reason(void);

/* The line every guidance ends with. */
const char *guidance_disclaimer(void);

/* Formats a wall time as the person reads it, "Tue 24 Nov 20:15" in local
 * time (through tz), into buf. */
void guidance_format_local(const struct tz *tz, time_t t, char *buf,
                           size_t len);

#endif
