/* ha_state.h: the state messages Home Assistant's entities read.
 *
 * A zone's state is status_json's zone plus what the discovery message's
 * templates read (ha_discovery.h): mode, action, target_c, preset,
 * minutes, remaining_min, ends_at_iso, power_w, energy_kwh, duty_pct,
 * guidance. The guidance is status_json's plus quiet_hours and
 * heat_allowed_at_iso. Times are ISO 8601 in UTC, what Home Assistant's
 * timestamp sensors parse. A signature of each says when a message is due:
 * it changes with everything an entity shows except duty (which moves
 * every tick and goes out with the periodic republish), and with the
 * temperature only when it moves by the display precision (0.1 C). Pure:
 * time is an argument. */
#ifndef HEATPAD_HA_STATE_H
#define HEATPAD_HA_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "core/core.h"

struct ha_zone_sig {
        bool have_temp, relay, session, fault;
        long temp_d;                    /* tenths of a degree */
        double target_c;
        int minutes, remaining_min, guidance;
        const char *action;
        long energy_wh;
};

struct ha_guidance_sig {
        int kind;
        bool blocked, quiet;
        long long allowed_at;
};

cJSON *ha_state_zone(const struct core *core, int zone, uint64_t now_ms,
                     time_t wall);
cJSON *ha_state_guidance(const struct core *core, time_t wall);

struct ha_zone_sig ha_zone_sig(const struct core *core, int zone,
                               uint64_t now_ms, time_t wall);
struct ha_guidance_sig ha_guidance_sig(const struct core *core, time_t wall);

bool ha_zone_sig_equal(const struct ha_zone_sig *a, const struct ha_zone_sig *b);
bool ha_guidance_sig_equal(const struct ha_guidance_sig *a,
                           const struct ha_guidance_sig *b);

/* "off", "preheating" (a heat-up at full power), "heating", "idle". */
const char *ha_zone_action(const struct core *core, int zone);

/* The preset whose setpoint is the zone's target, or "none". */
const char *ha_zone_preset(const struct core *core, int zone);

/* "2026-11-24T19:15:00+00:00" into buf (at least 26 bytes). */
void ha_iso_time(time_t t, char *buf, size_t size);

#endif
