/* status_json.h: the core's state as JSON, one shape everywhere.
 *
 * The MQTT state topics, the HTTP API and the page all show the same
 * objects, built here from the core, so a zone reads the same in Home
 * Assistant, on the phone and in the log. Pure: time is an argument.
 * Every function returns a new cJSON object the caller deletes. */
#ifndef HEATPAD_STATUS_JSON_H
#define HEATPAD_STATUS_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "core/core.h"

/* One zone: {"id","name","temp_c","setpoint_c","heating","relay","session",
 * "remaining_s","ends_at","duty","fault","fault_help","limits":{...},
 * "defaults":{...},"last_command","last_session","next_schedule"}. ends_at
 * is wall time (s) the session ends, or null; last_command is
 * status_last_json's object, or null; last_session the newest finished
 * session (status_session_json) or null; next_schedule as
 * status_next_schedule_json. */
cJSON *status_zone_json(const struct core *core, int zone, uint64_t now_ms,
                        time_t wall);

/* One finished session: {"started_at","ended_at","minutes","setpoint_c",
 * "peak_c","end","source","on_s","energy_wh"}; peak_c and energy_wh may
 * be null. */
cJSON *status_session_json(const struct session_rec *r);

/* A zone's finished sessions, newest first. */
cJSON *status_sessions_json(const struct core *core, int zone);

/* The next enabled schedule entry of a zone after wall, in local time as
 * the core reads it: {"at","minutes","setpoint_c"}, or a JSON null. */
cJSON *status_next_schedule_json(const struct core *core, int zone,
                                 time_t wall);

/* What a reader without the PIN sees of each zone's last_session in o (a
 * zone, or an object with "zones"): an end that names the person's record
 * (cold_rule, warning_signs, urgent_signs, record_unreadable) becomes
 * null. Adds "private": !full to each. */
void status_session_gate(cJSON *o, bool full);

/* The guidance: {"kind","title","text","disclaimer","heat_blocked",
 * "blocked_by","confirm_needed","confirm_reason","heat_allowed_at",
 * "heat_allowed_at_local","record":{...,"urgent_signs"}}. heat_allowed_at
 * is null unless the cold rule alone blocks heat. */
cJSON *status_guidance_json(const struct core *core, time_t wall);

/* What a guidance object g (may be NULL) shows: all of it when full,
 * else only heat_blocked, heat_allowed_at, heat_allowed_at_local,
 * confirm_needed and disclaimer (no kind, text or record: nothing of the
 * person's health). Adds "private": !full. For a reader without the PIN. */
void status_guidance_gate(cJSON *g, bool full);

/* Everything: {"device_id","time","quiet_hours":{...,"active"},
 * "zones":[...],"guidance":{...}}. */
cJSON *status_json(const struct core *core, uint64_t now_ms, time_t wall);

/* A command's reply: {"ok":bool,"code","message"}. */
cJSON *status_reply_json(const struct core_reply *rep);

/* A zone's last command: {"ok","code","message","source","at"}, source
 * "cli", "http", "mqtt", "schedule" or "button", at its wall time. */
cJSON *status_last_json(const struct core_last_cmd *l);

/* What a reader without the PIN sees of each last_command in o (a zone,
 * or an object with "zones"): a refusal without its code and message,
 * which may name the person's record. Nothing changes when full. */
void status_last_gate(cJSON *o, bool full);

#endif
