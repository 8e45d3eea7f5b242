/* safety.c: see safety.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/config_keys.h"
#include "core/safety.h"

/* A pad under a person is warmed towards body temperature by the person;
 * only the heater can take it above this, so the stuck-relay check never
 * compares with less. */
#define BODY_C 37.0
/* "Rising" over a stuck-relay window: well above sensor quantisation. */
#define STUCK_MIN_RISE_C 0.25
/* How far below the cutoff a pad must cool before its fault can clear. */
#define OVER_TEMP_CLEAR_BELOW_C 2.0
/* How much a pad must cool, after a stuck-relay fault, before it clears. */
#define STUCK_CLEAR_DROP_C 0.5
/* Rises are measured on the reading smoothed over this long: a DS18B20's
 * 0.0625 degC steps and noise average out, a real rise or fall does not. */
#define SMOOTH_S 10.0
/* The share of the model's predicted rise a heating pad must show: a model
 * is a fit, and a cover or a colder room slows a pad down. */
#define MODEL_RISE_SHARE 0.35
/* Once the relay has been off this long (or twice the model's dead time
 * if that is longer), the heat on its way when it went off has arrived and
 * a pad above body temperature can only cool: a smoothed rise as small as
 * STUCK_SETTLED_RISE_C is heat, which a weak pad on a stuck relay shows
 * where it would never warm STUCK_MIN_RISE_C in a window. */
#define STUCK_SETTLE_MS 60000
#define STUCK_SETTLED_RISE_C 0.12
/* A pad heated hard cannot cool once the heat has had time to arrive: a
 * smoothed fall this large after half the runaway window means the sensor
 * is not on it (it fell out into the air), caught before the window ends. */
#define RUNAWAY_FALL_C 0.5
/* With only the pad's declared power (no model), the rise the checks ask
 * for is a lower bound on what any pad of that power shows, from three
 * conservative assumptions: at most PAD_MAX_J_PER_K of heat capacity (pad,
 * cover and the bedding it warms; the heaviest pad of the benchmark has
 * 6000 J/K), a room no colder than PAD_COLDEST_C, and a pad that can reach
 * its setpoint at full power with a loss that grows linearly from the room
 * (natural convection grows faster, so it loses less below the setpoint).
 * The loss at start_c is then at most P (start - room) / (setpoint - room),
 * and the first PAD_MAX_LAG_S of the window (dead time and sensor lag) may
 * show nothing. A bound on heat capacity per watt would cancel the power
 * and say nothing that the floor does not. */
#define PAD_MAX_J_PER_K 8000.0
#define PAD_COLDEST_C 10.0
#define PAD_MAX_LAG_S 60.0
/* The share of that bound asked: what the 10 s smoothing and a DS18B20's
 * steps may take off a real rise. */
#define POWER_RISE_SHARE 0.8
/* A DS18B20 answers 85.000 degC when it lost power before converting. */
#define DS18B20_POWER_ON_C 85.0

/* A zone's limit from the key table (zones[].limits), in its own unit. */
static double limit(const char *key)
{
        char path[64];

        snprintf(path, sizeof(path), "zones[].limits.%s", key);
        return config_key_default(path);
}

static uint64_t limit_ms(const char *key)
{
        return (uint64_t)(limit(key) * 1000);
}

void safety_default_params(struct safety_params *ret)
{
        /* The configurable limits' defaults are the key table's; the two
         * arming thresholds no key sets are here. */
        *ret = (struct safety_params){
                .cutoff_c = limit("cutoff_c"),
                .sensor_timeout_ms = limit_ms("sensor_timeout_s"),
                .runaway_ms = limit_ms("runaway_s"),
                .runaway_min_rise_c = limit("runaway_min_rise_c"),
                .runaway_duty = 0.5,
                .runaway_below_c = 2.0,
                .holding_ms = limit_ms("holding_s"),
                .holding_drop_c = limit("holding_drop_c"),
                .stuck_ms = limit_ms("stuck_relay_s"),
                .stuck_above_c = limit("stuck_relay_above_c"),
                .frozen_ms = limit_ms("frozen_reading_s"),
                .two_sensors = false,
                .disagree_c = limit("sensor_disagree_c"),
        };
}

void safety_init(struct safety *s, const struct safety_params *p,
                 uint64_t now_ms)
{
        *s = (struct safety){ .p = *p, .last_valid_ms = now_ms,
                              .last_valid2_ms = now_ms,
                              .last_check_ms = now_ms };
}

void safety_set_plant(struct safety *s, double gain_c, double tau_s,
                      double dead_s, double rest_c)
{
        s->have_plant = gain_c > 0 && tau_s > 0;
        s->plant_gain_c = gain_c;
        s->plant_tau_s = tau_s;
        s->plant_dead_s = dead_s > 0 ? dead_s : 0;
        s->plant_rest_c = rest_c;
}

void safety_set_power(struct safety *s, double power_w)
{
        s->power_w = power_w > 0 && isfinite(power_w) ? power_w : 0;
}

void safety_session_started(struct safety *s, uint64_t now_ms)
{
        (void)now_ms;
        s->runaway_armed = false;
        s->reached = false;
        s->low_armed = false;
}

static void latch(struct safety *s, enum safety_fault f, double temp_c)
{
        if (s->fault != FAULT_NONE)
                return;         /* the first cause is the one to report */
        s->fault = f;
        s->fault_temp_c = temp_c;
}

static void smooth(struct safety *s, double temp_c, uint64_t now_ms)
{
        if (!s->have_smooth || now_ms < s->smooth_ms) {
                s->have_smooth = true;
                s->smooth_c = temp_c;
        } else {
                double dt = (double)(now_ms - s->smooth_ms) / 1000.0;
                s->smooth_c += (temp_c - s->smooth_c) * dt / (SMOOTH_S + dt);
        }
        s->smooth_ms = now_ms;
}

/* The least rise of any pad of the declared power (see PAD_MAX_J_PER_K),
 * heating at the given duty from start_c towards setpoint_c. */
static double power_rise(const struct safety *s, double start_c,
                         double setpoint_c, double duty, uint64_t window_ms)
{
        double t = (double)window_ms / 1000.0 - PAD_MAX_LAG_S;
        double span = setpoint_c - PAD_COLDEST_C;

        if (s->power_w <= 0 || t <= 0 || span <= 0)
                return 0;
        double loss = fmax(0.0, start_c - PAD_COLDEST_C) / span;
        double net_w = s->power_w * (duty - loss);
        return net_w > 0 ? net_w * t / PAD_MAX_J_PER_K : 0;
}

/* The rise a heating pad must show over window_ms from start_c at the
 * given average duty: the floor, or a share of what the model predicts if
 * that is more; without a model, of what the declared power guarantees. */
static double rise_wanted(const struct safety *s, double start_c,
                          double setpoint_c, double duty, uint64_t window_ms)
{
        double floor_c = s->p.runaway_min_rise_c;

        if (!s->have_plant)
                return fmax(floor_c, POWER_RISE_SHARE *
                            power_rise(s, start_c, setpoint_c, duty,
                                       window_ms));
        double t = (double)window_ms / 1000.0 - s->plant_dead_s;
        if (t <= 0)
                return floor_c;
        double rise = (s->plant_rest_c + s->plant_gain_c * duty - start_c) *
                      (1.0 - exp(-t / s->plant_tau_s));
        return fmax(floor_c, MODEL_RISE_SHARE * rise);
}

/* Checks one sensor's reading; on a valid one updates its slot. Both
 * sensors go through here, so each is held to the same rules. */
static void take_reading(struct safety *s, bool error, double temp_c,
                         uint64_t now_ms, bool *ret_bad, uint64_t *ret_valid_ms,
                         double *ret_temp_c, bool *ret_have)
{
        bool first = !*ret_have;

        *ret_bad = true;
        if (error)
                latch(s, FAULT_SENSOR_ERROR, NAN);
        else if (temp_c == DS18B20_POWER_ON_C)
                latch(s, FAULT_SENSOR_POWER_ON, temp_c);
        else if (!(temp_c >= -20.0 && temp_c <= 90.0))
                latch(s, FAULT_SENSOR_RANGE, temp_c);
        else {
                *ret_bad = false;
                *ret_valid_ms = now_ms;
                *ret_temp_c = temp_c;
                *ret_have = true;
                if (ret_have == &s->have_temp)
                        smooth(s, temp_c, now_ms);
                /* A restored stuck-relay fault measures cooling from the
                 * first reading of the pad sensor after the restart. */
                if (first && ret_have == &s->have_temp &&
                    s->fault == FAULT_STUCK_RELAY && isnan(s->fault_temp_c))
                        s->fault_temp_c = temp_c;
        }
}

/* The temperature the cutoff sees: the hotter sensor, when there are two
 * (a pad is hottest where it folds, and one sensor may sit elsewhere). */
static double hottest(const struct safety *s)
{
        if (s->p.two_sensors && s->have_temp2 && s->temp2_c > s->temp_c)
                return s->temp2_c;
        return s->temp_c;
}

static bool disagree(const struct safety *s)
{
        return s->p.two_sensors && s->have_temp && s->have_temp2 &&
               fabs(s->temp_c - s->temp2_c) > s->p.disagree_c;
}

/* Heating hard while well below the setpoint must warm the pad: a heater
 * that has come loose from its sensor, or a sensor that has fallen out of
 * the pad, shows up here (the thermal runaway check of Marlin and Klipper). */
static void check_runaway(struct safety *s, const struct safety_input *in,
                          uint64_t now_ms)
{
        bool armed = in->heating && in->duty > s->p.runaway_duty &&
                     s->temp_c < in->setpoint_c - s->p.runaway_below_c;
        if (!armed) {
                s->runaway_armed = false;
                return;
        }
        if (!s->runaway_armed) {
                s->runaway_armed = true;
                s->runaway_since_ms = now_ms;
                s->runaway_start_c = s->smooth_c;
                s->run_duty_sum = 0;
                s->run_duty_n = 0;
        }
        s->run_duty_sum += in->duty;
        s->run_duty_n++;
        if (now_ms - s->runaway_since_ms >= s->p.runaway_ms / 2 &&
            s->smooth_c <= s->runaway_start_c - RUNAWAY_FALL_C)
                latch(s, FAULT_RUNAWAY, s->temp_c);
        if (now_ms - s->runaway_since_ms >= s->p.runaway_ms) {
                double duty = s->run_duty_sum / s->run_duty_n;
                if (s->smooth_c - s->runaway_start_c <
                    rise_wanted(s, s->runaway_start_c, in->setpoint_c, duty,
                                s->p.runaway_ms))
                        latch(s, FAULT_RUNAWAY, s->temp_c);
                s->runaway_since_ms = now_ms;
                s->runaway_start_c = s->smooth_c;
                s->run_duty_sum = 0;
                s->run_duty_n = 0;
        }
}

/* Once at the setpoint, a large lasting drop means the sensor no longer
 * measures the pad (it fell off), and the heater would run flat out. A
 * pad that is below but warming again as fast as it should (a weak pad
 * after a cold body lay on it) is not: the drop must last and the rise
 * over the window fall short of what the duty given should bring. */
static void check_holding(struct safety *s, const struct safety_input *in,
                          uint64_t now_ms)
{
        if (!in->heating) {
                s->reached = false;
                s->low_armed = false;
                return;
        }
        if (!s->reached && s->temp_c >= in->setpoint_c - 0.5)
                s->reached = true;
        if (!s->reached || s->temp_c >= in->setpoint_c - s->p.holding_drop_c) {
                s->low_armed = false;
                return;
        }
        if (!s->low_armed) {
                s->low_armed = true;
                s->low_since_ms = now_ms;
                s->low_start_c = s->smooth_c;
                s->low_duty_sum = 0;
                s->low_duty_n = 0;
        }
        s->low_duty_sum += in->duty;
        s->low_duty_n++;
        if (now_ms - s->low_since_ms >= s->p.holding_ms) {
                double duty = s->low_duty_sum / s->low_duty_n;
                if (s->smooth_c - s->low_start_c <
                    rise_wanted(s, s->low_start_c, in->setpoint_c, duty,
                                s->p.holding_ms))
                        latch(s, FAULT_HOLDING, s->temp_c);
                s->low_since_ms = now_ms;
                s->low_start_c = s->smooth_c;
                s->low_duty_sum = 0;
                s->low_duty_n = 0;
        }
}

/* Still rising well above the setpoint with the relay told off: the relay's
 * contacts have welded or its driver is stuck. Off is all software can do,
 * so this fault is loud. */
static void check_stuck(struct safety *s, const struct safety_input *in,
                        uint64_t now_ms)
{
        double ref = in->heating && in->setpoint_c > BODY_C ?
                     in->setpoint_c : BODY_C;
        /* With a model, the heat already on its way when the relay went
         * off (dead time and sensor lag) is let arrive first; after that
         * the pad can only cool, so a small rise is heat. */
        uint64_t settle_ms = STUCK_SETTLE_MS;

        if (s->have_plant && 2000 * s->plant_dead_s > settle_ms)
                settle_ms = (uint64_t)(2000 * s->plant_dead_s);
        if (in->relay_on)
                s->relay_off_ms = now_ms;       /* off from the last on */
        if (in->relay_on || s->temp_c <= ref + s->p.stuck_above_c) {
                s->off_armed = false;
                return;
        }
        if (!s->off_armed) {
                s->off_armed = true;
                s->off_since_ms = now_ms;
                s->off_start_c = s->smooth_c;
                s->off_settled = now_ms - s->relay_off_ms >= settle_ms;
                return;
        }
        /* Checked through the window (a cooling pad only falls further
         * from where it began), so a fast rise is caught before its end. */
        uint64_t held = now_ms - s->off_since_ms;
        double min_rise = s->off_settled ? STUCK_SETTLED_RISE_C :
                          STUCK_MIN_RISE_C;
        if (held >= s->p.stuck_ms / 2 &&
            s->smooth_c - s->off_start_c >= min_rise)
                latch(s, FAULT_STUCK_RELAY, s->temp_c);
        if (held >= s->p.stuck_ms) {
                s->off_since_ms = now_ms;
                s->off_start_c = s->smooth_c;
                s->off_settled = now_ms - s->relay_off_ms >= settle_ms;
        }
}

/* A pad being heated ripples with every window, and its readings move by
 * a quantum at least every few windows (the simulated pad: at most 9 s of
 * heater-on time on one value while holding); one that reads exactly the
 * same through a minute of heater-on time is not reading the pad (a sensor
 * or register that stopped updating). The runaway check cannot see it when
 * the frozen value is within runaway_below_c of the setpoint, and PID
 * would then heat flat out. Only the first sensor: a frozen second one
 * shows up as a disagreement. */
static void check_frozen(struct safety *s, const struct safety_input *in,
                         uint64_t now_ms)
{
        bool fresh = in->have_reading && !s->last_read_bad;

        if (fresh && (!s->frozen_have || s->temp_c != s->frozen_c)) {
                s->frozen_have = true;
                s->frozen_c = s->temp_c;
                s->frozen_on_ms = 0;
        }
        if (in->relay_on && s->last_check_ms && now_ms > s->last_check_ms)
                s->frozen_on_ms += now_ms - s->last_check_ms;
        s->last_check_ms = now_ms;
        if (s->frozen_on_ms >= s->p.frozen_ms)
                latch(s, FAULT_SENSOR_FROZEN, s->temp_c);
}

enum safety_fault safety_check(struct safety *s, const struct safety_input *in,
                               uint64_t now_ms)
{
        /* A gap between two checks as long as the sensor timeout means the
         * controller itself was stopped or starved: nothing was watching
         * the pad, so off at once, and not blamed on the sensor (whose
         * readings were not taken either). */
        if (s->checked && now_ms - s->prev_check_ms >= s->p.sensor_timeout_ms &&
            s->fault == FAULT_NONE) {
                s->stall_ms = now_ms - s->prev_check_ms;
                latch(s, FAULT_CONTROLLER_STALLED,
                      s->have_temp ? s->temp_c : NAN);
        }
        s->checked = true;
        s->prev_check_ms = now_ms;
        if (in->have_reading)
                take_reading(s, in->read_error, in->temp_c, now_ms,
                             &s->last_read_bad, &s->last_valid_ms, &s->temp_c,
                             &s->have_temp);
        if (s->p.two_sensors && in->have_reading2)
                take_reading(s, in->read_error2, in->temp2_c, now_ms,
                             &s->last_read2_bad, &s->last_valid2_ms,
                             &s->temp2_c, &s->have_temp2);
        if (now_ms - s->last_valid_ms >= s->p.sensor_timeout_ms ||
            (s->p.two_sensors &&
             now_ms - s->last_valid2_ms >= s->p.sensor_timeout_ms))
                latch(s, FAULT_SENSOR_TIMEOUT, s->have_temp ? s->temp_c : NAN);
        if (!s->have_temp)
                return s->fault;
        if (hottest(s) >= s->p.cutoff_c)
                latch(s, FAULT_OVER_TEMP, hottest(s));
        if (disagree(s))
                latch(s, FAULT_SENSOR_DISAGREE, hottest(s));
        check_runaway(s, in, now_ms);
        check_holding(s, in, now_ms);
        check_stuck(s, in, now_ms);
        check_frozen(s, in, now_ms);
        return s->fault;
}

void safety_relay_failed(struct safety *s)
{
        latch(s, FAULT_RELAY_ERROR, s->have_temp ? s->temp_c : NAN);
}

void safety_relay_failing(struct safety *s, bool failing)
{
        s->relay_failing = failing;
}

int safety_clear(struct safety *s, uint64_t now_ms)
{
        bool fresh = s->have_temp && !s->last_read_bad &&
                     now_ms - s->last_valid_ms < s->p.sensor_timeout_ms;
        bool gone;

        if (s->p.two_sensors)
                fresh = fresh && s->have_temp2 && !s->last_read2_bad &&
                        now_ms - s->last_valid2_ms < s->p.sensor_timeout_ms;

        switch (s->fault) {
        case FAULT_NONE:
                return 0;
        case FAULT_OVER_TEMP:
                gone = fresh &&
                       hottest(s) < s->p.cutoff_c - OVER_TEMP_CLEAR_BELOW_C;
                break;
        case FAULT_STUCK_RELAY:
                gone = fresh &&
                       s->temp_c <= s->fault_temp_c - STUCK_CLEAR_DROP_C;
                break;
        case FAULT_RELAY_ERROR:
                /* Once a write went through (the off that followed the
                 * fault): the next switch will tell again. */
                gone = !s->relay_failing;
                break;
        case FAULT_SENSOR_DISAGREE:
                gone = fresh && !disagree(s);
                break;
        case FAULT_SENSOR_FROZEN:
                /* The reading has moved since (NAN after a restart). */
                gone = fresh && s->temp_c != s->fault_temp_c;
                break;
        default:                /* sensor, runaway, holding */
                gone = fresh;
                break;
        }
        if (!gone)
                return -EBUSY;
        s->fault = FAULT_NONE;
        s->runaway_armed = s->low_armed = s->off_armed = false;
        s->reached = false;
        s->frozen_have = false;
        s->frozen_on_ms = 0;
        return 0;
}

void safety_restore(struct safety *s, enum safety_fault f)
{
        /* The temperature that raised it is unknown: NAN keeps a restored
         * stuck-relay fault latched until a reading shows the pad cooling
         * from the first one seen (see safety_clear). */
        latch(s, f, NAN);
}

enum safety_fault safety_fault_parse(const char *name)
{
        for (int f = FAULT_NONE + 1; f < FAULT_COUNT; f++)
                if (strcmp(name, safety_fault_name((enum safety_fault)f)) == 0)
                        return (enum safety_fault)f;
        return FAULT_NONE;
}

const char *safety_fault_name(enum safety_fault f)
{
        static const char *const names[FAULT_COUNT] = {
                [FAULT_NONE] = "none",
                [FAULT_OVER_TEMP] = "over_temp",
                [FAULT_SENSOR_TIMEOUT] = "sensor_timeout",
                [FAULT_SENSOR_RANGE] = "sensor_range",
                [FAULT_SENSOR_POWER_ON] = "sensor_power_on",
                [FAULT_SENSOR_ERROR] = "sensor_error",
                [FAULT_RUNAWAY] = "thermal_runaway",
                [FAULT_HOLDING] = "temperature_dropped",
                [FAULT_STUCK_RELAY] = "stuck_relay",
                [FAULT_RELAY_ERROR] = "relay_error",
                [FAULT_SENSOR_DISAGREE] = "sensor_disagree",
                [FAULT_SENSOR_FROZEN] = "sensor_frozen",
                [FAULT_CONTROLLER_STALLED] = "controller_stalled",
        };
        return (unsigned)f < FAULT_COUNT ? names[f] : "unknown";
}

const char *safety_fault_help(enum safety_fault f)
{
        static const char *const help[FAULT_COUNT] = {
                [FAULT_NONE] = "",
                [FAULT_OVER_TEMP] = "The pad got too hot and was switched off. Take it off, let it cool, check nothing covers it too thickly, then clear the fault.",
                [FAULT_SENSOR_TIMEOUT] = "The temperature sensor stopped answering, so heating was switched off. Check its cable, then clear the fault.",
                [FAULT_SENSOR_RANGE] = "The temperature sensor gave an impossible reading, so heating was switched off. Check its cable, then clear the fault.",
                [FAULT_SENSOR_POWER_ON] = "The temperature sensor reset (it read 85.0 C), so heating was switched off. Check its power wiring, then clear the fault.",
                [FAULT_SENSOR_ERROR] = "The temperature sensor could not be read, so heating was switched off. Check its cable, then clear the fault.",
                [FAULT_RUNAWAY] = "The pad was heating but did not warm up. The sensor may have slipped out of the pad. Check it sits inside the pad, then clear the fault.",
                [FAULT_HOLDING] = "The temperature fell far below the setpoint. The sensor may have fallen off the pad. Put it back, then clear the fault.",
                [FAULT_STUCK_RELAY] = "The pad kept heating while switched off: the relay may be stuck on. UNPLUG THE PAD NOW and have the relay checked before using it again.",
                [FAULT_RELAY_ERROR] = "The relay could not be switched. Check its wiring, then clear the fault.",
                [FAULT_SENSOR_FROZEN] = "The temperature reading stopped changing while the pad was heating: the sensor may be stuck. Heating was switched off. Check the sensor, then clear the fault.",
                [FAULT_CONTROLLER_STALLED] = "heatpad itself was stopped or starved of CPU for longer than the sensor timeout, so nothing watched the pad and heating was switched off. The sensor is not to blame. Check what else runs on this machine (or why the service was paused), then clear the fault.",
                [FAULT_SENSOR_DISAGREE] = "The pad's two temperature sensors disagree. One may have slipped out of the pad or be failing. Check both sit inside the pad, then clear the fault.",
        };
        return (unsigned)f < FAULT_COUNT ? help[f] : "";
}
