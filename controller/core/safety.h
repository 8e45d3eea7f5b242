/* safety.h: the safety supervisor of one zone.
 *
 * Separate from PID and above it: every tick it sees the latest reading and
 * what the relay was told, and returns a verdict. Any fault forces the relay
 * off at once and latches; only safety_clear() releases it, and only when
 * the condition that raised it is gone. Pure: readings and time come in as
 * arguments, the verdict goes out. */
#ifndef HEATPAD_SAFETY_H
#define HEATPAD_SAFETY_H

#include <stdbool.h>
#include <stdint.h>

enum safety_fault {
        FAULT_NONE = 0,
        FAULT_OVER_TEMP,        /* at or above the cutoff */
        FAULT_SENSOR_TIMEOUT,   /* no valid reading for sensor_timeout_ms */
        FAULT_SENSOR_RANGE,     /* a reading outside -20..90 degC */
        FAULT_SENSOR_POWER_ON,  /* a DS18B20's power-on 85.000 */
        FAULT_SENSOR_ERROR,     /* the backend reported a read error */
        FAULT_RUNAWAY,          /* heating hard, temperature not rising */
        FAULT_HOLDING,          /* fell far below setpoint while holding */
        FAULT_STUCK_RELAY,      /* rising above setpoint with the relay off */
        FAULT_RELAY_ERROR,      /* the relay backend failed to switch */
        FAULT_SENSOR_DISAGREE,  /* the two sensors of a zone disagree */
        FAULT_SENSOR_FROZEN,    /* the reading never moves while heating */
        FAULT_CONTROLLER_STALLED, /* the checks themselves ran too late */
        FAULT_COUNT
};

struct safety_params {
        double cutoff_c;                /* over-temperature cutoff */
        uint64_t sensor_timeout_ms;     /* longest gap between valid readings */
        uint64_t runaway_ms;            /* heating-up check window */
        /* The least rise (of the smoothed reading) the runaway and
         * temperature-dropped checks accept over their windows: the floor
         * under what the zone's model predicts, and all they ask without
         * a model. Low enough for a 10 W or a heavy pad, well above the
         * noise of a smoothed DS18B20. */
        double runaway_min_rise_c;
        double runaway_duty;            /* duty above which it is armed */
        double runaway_below_c;         /* armed only this far below setpoint */
        uint64_t holding_ms;
        double holding_drop_c;
        uint64_t stuck_ms;
        double stuck_above_c;
        /* Relay-on time a reading may stay exactly the same: a sensor
         * stuck on one value a little below the setpoint would otherwise
         * let PID heat the pad far past it. */
        uint64_t frozen_ms;
        /* A second sensor: the hotter of the two meets the cutoff, and a
         * difference above disagree_c is a fault. */
        bool two_sensors;
        double disagree_c;
};

/* What the zone tells the supervisor each tick. */
struct safety_input {
        bool have_reading;      /* a reading (or a read error) arrived */
        bool read_error;        /* ...and it was an error */
        double temp_c;          /* the reading, when have_reading && !error */
        bool relay_on;          /* what the relay is commanded to now */
        double duty;            /* what PID asks for, 0..1 */
        bool heating;           /* a session is running */
        double setpoint_c;
        /* the second sensor, when params.two_sensors */
        bool have_reading2;
        bool read_error2;
        double temp2_c;
};

struct safety {
        struct safety_params p;
        enum safety_fault fault;        /* latched fault, or FAULT_NONE */
        double fault_temp_c;            /* the reading that raised it */
        uint64_t last_valid_ms;         /* when the last valid reading came */
        bool have_temp;
        double temp_c;                  /* the last valid reading */
        bool last_read_bad;             /* the newest reading was invalid */
        /* the second sensor's, as above */
        uint64_t last_valid2_ms;
        bool have_temp2;
        double temp2_c;
        bool last_read2_bad;
        bool relay_failing;             /* the relay's last write failed */
        /* runaway: a stretch of high duty and where it began */
        bool runaway_armed;
        uint64_t runaway_since_ms;
        double runaway_start_c;
        /* holding: armed once the setpoint was reached in this session */
        bool reached;
        double reached_setpoint_c;
        bool low_armed;
        uint64_t low_since_ms;
        /* stuck relay: a stretch with the relay off and the pad hot */
        bool off_armed;
        uint64_t off_since_ms;
        double off_start_c;
        /* frozen reading: the value, and relay-on time since it last moved */
        bool frozen_have;
        double frozen_c;
        uint64_t frozen_on_ms;
        uint64_t last_check_ms;
        /* the previous safety_check, to tell a stalled controller (the
         * process stopped or starved) from a silent sensor */
        bool checked;
        uint64_t prev_check_ms;
        uint64_t stall_ms;              /* how late it was, when latched */
        /* the reading smoothed over ~10 s, what rises are measured on */
        bool have_smooth;
        double smooth_c;
        uint64_t smooth_ms;
        /* the zone's identified plant (safety_set_plant), if any */
        bool have_plant;
        double plant_gain_c, plant_tau_s, plant_dead_s, plant_rest_c;
        double power_w;                 /* declared (safety_set_power), or 0 */
        /* duty over the runaway and holding windows */
        double run_duty_sum, low_duty_sum;
        int run_duty_n, low_duty_n;
        double low_start_c;
        uint64_t relay_off_ms;          /* the last check the relay was on */
        bool off_settled;               /* the window began long after it */
};

/* Default limits, documented in README.md. */
void safety_default_params(struct safety_params *ret);

/* Starts with no fault; the sensor timeout counts from now_ms. */
void safety_init(struct safety *s, const struct safety_params *p,
                 uint64_t now_ms);

/* Tells the supervisor a session started (or its setpoint changed), so the
 * heat-up checks start afresh. */
void safety_session_started(struct safety *s, uint64_t now_ms);

/* Tells the supervisor what the zone's pad is, as an autotune identified
 * it (y' = (K u(t - L) - (y - rest)) / tau; gain_c <= 0 forgets it). With
 * it, the runaway and temperature-dropped checks expect a share of the
 * rise the model predicts (never less than runaway_min_rise_c), and the
 * stuck-relay check measures a rise against the cooling the model
 * predicts once the heat already on its way has arrived. */
void safety_set_plant(struct safety *s, double gain_c, double tau_s,
                      double dead_s, double rest_c);

/* Tells the supervisor the pad's declared power (zones[].power_w; 0 or
 * less: unknown). Without a model, the runaway and temperature-dropped
 * checks then expect the least rise any pad of that power shows (a bound
 * on heat capacity, the room and the loss; see safety.c), never less than
 * runaway_min_rise_c. A model, when there is one, is what they use. */
void safety_set_power(struct safety *s, double power_w);

/* One tick. Returns the latched fault (FAULT_NONE when the relay may be on
 * as commanded). A new fault is latched before returning. */
enum safety_fault safety_check(struct safety *s, const struct safety_input *in,
                               uint64_t now_ms);

/* Latches FAULT_RELAY_ERROR: the relay backend failed to switch. */
void safety_relay_failed(struct safety *s);

/* Whether the relay's writes are failing now (a relay worker retrying its
 * off write): while they are, a relay fault cannot be cleared. */
void safety_relay_failing(struct safety *s, bool failing);

/* Clears the latched fault if its condition is gone. Returns 0, or -EBUSY
 * with the fault kept when it is not. */
int safety_clear(struct safety *s, uint64_t now_ms);

/* Latches a fault carried over from before a restart (the state file):
 * it clears like any other, once its condition is seen to be gone. */
void safety_restore(struct safety *s, enum safety_fault f);

/* The fault with that name; FAULT_NONE when unknown. */
enum safety_fault safety_fault_parse(const char *name);

/* A short stable name for a fault: "over_temp", "sensor_timeout", ... */
const char *safety_fault_name(enum safety_fault f);

/* A plain sentence saying what happened and what to do. */
const char *safety_fault_help(enum safety_fault f);

#endif
