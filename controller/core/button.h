/* button.h: a bedside push button's presses, from its line's levels.
 *
 * Pure: levels come in with the time they were seen (monotonic ms), and
 * time passing comes in through button_poll; what a press means comes out.
 * Debounce: a level counts once it has held BUTTON_DEBOUNCE_MS with no
 * further edge (a mechanical contact bounces for about 5-20 ms; 30 ms
 * covers that and is still far below a deliberate press). A press that
 * ends before BUTTON_LONG_MS is a short press, reported at its release; a
 * press held BUTTON_LONG_MS is a long press, reported at once while still
 * held (stop every zone must not wait for a release). A press held past
 * BUTTON_STUCK_MS is a stuck button: reported once, then ignored until it
 * is released. A button already pressed when it is set up counts as stuck
 * until released, so a jammed button does nothing at start. */
#ifndef HEATPAD_CORE_BUTTON_H
#define HEATPAD_CORE_BUTTON_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"

#define BUTTON_DEBOUNCE_MS 30
#define BUTTON_LONG_MS 2000
#define BUTTON_STUCK_MS 60000

enum button_action {
        BUTTON_NONE = 0,
        BUTTON_SHORT,           /* pressed and released within 2 s */
        BUTTON_LONG,            /* held 2 s: stop every zone */
        BUTTON_STUCK,           /* held over a minute: ignored from now */
        BUTTON_UNSTUCK,         /* a stuck button was released */
};

struct button {
        bool raw;               /* the last level seen (true: pressed) */
        uint64_t raw_ms;        /* when it was seen */
        bool settling;          /* raw differs from stable, not yet held */
        bool pressed;           /* the debounced level */
        uint64_t pressed_ms;    /* when the debounced press began */
        bool long_done;         /* this press was already a long press */
        bool stuck;             /* ignored until released */
};

void button_init(struct button *b, bool pressed, uint64_t now_ms);

/* A level seen at now_ms (an edge event, or a sample). */
enum button_action button_level(struct button *b, bool pressed,
                                uint64_t now_ms);

/* Time has passed to now_ms: a level settles, a press becomes long or
 * stuck. At most one action per call; call again at button_next_ms. */
enum button_action button_poll(struct button *b, uint64_t now_ms);

/* When button_poll has something to do next; UINT64_MAX: nothing until
 * the next level. */
uint64_t button_next_ms(const struct button *b);

/* "short", "long", "stuck", "unstuck", "none". */
const char *button_action_name(enum button_action a);

/* The command an action gives a zone's button (zone >= 0) or the one for
 * every zone (zone -1), given whether the zone (any zone, for -1) holds a
 * session: short starts the zone's default session or stops it, long
 * stops every zone; for -1 a short press is a CMD_START of zone -1 (the
 * caller starts every zone's default session) or stops every zone. Only
 * what the page does without a PIN. Returns
 * false when the action gives no command. */
bool button_command(enum button_action a, int zone, bool heating,
                    struct core_cmd *ret);

#endif
