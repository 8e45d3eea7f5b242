"""What Home Assistant's MQTT integration makes of a device discovery
message, checked without Home Assistant: abbreviations expanded and "~"
replaced as its discovery code does, each component against the options
its platform documents (keys, types, allowed values, the device-class,
unit and state-class combinations its sensor validation accepts), and the
templates rendered (jinja2, with HA's value_json and tojson) against state
payloads, each result checked as that platform would parse it. Written
from Home Assistant's MQTT documentation and integration source; used by
mqtt.py."""
import datetime
import json
import re

import jinja2

ABBR = {
    "act_t": "action_topic", "act_tpl": "action_template",
    "avty_t": "availability_topic", "cmd_t": "command_topic",
    "curr_temp_t": "current_temperature_topic",
    "curr_temp_tpl": "current_temperature_template", "dev": "device",
    "dev_cla": "device_class", "ent_cat": "entity_category",
    "evt_typ": "event_types", "ic": "icon",
    "json_attr_t": "json_attributes_topic",
    "json_attr_tpl": "json_attributes_template", "max": "max", "min": "min",
    "max_temp": "max_temp", "min_temp": "min_temp",
    "mode_cmd_t": "mode_command_topic", "mode_stat_t": "mode_state_topic",
    "mode_stat_tpl": "mode_state_template", "modes": "modes", "name": "name",
    "o": "origin", "ops": "options", "p": "platform", "cmps": "components",
    "pl_avail": "payload_available", "pl_not_avail": "payload_not_available",
    "pl_on": "payload_on", "pl_off": "payload_off", "pl_prs": "payload_press",
    "pr_mode_cmd_t": "preset_mode_command_topic",
    "pr_mode_stat_t": "preset_mode_state_topic",
    "pr_mode_val_tpl": "preset_mode_value_template",
    "pr_modes": "preset_modes", "stat_cla": "state_class",
    "stat_t": "state_topic", "step": "step",
    "sug_dsp_prc": "suggested_display_precision",
    "temp_cmd_t": "temperature_command_topic",
    "temp_stat_t": "temperature_state_topic",
    "temp_stat_tpl": "temperature_state_template",
    "temp_unit": "temperature_unit", "uniq_id": "unique_id",
    "unit_of_meas": "unit_of_measurement", "val_tpl": "value_template",
}
DEVICE_ABBR = {"ids": "identifiers", "cu": "configuration_url", "name": "name",
               "mf": "manufacturer", "mdl": "model", "sw": "sw_version",
               "sa": "suggested_area", "hw": "hw_version"}
ORIGIN_ABBR = {"name": "name", "sw": "sw_version", "url": "support_url"}
# What device-based discovery hands down to every component (its shared
# options; qos is not among them).
SHARED = ("availability_topic", "payload_available", "payload_not_available",
          "availability", "availability_mode", "availability_template",
          "state_topic", "command_topic")

COMMON = {"platform": str, "name": (str, type(None)), "unique_id": str,
          "device": dict, "origin": dict, "availability_topic": str,
          "payload_available": str, "payload_not_available": str,
          "qos": int, "icon": str, "entity_category": str,
          "json_attributes_topic": str, "json_attributes_template": str,
          "enabled_by_default": bool, "encoding": str}
PLATFORM_KEYS = {
    "climate": {"modes": list, "mode_command_topic": str,
                "mode_state_topic": str, "mode_state_template": str,
                "temperature_command_topic": str,
                "temperature_state_topic": str,
                "temperature_state_template": str,
                "current_temperature_topic": str,
                "current_temperature_template": str, "action_topic": str,
                "action_template": str, "preset_modes": list,
                "preset_mode_command_topic": str,
                "preset_mode_state_topic": str,
                "preset_mode_value_template": str, "min_temp": (int, float),
                "max_temp": (int, float), "temp_step": (int, float),
                "precision": (int, float), "temperature_unit": str,
                "optimistic": bool, "retain": bool},
    "sensor": {"state_topic": str, "value_template": str,
               "device_class": str, "state_class": str,
               "unit_of_measurement": str, "options": list,
               "suggested_display_precision": int, "expire_after": int,
               "force_update": bool},
    "binary_sensor": {"state_topic": str, "value_template": str,
                      "device_class": str, "payload_on": str,
                      "payload_off": str, "off_delay": int,
                      "expire_after": int, "force_update": bool},
    "number": {"command_topic": str, "state_topic": str,
               "value_template": str, "min": (int, float),
               "max": (int, float), "step": (int, float), "mode": str,
               "device_class": str, "unit_of_measurement": str,
               "optimistic": bool, "retain": bool},
    "button": {"command_topic": str, "payload_press": str,
               "device_class": str, "retain": bool},
    "event": {"state_topic": str, "event_types": list,
              "value_template": str, "device_class": str},
}
REQUIRED = {"climate": (), "sensor": ("state_topic",),
            "binary_sensor": ("state_topic",),
            "number": ("command_topic",), "button": ("command_topic",),
            "event": ("state_topic", "event_types")}
HVAC_MODES = {"auto", "off", "cool", "heat", "dry", "fan_only", "heat_cool"}
HVAC_ACTIONS = {"off", "preheating", "heating", "cooling", "drying", "idle",
                "fan", "defrosting"}
ENTITY_CATEGORIES = {"config", "diagnostic"}
# Sensor device classes: the units and state classes Home Assistant accepts.
SENSOR_CLASSES = {
    "temperature": ({"°C", "°F", "K"}, {"measurement"}),
    "power": ({"mW", "W", "kW", "MW", "GW", "TW", "BTU/h"}, {"measurement"}),
    "energy": ({"J", "kJ", "MJ", "GJ", "mWh", "Wh", "kWh", "MWh", "GWh", "TWh",
                "cal", "kcal", "Mcal", "Gcal"}, {"total", "total_increasing"}),
    "duration": ({"d", "h", "min", "s", "ms", "μs"},
                 {"measurement", "total", "total_increasing"}),
    "timestamp": (set(), set()),
    "enum": (set(), set()),
}
STATE_CLASSES = {"measurement", "measurement_angle", "total",
                 "total_increasing"}
BINARY_CLASSES = {"battery", "battery_charging", "carbon_monoxide", "cold",
                  "connectivity", "door", "garage_door", "gas", "heat",
                  "light", "lock", "moisture", "motion", "moving",
                  "occupancy", "opening", "plug", "power", "presence",
                  "problem", "running", "safety", "smoke", "sound", "tamper",
                  "update", "vibration", "window"}
NUMBER_CLASSES = {"duration": {"d", "h", "min", "s", "ms"},
                  "temperature": {"°C", "°F", "K"}}
BUTTON_CLASSES = {"identify", "restart", "update"}
EVENT_CLASSES = {"button", "doorbell", "motion"}
OBJECT_ID = re.compile(r"^[a-zA-Z0-9_-]+$")


def _expand(d, table):
    return {table.get(k, k): v for k, v in d.items()}


def expand_device(msg):
    """The components as Home Assistant builds them from one device
    message: {component id: expanded config} (a removed one: {"platform"})."""
    top = _expand(msg, ABBR)
    dev = _expand(top.get("device", {}), DEVICE_ABBR)
    orig = _expand(top.get("origin", {}), ORIGIN_ABBR)
    out = {}
    for cid, raw in top.get("components", {}).items():
        c = _expand(raw, ABBR)
        if set(c) == {"platform"}:
            out[cid] = c
            continue
        c["device"], c["origin"] = dev, orig
        for k in SHARED:
            if k in top and k not in c:
                c[k] = top[k]
        base = c.pop("~", None)
        if base is not None:
            for k, v in list(c.items()):
                if k.endswith("topic") and isinstance(v, str) and v:
                    if v[0] == "~":
                        c[k] = base + v[1:]
                    if v[-1] == "~":
                        c[k] = v[:-1] + base
        out[cid] = c
    return out


def unknown_keys(msg):
    """Abbreviations Home Assistant would not expand (typos)."""
    known = set(COMMON)
    for keys in PLATFORM_KEYS.values():
        known |= set(keys)
    bad = []
    for cid, raw in msg.get("cmps", {}).items():
        for k in raw:
            if k not in ABBR and k != "~" and k not in known:
                bad.append("%s.%s" % (cid, k))
    return bad


def _topic_ok(t):
    return isinstance(t, str) and t and "+" not in t and "#" not in t


def check_component(cid, c):
    p = c.get("platform")
    errs = []

    def err(msg, *a):
        errs.append("%s (%s): %s" % (cid, p, msg % a))
    if p not in PLATFORM_KEYS:
        return ["%s: unknown platform %r" % (cid, p)]
    if set(c) == {"platform"}:
        return []
    if not OBJECT_ID.match(cid):
        err("component id not a valid object id")
    allowed = dict(COMMON, **PLATFORM_KEYS[p])
    for k, v in c.items():
        if k not in allowed:
            err("option %s is not one of the platform's", k)
        elif not isinstance(v, allowed[k]) or isinstance(v, bool) and \
                allowed[k] in (int, (int, float)):
            err("%s has the wrong type: %r", k, v)
        if k.endswith("_topic") and not _topic_ok(v):
            err("%s is not a topic to publish or subscribe to: %r", k, v)
    for k in REQUIRED[p] + ("unique_id",):
        if k not in c:
            err("%s is required", k)
    if c.get("qos", 0) != 1:
        err("qos %r: heatpad's commands and states are QoS 1", c.get("qos"))
    dev = c.get("device", {})
    if not dev.get("identifiers") or not dev.get("name"):
        err("device needs identifiers and a name")
    if not c.get("origin", {}).get("name"):
        err("origin needs a name")
    cat = c.get("entity_category")
    if cat is not None and cat not in ENTITY_CATEGORIES:
        err("entity_category %r", cat)
    if cat == "config" and p in ("sensor", "binary_sensor"):
        err("a %s cannot have entity_category config", p)
    for k in ("value_template", "mode_state_template", "action_template",
              "temperature_state_template", "current_temperature_template",
              "preset_mode_value_template", "json_attributes_template"):
        if k in c:
            try:
                ENV.from_string(c[k])
            except jinja2.TemplateSyntaxError as e:
                err("%s does not parse: %s", k, e)
    dc, unit, sc = (c.get("device_class"), c.get("unit_of_measurement"),
                    c.get("state_class"))
    if p == "climate":
        if not set(c.get("modes", [])) <= HVAC_MODES:
            err("modes %r", c["modes"])
        if "none" in c.get("preset_modes", []):
            err("preset_modes must not include 'none'")
        if c.get("temperature_unit", "C") not in ("C", "F"):
            err("temperature_unit %r", c["temperature_unit"])
        if c.get("precision", 0.1) not in (0.1, 0.5, 1.0):
            err("precision %r", c["precision"])
        if not c.get("min_temp", 7) < c.get("max_temp", 35):
            err("min_temp must be below max_temp")
    elif p == "sensor":
        if sc is not None and sc not in STATE_CLASSES:
            err("state_class %r", sc)
        if dc is not None and dc not in SENSOR_CLASSES:
            err("device_class %r is not one this checker knows", dc)
        if dc in SENSOR_CLASSES:
            units, classes = SENSOR_CLASSES[dc]
            if units and unit not in units or not units and unit:
                err("unit %r does not go with device_class %s", unit, dc)
            if sc is not None and sc not in classes:
                err("state_class %s does not go with device_class %s", sc, dc)
        if "options" in c and (dc != "enum" or sc or unit):
            err("options need device_class enum, no state_class, no unit")
        if dc == "enum" and not c.get("options"):
            err("device_class enum needs options")
    elif p == "binary_sensor":
        if dc is not None and dc not in BINARY_CLASSES:
            err("device_class %r", dc)
    elif p == "number":
        if not c.get("min", 1) < c.get("max", 100):
            err("min must be below max")
        if c.get("step", 1) < 0.001:
            err("step too small")
        if c.get("mode", "auto") not in ("auto", "box", "slider"):
            err("mode %r", c["mode"])
        if dc is not None and (dc not in NUMBER_CLASSES or
                               unit not in NUMBER_CLASSES[dc]):
            err("device_class %s with unit %r", dc, unit)
    elif p == "button":
        if dc is not None and dc not in BUTTON_CLASSES:
            err("device_class %r", dc)
    elif p == "event":
        if not c["event_types"] or not all(isinstance(e, str)
                                           for e in c["event_types"]):
            err("event_types must be a list of strings")
        if dc is not None and dc not in EVENT_CLASSES:
            err("device_class %r", dc)
    return errs


def check_device(comps, msg=None):
    """Every problem Home Assistant would have with the components."""
    errs = []
    uids = {}
    for cid, c in comps.items():
        errs += check_component(cid, c)
        if set(c) == {"platform"}:
            continue
        u = c.get("unique_id")
        if u in uids:
            errs.append("%s: unique_id %s already used by %s" % (cid, u, uids[u]))
        uids[u] = cid
    if msg is not None:
        errs += ["unknown abbreviation " + k for k in unknown_keys(msg)]
    return errs


ENV = jinja2.Environment()
ENV.filters["tojson"] = lambda v: json.dumps(v)


def render(tpl, payload):
    """As Home Assistant renders a value template: value and value_json."""
    return ENV.from_string(tpl).render(value=json.dumps(payload),
                                       value_json=payload).strip()


def _float(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def _timestamp(s):
    try:
        return datetime.datetime.fromisoformat(s).tzinfo is not None
    except ValueError:
        return False


def check_states(comps, payloads):
    """Renders every template of every component against each payload seen
    on the topic it reads (payloads: {topic: [payload, ...]}) and checks the
    result as the platform parses it. Returns (problems, renders)."""
    errs, n = [], 0
    for cid, c in comps.items():
        p = c.get("platform")
        checks = []
        if p == "climate":
            modes, presets = c["modes"], c.get("preset_modes", [])
            checks = [
                ("mode_state_topic", "mode_state_template",
                 lambda r: r in modes),
                ("action_topic", "action_template",
                 lambda r: r in HVAC_ACTIONS),
                ("temperature_state_topic", "temperature_state_template",
                 _float),
                ("current_temperature_topic", "current_temperature_template",
                 lambda r: r == "None" or _float(r)),
                ("preset_mode_state_topic", "preset_mode_value_template",
                 lambda r: r == "none" or r in presets)]
        elif p == "sensor":
            dc = c.get("device_class")
            if dc == "timestamp":
                ok = lambda r: r == "None" or _timestamp(r)      # noqa: E731
            elif dc == "enum":
                ok = lambda r, o=c["options"]: r in o           # noqa: E731
            elif dc or c.get("state_class") or c.get("unit_of_measurement"):
                ok = lambda r: r == "None" or _float(r)         # noqa: E731
            else:
                ok = lambda r: True                             # noqa: E731
            checks = [("state_topic", "value_template", ok)]
        elif p == "binary_sensor":
            on, off = c.get("payload_on", "ON"), c.get("payload_off", "OFF")
            checks = [("state_topic", "value_template",
                       lambda r: r in (on, off))]
        elif p == "number":
            checks = [("state_topic", "value_template",
                       lambda r: _float(r) and c.get("min", 1) <= float(r)
                       <= c.get("max", 100))]
        elif p == "event":
            def ok_event(r, types=c["event_types"]):
                try:
                    v = json.loads(r)
                except ValueError:
                    return False
                return isinstance(v, dict) and v.get("event_type") in types
            checks = [("state_topic", "value_template", ok_event)]
        if "json_attributes_template" in c:
            checks.append(("json_attributes_topic", "json_attributes_template",
                           lambda r: isinstance(json.loads(r), dict)))
        for topic_key, tpl_key, ok in checks:
            if tpl_key not in c:
                continue
            for payload in payloads.get(c.get(topic_key), []):
                n += 1
                try:
                    r = render(c[tpl_key], payload)
                    good = ok(r)
                except Exception as e:                # noqa: BLE001
                    r, good = "error: %s" % e, False
                if not good:
                    errs.append("%s %s rendered %r from %s" % (
                        cid, tpl_key, r, json.dumps(payload)[:160]))
    return errs, n
