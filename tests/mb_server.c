/* mb_server.c: the Modbus peer of the hardware tests. A real libmodbus
 * server (TCP on loopback, or RTU on a serial device such as one end of a
 * socat pty pair) over a simulated pad (controller/hw/sim_pad.c):
 *
 *   input and holding register 0   the pad sensor, int16 in 0.1 degC
 *   input and holding register 1   a second sensor: register 0 + skew
 *   coil 0                         the pad's heater
 *
 * The test drives it with lines on stdin and reads what it did on stdout:
 *
 *   fault reg|coil|all none|silent|exception|wrong_unit
 *           silent: no answer; exception: "server failure" answer;
 *           wrong_unit: the answer names another unit id;
 *           stuck: a coil write is answered but not done (welded relay)
 *   down, up       TCP: close the listener and every client; listen again
 *   skew C         the second sensor reads C above the first
 *   delay MS       every register (sensor) answer waits MS first; coils
 *                  answer at once, so a slow sensor is not a slow relay
 *   set C          the pad (and its sensor) jump to C
 *   quit
 *
 *   ready port=N   once listening (port 0 on the command line: the OS picks)
 *   coil on|off    each time the heater coil changes
 *   temp C         the sensor, once a second (real time)
 *   ok LINE        a command was taken
 *
 * --speed N runs the pad model N times faster than real time, so a test
 * sees minutes of heating in seconds. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <modbus/modbus.h>

#include "hw/mb_decode.h"
#include "hw/sim_pad.h"

#define MAX_CLIENTS 16

enum fault { F_NONE, F_SILENT, F_EXCEPTION, F_WRONG_UNIT, F_STUCK };

struct server {
        modbus_t *ctx;
        modbus_mapping_t *map;
        bool rtu;
        const char *device;
        int baud;
        int port;
        int listen_fd;
        int clients[MAX_CLIENTS];
        int unit;
        enum fault reg_fault, coil_fault;
        double skew_c, speed;
        int delay_ms;
        struct sim_pad pad;
        double last_s, last_print_s;
        bool coil;
};

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void update_registers(struct server *s)
{
        const struct mb_scaling sc = { true, 0.1, 0 };
        double t = now_s();
        uint16_t raw;

        sim_pad_step(&s->pad, (t - s->last_s) * s->speed);
        s->last_s = t;
        s->pad.heater_on = s->map->tab_bits[0] != 0;
        if (mb_encode_temp(s->pad.sensor_c, &sc, &raw) == 0)
                s->map->tab_registers[0] = s->map->tab_input_registers[0] = raw;
        if (mb_encode_temp(s->pad.sensor_c + s->skew_c, &sc, &raw) == 0)
                s->map->tab_registers[1] = s->map->tab_input_registers[1] = raw;
        if (t - s->last_print_s >= 1.0) {
                s->last_print_s = t;
                printf("temp %.2f\n", s->pad.sensor_c);
                fflush(stdout);
        }
}

static void note_coil(struct server *s)
{
        bool on = s->map->tab_bits[0] != 0;
        if (on != s->coil) {
                s->coil = on;
                s->pad.heater_on = on;
                printf("coil %s\n", on ? "on" : "off");
                fflush(stdout);
        }
}

static enum fault parse_fault(const char *w)
{
        if (strcmp(w, "silent") == 0)
                return F_SILENT;
        if (strcmp(w, "exception") == 0)
                return F_EXCEPTION;
        if (strcmp(w, "wrong_unit") == 0)
                return F_WRONG_UNIT;
        if (strcmp(w, "stuck") == 0)
                return F_STUCK;
        return F_NONE;
}

static void handle_request(struct server *s, uint8_t *req, int len)
{
        int hl = modbus_get_header_length(s->ctx);
        int fc = req[hl];
        bool coil = fc == 0x01 || fc == 0x05 || fc == 0x0f;
        enum fault f = coil ? s->coil_fault : s->reg_fault;

        update_registers(s);
        if (s->delay_ms > 0 && !coil)
                usleep((useconds_t)s->delay_ms * 1000);
        switch (f) {
        case F_SILENT:
                return;
        case F_EXCEPTION:
                modbus_reply_exception(s->ctx, req,
                        MODBUS_EXCEPTION_SLAVE_OR_SERVER_FAILURE);
                return;
        case F_WRONG_UNIT:
                /* The answer is built from the request's unit byte. */
                req[hl - 1] = (uint8_t)(req[hl - 1] % 200 + 7);
                break;
        default:
                break;
        }
        uint8_t before = s->map->tab_bits[0];
        modbus_reply(s->ctx, req, len, s->map);
        if (f == F_STUCK)
                s->map->tab_bits[0] = before;
        note_coil(s);
}

static int tcp_listen(struct server *s)
{
        struct sockaddr_in a;
        socklen_t alen = sizeof(a);

        /* Listen again on the port we had, as a device back from a reboot
         * would (a context made for port 0 would pick a new one). */
        if (s->port > 0) {
                modbus_free(s->ctx);
                s->ctx = modbus_new_tcp("127.0.0.1", s->port);
                if (!s->ctx)
                        return -1;
        }
        s->listen_fd = modbus_tcp_listen(s->ctx, MAX_CLIENTS);
        if (s->listen_fd < 0)
                return -1;
        if (getsockname(s->listen_fd, (struct sockaddr *)&a, &alen) == 0)
                s->port = ntohs(a.sin_port);
        return 0;
}

static void tcp_down(struct server *s)
{
        for (int i = 0; i < MAX_CLIENTS; i++)
                if (s->clients[i] >= 0) {
                        close(s->clients[i]);
                        s->clients[i] = -1;
                }
        if (s->listen_fd >= 0)
                close(s->listen_fd);
        s->listen_fd = -1;
}

static bool command(struct server *s, char *line)
{
        char a[32] = "", b[32] = "";
        double v;

        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "fault %31s %31s", a, b) == 2) {
                enum fault f = parse_fault(b);
                if (strcmp(a, "reg") == 0 || strcmp(a, "all") == 0)
                        s->reg_fault = f;
                if (strcmp(a, "coil") == 0 || strcmp(a, "all") == 0)
                        s->coil_fault = f;
        } else if (strcmp(line, "down") == 0 && !s->rtu) {
                tcp_down(s);
        } else if (strcmp(line, "up") == 0 && !s->rtu) {
                if (s->listen_fd < 0 && tcp_listen(s) < 0) {
                        printf("error listen: %s\n", modbus_strerror(errno));
                        fflush(stdout);
                        return true;
                }
        } else if (sscanf(line, "skew %lf", &v) == 1) {
                s->skew_c = v;
        } else if (sscanf(line, "delay %lf", &v) == 1) {
                s->delay_ms = (int)v;
        } else if (sscanf(line, "set %lf", &v) == 1) {
                s->pad.pad_c = s->pad.sensor_c = v;
        } else if (strcmp(line, "quit") == 0) {
                return false;
        } else {
                printf("error unknown command '%s'\n", line);
                fflush(stdout);
                return true;
        }
        update_registers(s);
        printf("ok %s\n", line);
        fflush(stdout);
        return true;
}

static int rtu_open(struct server *s)
{
        if (s->ctx)
                modbus_free(s->ctx);
        s->ctx = modbus_new_rtu(s->device, s->baud, 'N', 8, 1);
        if (!s->ctx)
                return -1;
        modbus_set_slave(s->ctx, s->unit);
        if (modbus_connect(s->ctx) < 0)
                return -1;
        return 0;
}

/* One pass: wait up to 100 ms for stdin or a request. */
static bool serve_once(struct server *s)
{
        uint8_t req[MODBUS_TCP_MAX_ADU_LENGTH];
        struct timeval tv = { 0, 100000 };
        fd_set rd;
        int maxfd = 0;

        FD_ZERO(&rd);
        FD_SET(0, &rd);
        if (s->rtu) {
                int fd = modbus_get_socket(s->ctx);
                if (fd >= 0) {
                        FD_SET(fd, &rd);
                        maxfd = fd;
                }
        } else {
                if (s->listen_fd >= 0) {
                        FD_SET(s->listen_fd, &rd);
                        maxfd = s->listen_fd;
                }
                for (int i = 0; i < MAX_CLIENTS; i++)
                        if (s->clients[i] >= 0) {
                                FD_SET(s->clients[i], &rd);
                                if (s->clients[i] > maxfd)
                                        maxfd = s->clients[i];
                        }
        }
        int n = select(maxfd + 1, &rd, NULL, NULL, &tv);
        update_registers(s);
        if (n < 0)
                return errno == EINTR;
        if (FD_ISSET(0, &rd)) {
                char line[128];
                if (!fgets(line, sizeof(line), stdin) || !command(s, line))
                        return false;
        }
        if (s->rtu) {
                int fd = modbus_get_socket(s->ctx);
                if (fd < 0 || FD_ISSET(fd, &rd)) {
                        int len = fd < 0 ? -1 : modbus_receive(s->ctx, req);
                        if (len > 0)
                                handle_request(s, req, len);
                        else if (len < 0 && errno != ETIMEDOUT &&
                                 errno != EMBBADCRC) {
                                /* The pty went away (socat restarted):
                                 * open it again once it is back. */
                                modbus_close(s->ctx);
                                usleep(100000);
                                rtu_open(s);
                        }
                }
                return true;
        }
        if (s->listen_fd >= 0 && FD_ISSET(s->listen_fd, &rd)) {
                int fd = accept(s->listen_fd, NULL, NULL);
                for (int i = 0; fd >= 0 && i < MAX_CLIENTS; i++)
                        if (s->clients[i] < 0) {
                                s->clients[i] = fd;
                                fd = -1;
                        }
                if (fd >= 0)
                        close(fd);
        }
        for (int i = 0; i < MAX_CLIENTS; i++) {
                if (s->clients[i] < 0 || !FD_ISSET(s->clients[i], &rd))
                        continue;
                modbus_set_socket(s->ctx, s->clients[i]);
                int len = modbus_receive(s->ctx, req);
                if (len > 0) {
                        handle_request(s, req, len);
                } else if (len < 0) {
                        close(s->clients[i]);
                        s->clients[i] = -1;
                }
        }
        return true;
}

int main(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "tcp", required_argument, NULL, 't' },
                { "rtu", required_argument, NULL, 'r' },
                { "baud", required_argument, NULL, 'b' },
                { "unit", required_argument, NULL, 'u' },
                { "speed", required_argument, NULL, 's' },
                { "start-c", required_argument, NULL, 'c' },
                { "power-w", required_argument, NULL, 'w' },
                { "delay-ms", required_argument, NULL, 'd' },
                { NULL, 0, NULL, 0 },
        };
        struct server s = { .listen_fd = -1, .unit = 1, .speed = 1,
                            .baud = 9600, .port = -1 };
        struct sim_pad_params p;
        double start_c = NAN;
        int c;

        sim_pad_default_params(&p);
        for (int i = 0; i < MAX_CLIENTS; i++)
                s.clients[i] = -1;
        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (c) {
                case 't': s.port = atoi(optarg); break;
                case 'r': s.rtu = true; s.device = optarg; break;
                case 'b': s.baud = atoi(optarg); break;
                case 'u': s.unit = atoi(optarg); break;
                case 's': s.speed = atof(optarg); break;
                case 'c': start_c = atof(optarg); break;
                case 'w': p.power_w = atof(optarg); break;
                case 'd': s.delay_ms = atoi(optarg); break;
                default:
                        fprintf(stderr, "usage: mb_server (--tcp PORT | --rtu "
                                "DEVICE) [--baud N] [--unit N] [--speed N] "
                                "[--start-c C] [--power-w W] [--delay-ms N]\n");
                        return 2;
                }
        }
        if (!s.rtu && s.port < 0) {
                fprintf(stderr, "mb_server: --tcp PORT or --rtu DEVICE\n");
                return 2;
        }
        sim_pad_init(&s.pad, &p);
        if (!isnan(start_c)) {
                s.pad.pad_c = s.pad.sensor_c = start_c;
                s.pad.body_c = start_c < 37 ? start_c : 37;
        }
        s.map = modbus_mapping_new(8, 0, 8, 8);
        if (!s.map)
                return 1;
        s.last_s = s.last_print_s = now_s();
        if (s.rtu) {
                if (rtu_open(&s) < 0) {
                        fprintf(stderr, "mb_server: %s: %s\n", s.device,
                                modbus_strerror(errno));
                        return 1;
                }
        } else {
                s.ctx = modbus_new_tcp("127.0.0.1", s.port);
                if (!s.ctx || tcp_listen(&s) < 0) {
                        fprintf(stderr, "mb_server: listen: %s\n",
                                modbus_strerror(errno));
                        return 1;
                }
        }
        update_registers(&s);
        printf("ready port=%d\n", s.rtu ? 0 : s.port);
        fflush(stdout);
        while (serve_once(&s))
                ;
        if (!s.rtu)
                tcp_down(&s);
        modbus_close(s.ctx);
        modbus_free(s.ctx);
        modbus_mapping_free(s.map);
        return 0;
}
