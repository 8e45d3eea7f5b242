/* options.c: see options.h. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config/local_time.h"
#include "daemon/options.h"

static void usage(FILE *f)
{
        fputs("usage: heatpadd [options]\n"
              "  --config FILE            configuration (default /etc/heatpad/config.json)\n"
              "  --check-config FILE      validate FILE, print 'configuration OK' or the problems\n"
              "  --state-file FILE        override the config's state_file\n"
              "  --start ZONE:MIN:SETPOINT  start a session at launch (repeatable)\n"
              "  --log-format text|json   one line per state change (default text)\n"
              "  --status-every SECONDS   a status line per zone this often (default 60, 0 = off)\n"
              "  --record-injury WHEN     record a sudden injury (WHEN: now or 2026-11-24T20:15)\n"
              "  --record-swelling WHEN   record visible swelling or inflammation\n"
              "  --warning-signs WHICH    none, pain, nerve, both (see a doctor) or urgent\n"
              "                           (get urgent care now); any but none blocks heat\n"
              "  --clear-record           clear the injury and warning-sign record\n"
              "  --confirm-safe           no injury or swelling in the last 48 hours and the\n"
              "                           pad is fine: heat no longer blocked by a state\n"
              "                           file whose record could not be read\n"
              "  --autotune ZONE          relay-feedback autotune of ZONE, store the result, exit\n"
              "  --clear-fault ZONE       clear a latched fault once a fresh reading shows\n"
              "                           its cause is gone (repeatable)\n"
              "  --probe                  list DS18B20 sensors, GPIO chips and whether the\n"
              "                           configured Modbus devices answer, then exit\n"
              "  --all-off                write every configured relay off, a line per relay,\n"
              "                           and exit (non-zero naming any that failed); the\n"
              "                           unit's ExecStopPost, as a GPIO line keeps its level\n"
              "                           after a crash\n"
              "  --help, --version\n"
              "simulation only:\n"
              "  --sim-speed N|max        run the virtual clock N times faster (never\n"
              "                           past work that is due), or max: from deadline\n"
              "                           to deadline as fast as the CPU allows\n"
              "  --sim-control PATH       virtual time moves only as commanded on the unix\n"
              "                           socket PATH (advance S, now, step S)\n"
              "  --sim-start TIME         virtual wall clock start, e.g. 2026-11-24T20:29\n"
              "  --sim-fault ZONE:KIND@S  inject a fault S virtual seconds after start\n"
              "  --sim-press ZONE@S[:HOLD] press a simulated button S virtual seconds\n"
              "                           after start, held HOLD seconds (0.2)\n"
              "                           (sensor_disconnect, sensor_silent, sensor_stuck,\n"
              "                            sensor_power_on, relay_stuck_on, heal)\n"
              "  --sim-clock-step S@T     step the wall clock by S seconds (+ or -) T virtual\n"
              "                           seconds after start, as NTP would (repeatable)\n"
              "  --sim-relay-log FILE     the simulated relays' own record of every switch\n"
              "  --run-for SECONDS        exit cleanly after this many virtual seconds\n",
              f);
}

/* The longest span an option in seconds may give: ten years. Anything
 * longer is a mistake, and times a thousand it still fits the uint64_t
 * milliseconds main.c turns it into. */
#define OPT_MAX_SECONDS (10.0 * 365 * 86400)

/* A number in [min, max] in the whole of s (no NaN or infinity); 0, or -1
 * when it is not one. */
static int number_in(const char *s, double min, double max, double *ret)
{
        char *end;
        double v;

        if (!*s || strchr(" \t\n", *s))
                return -1;
        errno = 0;
        v = strtod(s, &end);
        if (errno || *end || !isfinite(v) || !(v >= min && v <= max))
                return -1;
        *ret = v;
        return 0;
}

/* The same as a whole number. */
static int integer_in(const char *s, long long min, long long max,
                      long long *ret)
{
        char *end;
        long long v;

        if (!*s || strchr(" \t\n", *s))
                return -1;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno || *end || v < min || v > max)
                return -1;
        *ret = v;
        return 0;
}

/* An option's number, or a line naming the option and its range. */
static int option_number(const char *opt, const char *arg, double min,
                         double max, const char *unit, double *ret)
{
        if (number_in(arg, min, max, ret) == 0)
                return 0;
        fprintf(stderr, "--%s: '%s' is not a number from %.10g to %.10g%s%s\n", opt,
                arg, min, max, unit ? " " : "", unit ? unit : "");
        return -1;
}

static int parse_start(const char *arg, struct cli_start *ret)
{
        /* Zone names may hold spaces but not ':'; split from the right. */
        const char *c2 = strrchr(arg, ':');
        if (!c2 || c2 == arg)
                return -1;
        const char *c1 = c2 - 1;
        while (c1 > arg && *c1 != ':')
                c1--;
        if (*c1 != ':' || c1 == arg || (size_t)(c1 - arg) >= sizeof(ret->zone))
                return -1;
        char num[32];
        long long min;
        double sp;
        if ((size_t)(c2 - c1 - 1) >= sizeof(num))
                return -1;
        snprintf(num, sizeof(num), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
        if (integer_in(num, 1, 10000, &min) < 0 ||
            number_in(c2 + 1, 0, 100, &sp) < 0)
                return -1;
        snprintf(ret->zone, sizeof(ret->zone), "%.*s", (int)(c1 - arg), arg);
        ret->minutes = (int)min;
        ret->setpoint_c = sp;
        return 0;
}

static int parse_fault(const char *arg, struct options *o)
{
        const char *colon = strrchr(arg, ':');
        const char *at = colon ? strchr(colon, '@') : NULL;
        char kind[32];
        double s;

        if (!colon || !at || o->nfaults >= MAX_SIM_FAULTS ||
            (size_t)(colon - arg) >= CONFIG_NAME_MAX ||
            (size_t)(at - colon - 1) >= sizeof(kind))
                return -1;
        snprintf(kind, sizeof(kind), "%.*s", (int)(at - colon - 1), colon + 1);
        enum sim_fault f = sim_fault_parse(kind);
        if (number_in(at + 1, 0, OPT_MAX_SECONDS, &s) < 0 ||
            f == SIM_FAULT_NONE)
                return -1;
        snprintf(o->faults[o->nfaults].zone, CONFIG_NAME_MAX, "%.*s",
                 (int)(colon - arg), arg);
        o->faults[o->nfaults].fault = f;
        o->faults[o->nfaults].at_s = s;
        o->nfaults++;
        return 0;
}

static int parse_step(const char *arg, struct options *o)
{
        const char *at = strchr(arg, '@');
        char num[32];
        long long sec;
        double s;

        if (!at || (size_t)(at - arg) >= sizeof(num) ||
            o->nsteps >= MAX_SIM_STEPS)
                return -1;
        snprintf(num, sizeof(num), "%.*s", (int)(at - arg), arg);
        if (integer_in(num, -7 * 86400, 7 * 86400, &sec) < 0 || sec == 0 ||
            number_in(at + 1, 0, OPT_MAX_SECONDS, &s) < 0)
                return -1;
        o->steps[o->nsteps].seconds = sec;
        o->steps[o->nsteps].at_s = s;
        o->nsteps++;
        return 0;
}

/* ZONE@S[:HOLD_S]: a simulated button pressed at S, held HOLD_S (0.2). */
static int parse_press(const char *arg, struct options *o)
{
        const char *at = strrchr(arg, '@');
        const char *colon = at ? strchr(at, ':') : NULL;
        char num[32];
        double s, hold = 0.2;

        if (!at || at == arg || (size_t)(at - arg) >= CONFIG_NAME_MAX ||
            o->npresses >= MAX_SIM_PRESSES)
                return -1;
        size_t n = colon ? (size_t)(colon - at - 1) : strlen(at + 1);
        if (n >= sizeof(num))
                return -1;
        snprintf(num, sizeof(num), "%.*s", (int)n, at + 1);
        if (number_in(num, 0, OPT_MAX_SECONDS, &s) < 0 ||
            (colon && number_in(colon + 1, 0, 3600, &hold) < 0))
                return -1;
        snprintf(o->presses[o->npresses].zone, CONFIG_NAME_MAX, "%.*s",
                 (int)(at - arg), arg);
        o->presses[o->npresses].at_s = s;
        o->presses[o->npresses].hold_s = hold;
        o->npresses++;
        return 0;
}

int options_parse(int argc, char **argv, struct options *o)
{
        enum { O_CONFIG = 256, O_CHECK, O_STATE, O_START, O_LOGFMT, O_SPEED,
               O_SIMSTART, O_FAULT, O_RELAYLOG, O_RUNFOR, O_STATUS, O_INJURY,
               O_SWELLING, O_WARN, O_CLEAR, O_CLEARFAULT, O_VERSION, O_HELP,
               O_AUTOTUNE, O_ALLOFF, O_PROBE, O_STEP, O_CONFIRM,
               O_SIMCONTROL, O_PRESS };
        static const struct option longopts[] = {
                { "config", required_argument, NULL, O_CONFIG },
                { "check-config", required_argument, NULL, O_CHECK },
                { "state-file", required_argument, NULL, O_STATE },
                { "start", required_argument, NULL, O_START },
                { "log-format", required_argument, NULL, O_LOGFMT },
                { "sim-speed", required_argument, NULL, O_SPEED },
                { "sim-start", required_argument, NULL, O_SIMSTART },
                { "sim-fault", required_argument, NULL, O_FAULT },
                { "sim-relay-log", required_argument, NULL, O_RELAYLOG },
                { "sim-clock-step", required_argument, NULL, O_STEP },
                { "sim-control", required_argument, NULL, O_SIMCONTROL },
                { "sim-press", required_argument, NULL, O_PRESS },
                { "run-for", required_argument, NULL, O_RUNFOR },
                { "status-every", required_argument, NULL, O_STATUS },
                { "record-injury", required_argument, NULL, O_INJURY },
                { "record-swelling", required_argument, NULL, O_SWELLING },
                { "warning-signs", required_argument, NULL, O_WARN },
                { "clear-record", no_argument, NULL, O_CLEAR },
                { "confirm-safe", no_argument, NULL, O_CONFIRM },
                { "autotune", required_argument, NULL, O_AUTOTUNE },
                { "clear-fault", required_argument, NULL, O_CLEARFAULT },
                { "all-off", no_argument, NULL, O_ALLOFF },
                { "probe", no_argument, NULL, O_PROBE },
                { "version", no_argument, NULL, O_VERSION },
                { "help", no_argument, NULL, O_HELP },
                { NULL, 0, NULL, 0 },
        };
        int c;

        *o = (struct options){
                .config_path = "/etc/heatpad/config.json",
                .sim_speed = 1,
                .sim_start = -1,
                .status_every_s = 60,
        };
        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (c) {
                case O_CONFIG:
                        o->config_path = optarg;
                        o->config_given = true;
                        break;
                case O_PROBE: o->probe = true; break;
                case O_CHECK: o->check_path = optarg; break;
                case O_STATE: o->state_path = optarg; break;
                case O_RELAYLOG: o->relay_log = optarg; break;
                case O_INJURY: o->injury_at = optarg; break;
                case O_SWELLING: o->swelling_at = optarg; break;
                case O_CLEAR: o->clear_record = true; break;
                case O_CONFIRM: o->confirm_safe = true; break;
                case O_AUTOTUNE: o->autotune = optarg; break;
                case O_CLEARFAULT:
                        if (o->nclears >= CONFIG_MAX_ZONES ||
                            strlen(optarg) >= CONFIG_NAME_MAX) {
                                fprintf(stderr, "--clear-fault: too many, or "
                                        "name too long\n");
                                return -1;
                        }
                        snprintf(o->clears[o->nclears++], CONFIG_NAME_MAX,
                                 "%s", optarg);
                        break;
                case O_ALLOFF: o->all_off = true; break;
                case O_WARN:
                        if (strcmp(optarg, "none") && strcmp(optarg, "pain") &&
                            strcmp(optarg, "nerve") && strcmp(optarg, "both") &&
                            strcmp(optarg, "urgent")) {
                                fprintf(stderr, "--warning-signs: none, pain, "
                                        "nerve, both or urgent\n");
                                return -1;
                        }
                        o->warning_signs = optarg;
                        break;
                case O_START:
                        if (o->nstarts >= MAX_CLI_STARTS ||
                            parse_start(optarg, &o->starts[o->nstarts]) < 0) {
                                fprintf(stderr, "--start: expected ZONE:MINUTES:"
                                        "SETPOINT (minutes 1 to 10000, "
                                        "setpoint 0 to 100 degC), e.g. "
                                        "'upper back:20:40'\n");
                                return -1;
                        }
                        o->nstarts++;
                        break;
                case O_LOGFMT:
                        if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
                                fprintf(stderr, "--log-format: text or json\n");
                                return -1;
                        }
                        o->json = strcmp(optarg, "json") == 0;
                        break;
                case O_SIMCONTROL:
                        if (!*optarg) {
                                fprintf(stderr, "--sim-control: a socket "
                                        "path\n");
                                return -1;
                        }
                        o->sim_control = optarg;
                        break;
                case O_SPEED:
                        o->sim_speed_given = true;
                        if (strcmp(optarg, "max") == 0) {
                                o->sim_max = true;
                                o->sim_speed = 1;
                                break;
                        }
                        o->sim_max = false;
                        if (option_number("sim-speed", optarg, 1, 100000,
                                          "or max", &o->sim_speed) < 0)
                                return -1;
                        break;
                case O_SIMSTART:
                        o->sim_start = local_time_to_epoch(optarg);
                        if (o->sim_start < 0) {
                                fprintf(stderr, "--sim-start: expected local "
                                        "time as 2026-11-24T20:29\n");
                                return -1;
                        }
                        break;
                case O_FAULT:
                        if (parse_fault(optarg, o) < 0) {
                                fprintf(stderr, "--sim-fault: expected "
                                        "ZONE:KIND@SECONDS (0 to %.0f seconds, "
                                        "at most %d faults)\n",
                                        OPT_MAX_SECONDS, MAX_SIM_FAULTS);
                                return -1;
                        }
                        break;
                case O_PRESS:
                        if (parse_press(optarg, o) < 0) {
                                fprintf(stderr, "--sim-press: expected "
                                        "ZONE@SECONDS[:HOLD_SECONDS], e.g. "
                                        "back@60:2.5 (ZONE all: the button "
                                        "of every zone; at most %d)\n",
                                        MAX_SIM_PRESSES);
                                return -1;
                        }
                        break;
                case O_STEP:
                        if (parse_step(optarg, o) < 0) {
                                fprintf(stderr, "--sim-clock-step: expected "
                                        "SECONDS@AT, e.g. -10800@3600 (at "
                                        "most %d, each within a week)\n",
                                        MAX_SIM_STEPS);
                                return -1;
                        }
                        break;
                case O_RUNFOR:
                        if (option_number("run-for", optarg, 0,
                                          OPT_MAX_SECONDS, "seconds",
                                          &o->run_for_s) < 0)
                                return -1;
                        break;
                case O_STATUS:
                        /* A day at most: a status line is a heartbeat. */
                        if (option_number("status-every", optarg, 0, 86400,
                                          "seconds", &o->status_every_s) < 0)
                                return -1;
                        break;
                case O_VERSION:
                        printf("heatpadd %s\n", HEATPAD_VERSION);
                        return 1;
                case O_HELP:
                        usage(stdout);
                        return 1;
                default:
                        usage(stderr);
                        return -1;
                }
        }
        if (o->sim_control && o->sim_speed_given) {
                fprintf(stderr, "--sim-control: virtual time moves only as "
                        "commanded; drop --sim-speed\n");
                return -1;
        }
        if (optind < argc) {
                fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
                return -1;
        }
        return 0;
}
