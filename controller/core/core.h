/* core.h: the zones, their sessions and the commands that drive them.
 *
 * Every way in (the command line, the page, MQTT, schedules) calls the same
 * command functions, so a refusal reads the same everywhere. Each tick runs,
 * per zone: reading -> safety supervisor -> session timers, quiet hours and
 * the cold rule -> PID -> time-proportioning window -> relay decision. The
 * core is pure: it reads no clock, file or socket. Time comes in as
 * arguments (monotonic ms for durations and the 48-hour window, wall time
 * for quiet hours and schedules); relay decisions go out in
 * core_zone.relay_on, and events go into a bounded queue in the core that
 * the loop drains (core_next_event) to the log and MQTT after each batch:
 * no I/O happens inside a command. Every way in submits a struct core_cmd
 * to core_submit. */
#ifndef HEATPAD_CORE_H
#define HEATPAD_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/autotune.h"
#include "config/config.h"
#include "core/guidance.h"
#include "core/heatup.h"
#include "core/pid.h"
#include "core/safety.h"
#include "core/schedule.h"
#include "core/session.h"
#include "core/session_log.h"
#include "core/window.h"

/* While the 48-hour window runs, its seconds left go to the state file
 * this often, so a power cut can lengthen the window by at most this (and
 * by the time the power was off), never shorten it. */
#define CORE_HOLD_SAVE_MS (10 * 60 * 1000)

/* A heating zone's energy goes to the state file this often (and when a
 * session ends and at exit): a power cut loses at most this much. */
#define CORE_ENERGY_SAVE_MS (10 * 60 * 1000)

/* A reading this far above the session's setpoint switches the relay off
 * at once, whatever the time-proportioning window planned. */
#define CORE_ABOVE_TARGET_OFF_C 0.5

enum core_source { SRC_CLI, SRC_HTTP, SRC_MQTT, SRC_SCHEDULE, SRC_CORE,
                   SRC_BUTTON };

enum core_status {
        CORE_OK = 0,
        CORE_REFUSED,           /* valid, but not now (HTTP 409) */
        CORE_INVALID,           /* malformed or out of range (HTTP 400) */
        CORE_NOT_FOUND,         /* no such zone (HTTP 404) */
};

/* What a command answers: a machine code and a sentence for people. */
struct core_reply {
        enum core_status status;
        char code[32];          /* "ok", "quiet_hours", "cold_rule", ... */
        char message[256];
};

enum core_event_type {
        EV_SESSION_START,
        EV_SESSION_END,         /* reason: time_up, stopped, quiet_hours,
                                 * fault, cold_rule, warning_signs,
                                 * urgent_signs, record_unreadable,
                                 * shutdown */
        EV_RELAY,
        EV_FAULT,
        EV_FAULT_CLEARED,
        EV_GUIDANCE,            /* the guidance kind changed */
        EV_RECORD,              /* the person's record changed */
        EV_AUTOTUNE,            /* an autotune ended: reason done, failed */
        EV_SCHEDULE,            /* the schedule was replaced */
        EV_SCHEDULE_RUN,        /* an entry came due: reason "started" or
                                 * the refusal's code, detail its message */
};

/* What the log shows of a zone, as it was when the event happened (the
 * queue is drained later, when the zone may have moved on). */
struct core_zone_snap {
        bool have_temp;
        double temp_c;
        bool session;
        double setpoint_c;
        bool relay_on;
        double duty;
        uint64_t remaining_ms, cap_left_ms;
        enum safety_fault fault;
};

#define CORE_REASON_MAX 32
#define CORE_DETAIL_MAX 256

struct core_event {
        enum core_event_type type;
        int zone;               /* -1 for events of the whole device */
        enum core_source source;
        const char *reason;     /* a short stable word, or NULL */
        const char *detail;     /* a sentence for people, or NULL */
        /* the core as the event left it */
        uint64_t now_ms;
        struct core_zone_snap snap;     /* of zone, when zone >= 0 */
        enum guidance_kind guidance_kind;
        int schedule_n;
};

/* A queued event: its words kept in the entry. */
struct core_queued {
        struct core_event ev;
        char reason[CORE_REASON_MAX];
        char detail[CORE_DETAIL_MAX];
};

/* Events a batch may leave before the loop drains them. The loop also
 * drains after any command that leaves the queue more than half full, so
 * a batch of commands cannot fill it; should it fill anyway, a new event
 * that ends a session, latches or clears a fault, switches a relay off or
 * ends an autotune takes the place of the oldest event that does none of
 * that (counted in events_dropped), and any other new event is dropped
 * (counted). Only a queue full of such events loses its oldest one
 * (counted in events_lost). */
#define CORE_EVENTS_MAX 128

struct core;

/* Every command a person, a schedule or the command line can give. */
enum core_cmd_kind {
        CMD_START,              /* zone, minutes, setpoint_c */
        CMD_STOP,               /* zone: never refused */
        CMD_STOP_ALL,           /* every zone off: never refused */
        CMD_CLEAR_FAULT,        /* zone */
        CMD_RECORD_ACUTE,       /* at, injury, swelling */
        CMD_WARNING_SIGNS,      /* pain_worsening, nerve_signs, urgent_signs */
        CMD_CLEAR_RECORD,
        CMD_CONFIRM_SAFE,
        CMD_SET_SCHEDULE,       /* schedule (validated by schedule_parse) */
        CMD_SET_TARGET,         /* zone, setpoint_c */
        CMD_SET_MINUTES,        /* zone, minutes */
        CMD_AUTOTUNE,           /* zone */
};

struct core_cmd {
        enum core_cmd_kind kind;
        enum core_source src;
        int zone;
        int minutes;            /* <= 0: the zone's session length */
        double setpoint_c;      /* NAN: the zone's target (CMD_START) */
        time_t at;
        bool injury, swelling;
        bool pain_worsening, nerve_signs, urgent_signs;
        const struct schedule *schedule;       /* CMD_SET_SCHEDULE */
};

/* The last command given to a zone (a stop of every zone counts for each)
 * and what it answered: what the page and Home Assistant show as the
 * zone's last result, with where it came from. seq 0: none yet; it grows
 * by one with each command, so an adapter sees a new one. */
struct core_last_cmd {
        uint32_t seq;
        enum core_source src;
        enum core_cmd_kind kind;
        enum core_status status;
        char code[32];
        char message[256];
        time_t at;              /* wall */
};

struct core_zone {
        const struct zone_cfg *cfg;
        struct pid pid;
        struct window window;
        struct safety safety;
        struct session session;
        bool relay_on;          /* the decision: what the relay must be */
        double duty;            /* PID output, 0..1 */
        uint64_t last_tick_ms;
        bool ticked;
        /* a reading posted since the last tick */
        bool pending, pending_error;
        double pending_c;
        /* control quality: what an autotune learned, a run in progress,
         * and the model-aware heat-up of the running session */
        struct zone_tuning tuning;
        /* with no tuning but a declared power: the model this session's
         * heat-up learned (ramp_fit.h), for its window and gains until the
         * session ends; never stored, never used by the safety checks */
        struct zone_tuning learned;
        /* the sawtooth the zone's window gives at the pad on its model,
         * peak to peak (window_ripple_c; 0 with no model) */
        double ripple_c;
        bool autotuning;
        struct autotune autotune;
        struct heatup heatup;
        /* the same from the second sensor, if the zone has one */
        bool pending2, pending2_error;
        double pending2_c;
        /* what a person chose and what was given, kept across sessions and
         * restarts (the state file) */
        double target_c;        /* NAN: the zone's default setpoint */
        int minutes;            /* 0: the zone's default minutes */
        double energy_wh;       /* relay on-time times power_w, ever */
        uint64_t energy_saved_ms;
        struct core_last_cmd last_cmd;
        /* the last sessions started through core_start (an autotune is an
         * experiment, not one of them), kept in the state file */
        struct session_log log;
};

struct core {
        const struct config *cfg;
        int nzones;
        struct core_zone zones[CONFIG_MAX_ZONES];
        struct guidance_record record;
        struct schedule schedule;
        enum guidance_kind guidance_kind;
        uint64_t now_ms;        /* the latest monotonic time a call brought:
                                 * what core_guidance() reads the window at */
        bool wall_trusted;      /* core_set_wall_trusted() */
        uint64_t hold_saved_ms; /* when the window's seconds left were last
                                 * handed to the state file */
        bool state_dirty;       /* record, schedule, a latched fault or a
                                 * zone's tuning changed: save the state
                                 * file */
        /* events not yet drained: a ring, oldest at ev_head */
        struct core_queued events[CORE_EVENTS_MAX];
        int ev_head, ev_count;
        struct core_queued ev_out;      /* the one core_next_event gave */
        uint64_t events_dropped;        /* left out for want of room */
        uint64_t events_lost;           /* of those that are never left
                                         * out while there is another */
        struct tz tz;           /* local time: core_set_localtime() */
};

/* Sets up every zone off and idle; the sensor timeout counts from now_ms.
 * record and schedule (either may be NULL) come from the state file. */
void core_init(struct core *core, const struct config *cfg,
               const struct guidance_record *record,
               const struct schedule *schedule, uint64_t now_ms, time_t wall);

/* The one way a command comes in, from any source: applies cmd at now_ms
 * and wall and answers in ret. A stop (CMD_STOP, CMD_STOP_ALL) is never
 * refused and never deduplicated here. */
void core_submit(struct core *core, const struct core_cmd *cmd,
                 uint64_t now_ms, time_t wall, struct core_reply *ret);

/* The oldest event not yet drained, in the order they happened; false
 * when there is none. Its strings stay valid until the next call. */
bool core_next_event(struct core *core, struct core_event *ret);

/* Events waiting in the queue. */
int core_events_pending(const struct core *core);

/* What the log shows of a zone now. */
struct core_zone_snap core_zone_snapshot(const struct core *core, int zone,
                                         uint64_t now_ms);

/* How the core reads local time (quiet hours, schedules, times shown to a
 * person): the daemon gives localtime_r; without a call, UTC. */
void core_set_localtime(struct core *core, tz_fn fn, void *ctx);

/* The 48-hour window after a restart: left_s real seconds were left when
 * the state file was written (< 0: the file did not say). The wall-clock
 * rule holds as well until the wall clock is trusted. */
void core_restore_hold(struct core *core, long long left_s, uint64_t now_ms);

/* Whether the wall clock can be trusted now (the loop says so every tick).
 * A record made while it cannot counts from the moment it was made; once
 * it can, a restored record's wall-clock rule is folded into the window. */
void core_set_wall_trusted(struct core *core, bool trusted, uint64_t now_ms,
                           time_t wall);

/* Real seconds of the 48-hour window left, for the state file. */
long long core_hold_left_s(const struct core *core, uint64_t now_ms);

/* Latches a fault saved before a restart on a zone (by id); unknown zones
 * are ignored. */
void core_restore_fault(struct core *core, const char *zone_id,
                        enum safety_fault f);

/* Starts (or changes) a session. minutes <= 0 or setpoint NAN take the
 * zone's session length and target (core_set_minutes, core_set_target),
 * or its defaults; a setpoint given becomes the zone's target. Refused while the record is unreadable, with warning
 * signs of either tier, in the 48-hour cold window, in quiet hours, with a
 * latched fault, or with values out of range; nothing changes then. */
void core_start(struct core *core, int zone, int minutes, double setpoint_c,
                enum core_source src, uint64_t now_ms, time_t wall,
                struct core_reply *ret);

/* Sets the zone's target temperature: the setpoint of the running session
 * (whose end does not move) and of the next ones, until changed. Refused
 * out of the zone's range; nothing changes then. */
void core_set_target(struct core *core, int zone, double setpoint_c,
                     enum core_source src, uint64_t now_ms,
                     struct core_reply *ret);

/* Sets the zone's session length (1..max_minutes) for the next sessions.
 * While a session runs it runs that long from now, through core_start
 * with all its refusals; refused, nothing changes. */
void core_set_minutes(struct core *core, int zone, int minutes,
                      enum core_source src, uint64_t now_ms, time_t wall,
                      struct core_reply *ret);

/* What the state file kept for a zone: its target (NAN: none), session
 * length (0: none) and energy. A target or length out of the zone's
 * limits is ignored (the config may have changed); returns how many
 * values were ignored. */
int core_restore_zone(struct core *core, int zone, double target_c,
                      int minutes, double energy_wh);

/* The zone's target and session length, defaults filled in. */
double core_target_c(const struct core *core, int zone);
int core_minutes(const struct core *core, int zone);

/* Ends a session (stopping an idle zone is not an error). */
void core_stop(struct core *core, int zone, enum core_source src,
               uint64_t now_ms, struct core_reply *ret);

/* Clears a latched fault if its condition is gone. */
void core_clear_fault(struct core *core, int zone, enum core_source src,
                      uint64_t now_ms, struct core_reply *ret);

/* Records an acute event (sudden injury and/or visible swelling) that
 * happened at `at`; ends every running session. `at` may not lie in the
 * future by more than a minute, nor be older than 30 days. The window is
 * held from now_ms (guidance_hold; the wall clock's trust as last set). */
void core_record_acute(struct core *core, time_t at, bool injury,
                       bool swelling, enum core_source src, uint64_t now_ms,
                       time_t wall, struct core_reply *ret);

/* Records the warning signs the person reports, both tiers (all false
 * clears them). Either tier ends every running session. */
void core_set_warning_signs(struct core *core, bool pain_worsening,
                            bool nerve_signs, bool urgent_signs,
                            enum core_source src, time_t wall,
                            struct core_reply *ret);

/* A person confirms there was no injury or swelling in the last 48 hours
 * and the pad is fine: heat is no longer blocked by an unreadable record. */
void core_confirm_safe(struct core *core, enum core_source src, time_t wall,
                       struct core_reply *ret);

/* Clears the whole record, deliberately (not an unreadable mark: that takes
 * core_confirm_safe). */
void core_clear_record(struct core *core, enum core_source src, time_t wall,
                       struct core_reply *ret);

/* Replaces the schedule (already validated by schedule_parse against this
 * config). */
void core_set_schedule(struct core *core, const struct schedule *s,
                       enum core_source src, struct core_reply *ret);

/* Starts the schedule entries due in the wall-time span (from, to] through
 * core_start. Until the wall clock is trusted (clock_trusted false) due
 * entries are skipped with the reason "clock_untrusted". Each due entry
 * emits EV_SCHEDULE_RUN. */
void core_run_schedule(struct core *core, time_t from, time_t to,
                       bool clock_trusted, uint64_t now_ms);

/* Whether heat may start on a zone now (the window read at core->now_ms);
 * fills ret with the reason if not. */
bool core_may_heat(const struct core *core, int zone, time_t wall,
                   struct core_reply *ret);

/* A reading (err 0) or a read error (-errno) arrived for a zone. */
void core_post_reading(struct core *core, int zone, int err, double temp_c);

/* The same from the zone's second sensor (zones[].sensor2). */
void core_post_reading2(struct core *core, int zone, int err, double temp_c);

/* The relay backend failed to switch: latches a relay fault. */
void core_relay_failed(struct core *core, int zone, uint64_t now_ms);

/* A relay write went through: a relay fault may be cleared again. */
void core_relay_ok(struct core *core, int zone);

/* One control step for every zone. */
void core_tick(struct core *core, uint64_t now_ms, time_t wall);

/* Ends every session and decides every relay off (SIGTERM, exit). */
void core_shutdown(struct core *core, uint64_t now_ms);

/* The guidance now (the window read at core->now_ms). */
struct guidance core_guidance(const struct core *core, time_t wall);

/* Starts a relay-feedback autotune of an idle zone (autotune.h) around
 * 2 degC under its max_setpoint_c, as a session: the safety supervisor,
 * quiet hours, the cold rule and the session cap all apply, and a stop or a
 * fault ends it with the relay off. When it ends, an EV_AUTOTUNE event says
 * "done" (the zone's tuning is set and state_dirty raised) or "failed". */
void core_autotune_start(struct core *core, int zone, enum core_source src,
                         uint64_t now_ms, time_t wall, struct core_reply *ret);

/* Gives a zone a stored tuning (from the state file). Its model drives the
 * heat-up; its gains replace the defaults unless the config set pid gains
 * itself. An invalid tuning is ignored. */
void core_set_tuning(struct core *core, int zone, const struct zone_tuning *t);

/* Describes a zone's tuning or why its autotune failed, for people. */
void core_describe_tuning(const struct core *core, int zone, char *buf,
                          size_t len);

/* Finds a zone by name or id; -1 when none. */
int core_find_zone(const struct core *core, const char *name_or_id);

/* "cli", "http", "mqtt", "schedule", "core", "button". */
const char *core_source_name(enum core_source src);

#endif
