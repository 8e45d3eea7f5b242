/* sim_pad.c: see sim_pad.h.
 *
 * Where the numbers come from (round figures, good to a factor of ~1.5):
 * - power 40 W: back and neck pads sold in Europe draw 40-100 W; the lower
 *   end is what a pad under a body needs without the fast burn risk.
 * - pad 1200 J/K: ~0.6 kg of fabric, foam and filling at ~1.5 kJ/(kg K),
 *   plus the patch of bedding it lies on, warmed with it.
 * - tissue 3000 J/K: ~0.85 kg of skin and muscle under a 30x40 cm pad at
 *   ~3.5 kJ/(kg K), the heat capacity of soft tissue.
 * - pad to room 0.5 W/K: ~0.12 m^2 of covered top face with a still-air
 *   film and a blanket, h ~ 4 W/(m^2 K).
 * - pad to skin 1.0 W/K: contact through a cotton cover, ~8 W/(m^2 K).
 * - tissue to core 2.0 W/K: resting skin perfusion, which rises when warmed;
 *   a constant here, which errs on the cautious side (the pad gets hotter).
 * - sensor lag 10 s: a DS18B20 in a steel sleeve tucked into the pad.
 * With these, full power settles near 65 degC: an unregulated pad burns,
 * which is why the safety supervisor exists. */
#include "hw/sim_pad.h"

void sim_pad_default_params(struct sim_pad_params *ret)
{
        *ret = (struct sim_pad_params){
                .power_w = 40.0,
                .pad_j_per_k = 1200.0,
                .body_j_per_k = 3000.0,
                .pad_room_w_per_k = 0.5,
                .pad_body_w_per_k = 1.0,
                .body_core_w_per_k = 2.0,
                .sensor_tau_s = 10.0,
                .room_c = 22.0,
                .core_c = 37.0,
        };
}

void sim_pad_init(struct sim_pad *s, const struct sim_pad_params *p)
{
        s->p = *p;
        s->pad_c = p->room_c;
        s->sensor_c = p->room_c;
        s->body_c = 33.0;
        s->heater_on = false;
}

static void euler(struct sim_pad *s, double dt)
{
        const struct sim_pad_params *p = &s->p;
        double q_in = s->heater_on ? p->power_w : 0.0;
        double q_room = p->pad_room_w_per_k * (s->pad_c - p->room_c);
        double q_body = p->pad_body_w_per_k * (s->pad_c - s->body_c);
        double q_core = p->body_core_w_per_k * (s->body_c - p->core_c);

        s->pad_c += (q_in - q_room - q_body) / p->pad_j_per_k * dt;
        s->body_c += (q_body - q_core) / p->body_j_per_k * dt;
        s->sensor_c += (s->pad_c - s->sensor_c) * dt / (p->sensor_tau_s + dt);
}

void sim_pad_step(struct sim_pad *s, double dt_s)
{
        /* 0.25 s sub-steps: well inside every time constant above. */
        while (dt_s > 0) {
                double dt = dt_s > 0.25 ? 0.25 : dt_s;
                euler(s, dt);
                dt_s -= dt;
        }
}

double sim_pad_full_power_c(const struct sim_pad_params *p)
{
        /* Steady state: the tissue sits between pad and core, weighted by
         * its two conductances; the pad balances power against both paths. */
        double gb = p->pad_body_w_per_k, gc = p->body_core_w_per_k;
        double g_series = gb * gc / (gb + gc);
        return (p->power_w + p->pad_room_w_per_k * p->room_c +
                g_series * p->core_c) / (p->pad_room_w_per_k + g_series);
}

/* The truth for an autotune. The model has two thermal nodes, so no single
 * first-order model is exact; the one that matters for control is the pad
 * against the tissue under it. The tissue has 2.5 times the pad's heat
 * capacity and is held towards core temperature by perfusion: over the
 * minutes that a heat-up coast, a relay cycle or the PID loop take, it
 * barely moves (its own time constant is ~1000 s and it is pulled back to
 * the core), so the pad loses heat through g_room + g_body to two nearly
 * fixed temperatures. That gives
 *   K   = P / (g_room + g_body)            degC per unit duty
 *   tau = C_pad / (g_room + g_body)        s
 * and the dead time the loop sees: the sensor's lag behind the pad (a
 * first-order lag, which for a slow plant acts like a delay of its time
 * constant), the conversion latency, and half a control tick (the relay is
 * held for a tick after each decision).
 * Over hours the tissue warms too, and the full static gain rises to
 * P / (g_room + g_body*g_core/(g_body+g_core)) (34 degC instead of 27 for the
 * defaults): a slow drift that the integral term absorbs, not something a
 * 20-minute experiment can or needs to see. */
void sim_pad_fopdt(const struct sim_pad_params *p, double latency_s,
                   double tick_s, struct sim_pad_fopdt *ret)
{
        double g = p->pad_room_w_per_k + p->pad_body_w_per_k;

        ret->gain_c = p->power_w / g;
        ret->tau_s = p->pad_j_per_k / g;
        ret->dead_s = p->sensor_tau_s + latency_s + tick_s / 2.0;
}
