/* sim.c: see sim.h. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hw/sim.h"
#include "hw/sim_pad.h"

/* DS18B20 12-bit resolution. */
#define SIM_QUANTUM_C 0.0625

struct sim {
        pthread_mutex_t mu;
        struct sim_pad pad;
        struct sim_cfg cfg;
        const struct vclock *clock;
        int zone;
        int log_fd;
        uint64_t last_ms;       /* the pad's model time */
        bool want_on;           /* what the relay was told */
        bool stuck_on, disconnected, stuck, power_on, silent;
        double stuck_c;
        unsigned rng;
        int users;              /* sensor and relay both hold it */
};

/* Advances the pad to now. Caller holds mu. */
static void advance(struct sim *s)
{
        uint64_t now = vclock_mono_ms(s->clock);
        if (now > s->last_ms)
                sim_pad_step(&s->pad, (double)(now - s->last_ms) / 1000.0);
        s->last_ms = now;
        s->pad.heater_on = s->want_on || s->stuck_on;
}

/* Gaussian noise from two uniforms (Box-Muller), on our own seed so a run
 * is repeatable. */
static double noise(struct sim *s)
{
        double u1 = (rand_r(&s->rng) + 1.0) / ((double)RAND_MAX + 2.0);
        double u2 = (rand_r(&s->rng) + 1.0) / ((double)RAND_MAX + 2.0);
        return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* A silent sensor answers nothing for 10 s, as a bus timeout would. */
#define SIM_SILENT_MS 10000

int sim_sample(struct sim *s, double *ret_c, uint64_t *ret_after_ms)
{
        double c;
        int r = 0;

        /* A conversion samples at its start and answers at its end. */
        pthread_mutex_lock(&s->mu);
        advance(s);
        c = s->pad.sensor_c + s->cfg.noise_c * noise(s);
        if (s->silent)
                r = -ETIMEDOUT;
        else if (s->disconnected)
                r = -ENODEV;
        else if (s->power_on)
                c = 85.0;
        else if (s->stuck)
                c = s->stuck_c;
        else
                s->stuck_c = c;
        pthread_mutex_unlock(&s->mu);

        *ret_after_ms = r == -ETIMEDOUT ? SIM_SILENT_MS :
                        s->cfg.conversion_ms + s->cfg.read_delay_ms;
        if (r == 0)
                *ret_c = round(c / SIM_QUANTUM_C) * SIM_QUANTUM_C;
        return r;
}

/* For a caller off the loop (the daemon's readers use sim_sample): the
 * conversion's time slept on the real clock, at the clock's pace. */
static int sim_read(void *ctx, double *ret_c)
{
        struct sim *s = ctx;
        uint64_t after;
        double c = 0;
        int r = sim_sample(s, &c, &after);
        double real = vclock_real_span_ms(s->clock, (double)after);
        struct timespec ts = { (time_t)(real / 1000),
                               (long)(fmod(real, 1000.0) * 1e6) };

        if (real > 0)
                nanosleep(&ts, NULL);
        if (r == 0)
                *ret_c = c;
        return r;
}

/* The relay's own record, for tests to check against what the daemon says
 * it did: one line per switch, "MONO_MS ZONE on|off WALL PAD_C", and one per
 * injected fault, "MONO_MS ZONE fault KIND WALL PAD_C": the daemon's clocks
 * and the pad's own temperature (not what its sensor says). Caller holds
 * mu, or is the crash handler: write(2) and no floating-point formatting,
 * so force_off can use it. */
static void record(struct sim *s, const char *what, const char *kind)
{
        char line[128];
        long centi = lround(s->pad.pad_c * 100);

        if (s->log_fd < 0)
                return;
        int n = snprintf(line, sizeof(line), "%llu %d %s%s%s %lld %s%ld.%02ld\n",
                         (unsigned long long)s->last_ms, s->zone, what,
                         kind ? " " : "", kind ? kind : "",
                         (long long)vclock_wall(s->clock), centi < 0 ? "-" : "",
                         labs(centi) / 100, labs(centi) % 100);
        if (n > 0 && write(s->log_fd, line, (size_t)n) < 0) {
                /* nothing to do: the record is for tests */
        }
}

void sim_note_clock_step(int log_fd, const struct vclock *clock,
                         long long seconds)
{
        char line[96];

        if (log_fd < 0)
                return;
        int n = snprintf(line, sizeof(line), "%llu -1 clock %+lld %lld\n",
                         (unsigned long long)vclock_mono_ms(clock), seconds,
                         (long long)vclock_wall(clock));
        if (n > 0 && write(log_fd, line, (size_t)n) < 0) {
                /* nothing to do: the record is for tests */
        }
}

static int sim_set(void *ctx, bool on)
{
        struct sim *s = ctx;

        pthread_mutex_lock(&s->mu);
        advance(s);
        if (s->want_on != on) {
                s->want_on = on;
                record(s, on ? "on" : "off", NULL);
        }
        s->pad.heater_on = s->want_on || s->stuck_on;
        pthread_mutex_unlock(&s->mu);
        return 0;
}

static void sim_force_off(void *ctx)
{
        struct sim *s = ctx;
        /* No lock (a crash handler may have interrupted a holder): a bool
         * store and a write(2) are safe here. */
        if (s->want_on) {
                s->want_on = false;
                record(s, "off", NULL);
        }
}

static void sim_release(void *ctx)
{
        struct sim *s = ctx;
        if (!s || --s->users > 0)
                return;
        pthread_mutex_destroy(&s->mu);
        free(s);
}

static const struct { const char *name; enum sim_fault f; } fault_names[] = {
        { "sensor_disconnect", SIM_SENSOR_DISCONNECT },
        { "sensor_stuck", SIM_SENSOR_STUCK },
        { "relay_stuck_on", SIM_RELAY_STUCK_ON },
        { "sensor_power_on", SIM_SENSOR_POWER_ON },
        { "sensor_silent", SIM_SENSOR_SILENT },
        { "heal", SIM_FAULT_HEAL },
};

static const char *fault_name(enum sim_fault f)
{
        for (size_t i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++)
                if (fault_names[i].f == f)
                        return fault_names[i].name;
        return "none";
}

static const struct sensor_ops sim_sensor_ops = {
        .name = "sim",
        .read = sim_read,
        .close = sim_release,
};

static const struct relay_ops sim_relay_ops = {
        .name = "sim",
        .set = sim_set,
        .force_off = sim_force_off,
        .close = sim_release,
};

int sim_open(const struct sim_cfg *cfg, int zone_index,
             const struct hw_env *env, struct sim **ret)
{
        struct sim_pad_params p;
        struct sim *s = calloc(1, sizeof(*s));

        if (!s)
                return -ENOMEM;
        pthread_mutex_init(&s->mu, NULL);
        sim_pad_default_params(&p);
        p.power_w = cfg->power_w;
        p.room_c = cfg->room_c;
        sim_pad_init(&s->pad, &p);
        s->cfg = *cfg;
        s->clock = env->clock;
        s->zone = zone_index;
        s->log_fd = env->relay_log_fd;
        s->rng = cfg->seed;
        s->last_ms = vclock_mono_ms(env->clock);
        *ret = s;
        return 0;
}

void sim_as_sensor(struct sim *s, struct sensor *ret)
{
        s->users++;
        *ret = (struct sensor){ &sim_sensor_ops, s };
}

void sim_as_relay(struct sim *s, struct relay *ret)
{
        s->users++;
        *ret = (struct relay){ &sim_relay_ops, s };
}

struct sim *sim_of_sensor(const struct sensor *s)
{
        return s->ops == &sim_sensor_ops ? s->ctx : NULL;
}

void sim_inject(struct sim *s, enum sim_fault f)
{
        pthread_mutex_lock(&s->mu);
        advance(s);
        switch (f) {
        case SIM_SENSOR_DISCONNECT: s->disconnected = true; break;
        case SIM_SENSOR_STUCK: s->stuck = true; break;
        case SIM_RELAY_STUCK_ON: s->stuck_on = true; break;
        case SIM_SENSOR_POWER_ON: s->power_on = true; break;
        case SIM_SENSOR_SILENT: s->silent = true; break;
        case SIM_FAULT_HEAL:
                s->disconnected = s->stuck = s->stuck_on = s->power_on =
                        s->silent = false;
                break;
        default: break;
        }
        record(s, "fault", fault_name(f));
        s->pad.heater_on = s->want_on || s->stuck_on;
        pthread_mutex_unlock(&s->mu);
}

enum sim_fault sim_fault_parse(const char *name)
{
        for (size_t i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++)
                if (strcmp(name, fault_names[i].name) == 0)
                        return fault_names[i].f;
        return SIM_FAULT_NONE;
}

void sim_light(struct sim *s, bool on)
{
        pthread_mutex_lock(&s->mu);
        advance(s);
        record(s, "light", on ? "on" : "off");
        pthread_mutex_unlock(&s->mu);
}
