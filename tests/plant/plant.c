/* plant.c: see plant.h.
 *
 * Round figures, each good to a factor of ~1.5: a 40 W pad of ~0.12 m^2
 * with 1500 J/K (fabric, foam and the bedding it warms); convection
 * h ~ 4 W/(m^2 K) at a 15 K difference, rising with its 1/4 power; contact
 * to the skin ~9 W/(m^2 K) through a cover; ~1 kg of tissue under it;
 * resting skin perfusion 1.8 W/K, rising 8 % per degree of skin above
 * 34 degC. Smaller pads (USB, 12 V: 10-25 W) cover less, larger ones (mains
 * pads and mats, 100-150 W) more: area goes as power^0.6, so small pads
 * have less power per area and warm more slowly, large ones faster. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plant.h"

#define CORE_C 37.0
#define SUB_S 0.25
/* A DS18B20 samples at the start of its 750 ms conversion. */
#define LATENCY_S 0.75
#define QUANTUM_C 0.0625
/* A sensor in still air: a sleeved probe's time constant. */
#define AIR_TAU_S 90.0

static void sized(struct plant_params *p, const char *name, double power_w)
{
        double a = pow(power_w / 40.0, 0.6);

        plant_nominal(p);
        p->name = name;
        p->power_w = power_w;
        p->pad_j_per_k *= a;
        p->room_w_per_k *= a;
        p->skin_w_per_k *= a;
        p->skin_j_per_k *= a;
        p->perf_w_per_k *= a;
        p->mattress_w_per_k *= a;
}

void plant_nominal(struct plant_params *ret)
{
        *ret = (struct plant_params){
                .name = "40 W",
                .power_w = 40,
                .pad_j_per_k = 1500,
                .room_w_per_k = 0.5,
                .skin_w_per_k = 1.1,
                .skin_j_per_k = 3500,
                .perf_w_per_k = 1.8,
                .mattress_w_per_k = 0.15,
                .sensor_lag_s = 8,
                .dead_s = 2,
                .room_c = 22,
                .noise_c = 0.03,
        };
}

int plant_matrix(const struct plant_params **ret)
{
        static struct plant_params m[14];
        static bool made;

        if (!made) {
                sized(&m[0], "10 W", 10);
                sized(&m[1], "15 W", 15);
                sized(&m[2], "20 W", 20);
                sized(&m[3], "40 W", 40);
                sized(&m[4], "100 W", 100);
                sized(&m[5], "150 W", 150);
                sized(&m[6], "x0.5 heat capacity", 40);
                m[6].pad_j_per_k *= 0.5;
                sized(&m[7], "x4 heat capacity", 40);
                m[7].pad_j_per_k *= 4;
                sized(&m[8], "sensor lag 40 s", 40);
                m[8].sensor_lag_s = 40;
                sized(&m[9], "dead time 20 s", 40);
                m[9].dead_s = 20;
                sized(&m[10], "room 12 C", 40);
                m[10].room_c = 12;
                sized(&m[11], "room 28 C", 40);
                m[11].room_c = 28;
                sized(&m[12], "noise 0.15 C", 40);
                m[12].noise_c = 0.15;
                sized(&m[13], "gets up, lies down", 40);
                m[13].get_up_s = 30 * 60;
                m[13].lie_down_s = 42 * 60;
                made = true;
        }
        *ret = m;
        return (int)(sizeof(m) / sizeof(m[0]));
}

void plant_init(struct plant *pl, const struct plant_params *p, unsigned seed)
{
        memset(pl, 0, sizeof(*pl));
        pl->p = *p;
        pl->pad_c = pl->s1_c = pl->sensor_c = pl->sample_c = p->room_c;
        pl->skin_c = 33.0;
        pl->person = true;
        pl->rng = seed * 2654435761u + 12345u;
}

static double gauss(unsigned *rng)
{
        double u1 = (rand_r(rng) + 1.0) / ((double)RAND_MAX + 2.0);
        double u2 = (rand_r(rng) + 1.0) / ((double)RAND_MAX + 2.0);
        return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* Natural convection: h grows with the difference to the 1/4 power. */
static double room_loss(const struct plant_params *p, double pad_c)
{
        double d = pad_c - p->room_c;
        return p->room_w_per_k * d * pow(fabs(d) / 15.0 + 0.05, 0.25);
}

static void substep(struct plant *pl, bool heat_now, bool advance)
{
        const struct plant_params *p = &pl->p;
        int n = (int)(p->dead_s / SUB_S + 0.5);
        bool heat;

        /* The wire's heat reaches the pad n sub-steps later. */
        if (n > PLANT_MAX_DEAD_S * 4)
                n = PLANT_MAX_DEAD_S * 4;
        if (n == 0) {
                heat = heat_now;
        } else {
                heat = pl->hist[pl->hist_pos];
                if (advance) {
                        pl->hist[pl->hist_pos] = heat_now;
                        pl->hist_pos = (pl->hist_pos + 1) % n;
                }
        }
        double q_in = heat ? p->power_w : 0;
        double q_room = room_loss(p, pl->pad_c);
        double q_skin, q_perf = 0;
        if (pl->person) {
                q_skin = p->skin_w_per_k * (pl->pad_c - pl->skin_c);
                double g = p->perf_w_per_k *
                           (1.0 + 0.08 * fmax(0.0, pl->skin_c - 34.0));
                q_perf = g * (pl->skin_c - CORE_C);
        } else {
                /* The mattress under an empty pad stays near the room's
                 * temperature plus what the bed holds. */
                q_skin = p->mattress_w_per_k * (pl->pad_c - (p->room_c + 4));
        }
        pl->pad_c += (q_in - q_room - q_skin) / p->pad_j_per_k * SUB_S;
        if (pl->person)
                pl->skin_c += (q_skin - q_perf) / p->skin_j_per_k * SUB_S;
        else    /* skin left uncovered drifts back to 33 degC */
                pl->skin_c += (33.0 - pl->skin_c) * SUB_S / 600.0;
        double half = p->sensor_lag_s / 2.0;
        double src = pl->sensor_off ? p->room_c : pl->pad_c;
        double tau1 = pl->sensor_off ? AIR_TAU_S : half;
        pl->s1_c += (src - pl->s1_c) * SUB_S / (tau1 + SUB_S);
        pl->sensor_c += (pl->s1_c - pl->sensor_c) * SUB_S / (half + SUB_S);
}

double plant_second(struct plant *pl, double on_s)
{
        const struct plant_params *p = &pl->p;
        int steps = (int)(1.0 / SUB_S + 0.5);

        for (int i = 0; i < steps; i++) {
                double t = i * SUB_S;
                bool heat = pl->stuck_on || t < on_s - 1e-9;
                if (i == (int)((1.0 - LATENCY_S) / SUB_S + 0.5))
                        pl->sample_c = pl->sensor_c;
                substep(pl, heat, true);
                pl->on_s += heat ? SUB_S : 0;
        }
        pl->t_s += 1.0;
        int now = (int)(pl->t_s + 0.5);
        if (p->get_up_s && now == p->get_up_s)
                pl->person = false;
        if (p->lie_down_s && now == p->lie_down_s)
                pl->person = true;
        double r = pl->sample_c + p->noise_c * gauss(&pl->rng);
        return round(r / QUANTUM_C) * QUANTUM_C;
}

static double coast(const struct plant *pl, bool pad_node)
{
        struct plant c = *pl;
        double peak = pad_node ? c.pad_c : c.sensor_c;

        c.stuck_on = false;
        /* Heat already on its way still arrives: the history is replayed
         * with nothing new added after it. */
        for (int i = 0; i < 3600 * 4; i++) {
                substep(&c, false, true);
                double y = pad_node ? c.pad_c : c.sensor_c;
                if (y > peak)
                        peak = y;
                else if (y < peak - 0.05 && i > 4 * (pl->p.dead_s + 1))
                        break;
        }
        return peak;
}

double plant_coast_peak(const struct plant *pl)
{
        return coast(pl, false);
}

double plant_coast_peak_pad(const struct plant *pl)
{
        return coast(pl, true);
}

double plant_full_power_c(const struct plant *pl)
{
        const struct plant_params *p = &pl->p;
        double lo = p->room_c, hi = 150;

        /* Bisection on the pad's balance with the skin held where it is. */
        for (int i = 0; i < 60; i++) {
                double m = (lo + hi) / 2;
                double q = room_loss(p, m) + (pl->person ?
                           p->skin_w_per_k * (m - pl->skin_c) :
                           p->mattress_w_per_k * (m - p->room_c - 4));
                if (q < p->power_w)
                        lo = m;
                else
                        hi = m;
        }
        return lo;
}
