/* options.h: the daemon's command line.
 *
 * options_parse() fills struct options from argv and says why an argument is
 * bad; main.c acts on the result. The options are documented in usage()
 * and in README.md's "Command line". */
#ifndef HEATPAD_OPTIONS_H
#define HEATPAD_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "config/config.h"
#include "hw/sim.h"

#define HEATPAD_VERSION "0.1.0"
#define MAX_CLI_STARTS 8
#define MAX_SIM_FAULTS 32
#define MAX_SIM_STEPS 8
#define MAX_SIM_PRESSES 32

struct cli_start {
        char zone[CONFIG_NAME_MAX];
        int minutes;
        double setpoint_c;
};

struct options {
        const char *config_path;
        const char *check_path;
        const char *state_path;
        const char *relay_log;
        double sim_speed;
        time_t sim_start;
        bool json;
        double run_for_s;
        double status_every_s;
        int nstarts;
        struct cli_start starts[MAX_CLI_STARTS];
        int nfaults;
        struct {
                char zone[CONFIG_NAME_MAX];
                enum sim_fault fault;
                double at_s;
        } faults[MAX_SIM_FAULTS];
        int nsteps;                     /* --sim-clock-step */
        struct {
                long long seconds;
                double at_s;
        } steps[MAX_SIM_STEPS];
        const char *injury_at, *swelling_at, *warning_signs;
        bool clear_record;
        bool confirm_safe;              /* --confirm-safe */
        const char *autotune;           /* --autotune ZONE */
        int nclears;
        char clears[CONFIG_MAX_ZONES][CONFIG_NAME_MAX];
        bool all_off;                   /* systemd: --all-off */
        bool probe;
        bool config_given;
        bool sim_max;                   /* --sim-speed max */
        const char *sim_control;        /* --sim-control PATH */
        int npresses;                   /* --sim-press */
        struct {
                char zone[CONFIG_NAME_MAX];     /* a zone, or "all" */
                double at_s, hold_s;
        } presses[MAX_SIM_PRESSES];
        bool sim_speed_given;
};

/* 0 to run, 1 when done (--help, --version), -1 on a bad argument (a line
 * on stderr says which and why). */
int options_parse(int argc, char **argv, struct options *o);

#endif
