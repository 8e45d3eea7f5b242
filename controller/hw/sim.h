/* sim.h: the simulated backend, a sensor and a relay over one simulated pad
 * (sim_pad.h) per zone. The pad advances lazily to the clock's now whenever
 * it is read or switched; a mutex guards it (the crash handler and any
 * caller of read() off the loop). In the daemon a conversion is a vtimer:
 * sim_sample() now, the answer conversion_ms later in virtual time. Tests
 * inject faults through sim_inject(). */
#ifndef HEATPAD_HW_SIM_H
#define HEATPAD_HW_SIM_H

#include "hw/hw.h"

enum sim_fault {
        SIM_FAULT_NONE,
        SIM_SENSOR_DISCONNECT,  /* reads fail with -ENODEV */
        SIM_SENSOR_STUCK,       /* reads return the last value forever */
        SIM_RELAY_STUCK_ON,     /* the heater stays on whatever is asked */
        SIM_SENSOR_POWER_ON,    /* reads return 85.000 */
        SIM_SENSOR_SILENT,      /* reads hang 10 s, then time out */
        SIM_FAULT_HEAL,         /* all of the above undone */
};

struct sim;

int sim_open(const struct sim_cfg *cfg, int zone_index,
             const struct hw_env *env, struct sim **ret);

/* The ops over an open sim; the sensor and relay share it. */
void sim_as_sensor(struct sim *s, struct sensor *ret);
void sim_as_relay(struct sim *s, struct relay *ret);

/* The sim behind a sensor, or NULL when it is not simulated. */
struct sim *sim_of_sensor(const struct sensor *s);

/* A conversion in virtual time, for a caller that delivers the answer
 * itself (daemon/reader.c, on a vtimer): samples the pad now and says after
 * how many virtual ms the answer is due (conversion_ms + read_delay_ms, or
 * 10 s for a silent sensor, whose answer is -ETIMEDOUT). Returns what the
 * read answers: 0 with *ret_c, or -errno. Never sleeps. */
int sim_sample(struct sim *s, double *ret_c, uint64_t *ret_after_ms);

/* Injects a fault (thread-safe). */
void sim_inject(struct sim *s, enum sim_fault f);

/* Notes a step of the simulated wall clock in the relays' record (log_fd
 * from struct hw_env; -1 for none): "MONO_MS -1 clock +S WALL", with WALL
 * after the step, so a test can map the record's mono times to wall time. */
void sim_note_clock_step(int log_fd, const struct vclock *clock,
                         long long seconds);

/* Parses "sensor_disconnect", "sensor_stuck", "relay_stuck_on",
 * "sensor_power_on", "sensor_silent", "heal"; SIM_FAULT_NONE if unknown. */
enum sim_fault sim_fault_parse(const char *name);

/* A simulated zone's indicator light: each change is a line of the relay
 * log, "MONO_MS ZONE light on|off WALL PAD_C". */
void sim_light(struct sim *s, bool on);

#endif
