/* options.c: see options.h. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/options.h"
#include "daemon/vclock.h"

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
              "simulation only:\n"
              "  --sim-speed N|max        run the virtual clock N times faster (never\n"
              "                           past work that is due), or max: from deadline\n"
              "                           to deadline as fast as the CPU allows\n"
              "  --sim-control PATH       virtual time moves only as commanded on the unix\n"
              "                           socket PATH (advance S, now, step S)\n"
              "  --sim-start TIME         virtual wall clock start, e.g. 2026-11-24T20:29\n"
              "  --sim-fault ZONE:KIND@S  inject a fault S virtual seconds after start\n"
              "                           (sensor_disconnect, sensor_silent, sensor_stuck,\n"
              "                            sensor_power_on, relay_stuck_on, heal)\n"
              "  --sim-clock-step S@T     step the wall clock by S seconds (+ or -) T virtual\n"
              "                           seconds after start, as NTP would (repeatable)\n"
              "  --sim-relay-log FILE     the simulated relays' own record of every switch\n"
              "  --run-for SECONDS        exit cleanly after this many virtual seconds\n"
              "  --all-off                drive every configured relay off and exit\n"
              "  --version\n", f);
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
        char *end;
        long min = strtol(c1 + 1, &end, 10);
        if (end != c2 || min <= 0 || min > 10000)
                return -1;
        double sp = strtod(c2 + 1, &end);
        if (*end || end == c2 + 1 || !isfinite(sp))
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
        char kind[32], *end;

        if (!colon || !at || o->nfaults >= MAX_SIM_FAULTS ||
            (size_t)(colon - arg) >= CONFIG_NAME_MAX ||
            (size_t)(at - colon - 1) >= sizeof(kind))
                return -1;
        snprintf(kind, sizeof(kind), "%.*s", (int)(at - colon - 1), colon + 1);
        double s = strtod(at + 1, &end);
        enum sim_fault f = sim_fault_parse(kind);
        if (*end || end == at + 1 || s < 0 || f == SIM_FAULT_NONE)
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
        char *end;
        long long sec = strtoll(arg, &end, 10);

        if (end == arg || *end != '@' || o->nsteps >= MAX_SIM_STEPS ||
            sec == 0 || llabs(sec) > 7 * 86400)
                return -1;
        const char *at = end + 1;
        double s = strtod(at, &end);
        if (*end || end == at || !(s >= 0))
                return -1;
        o->steps[o->nsteps].seconds = sec;
        o->steps[o->nsteps].at_s = s;
        o->nsteps++;
        return 0;
}

int parse_args(int argc, char **argv, struct options *o)
{
        enum { O_CONFIG = 256, O_CHECK, O_STATE, O_START, O_LOGFMT, O_SPEED,
               O_SIMSTART, O_FAULT, O_RELAYLOG, O_RUNFOR, O_STATUS, O_INJURY,
               O_SWELLING, O_WARN, O_CLEAR, O_CLEARFAULT, O_VERSION, O_HELP,
               O_AUTOTUNE, O_ALLOFF, O_PROBE, O_STEP, O_CONFIRM,
               O_SIMCONTROL };
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
        char *end;
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
                                        "SETPOINT, e.g. 'upper back:20:40'\n");
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
                        o->sim_speed = strtod(optarg, &end);
                        if (*end || !(o->sim_speed >= 1 && o->sim_speed <= 100000)) {
                                fprintf(stderr, "--sim-speed: a number from 1 "
                                        "to 100000, or max\n");
                                return -1;
                        }
                        break;
                case O_SIMSTART:
                        o->sim_start = vclock_parse_local(optarg);
                        if (o->sim_start < 0) {
                                fprintf(stderr, "--sim-start: expected local "
                                        "time as 2026-11-24T20:29\n");
                                return -1;
                        }
                        break;
                case O_FAULT:
                        if (parse_fault(optarg, o) < 0) {
                                fprintf(stderr, "--sim-fault: expected "
                                        "ZONE:KIND@SECONDS\n");
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
                case O_STATUS: {
                        double v = strtod(optarg, &end);
                        if (*end || !(v >= 0)) {
                                fprintf(stderr, "%s: seconds, >= 0\n",
                                        c == O_RUNFOR ? "--run-for" :
                                        "--status-every");
                                return -1;
                        }
                        *(c == O_RUNFOR ? &o->run_for_s : &o->status_every_s) = v;
                        break;
                }
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
