# heatpad: `make` builds everything into build/, `make run` runs the daemon in
# simulation mode, `make check` runs every test. See README.md.

CC      ?= cc
CFLAGS  ?= -O2 -g
# Messages are cut to fit their buffers on purpose, hence no
# format-truncation warning.
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wno-format-truncation -Werror
CPPFLAGS += -D_GNU_SOURCE -Icontroller
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS)
LDLIBS  := -lcjson -lpthread -lm
DAEMON_LIBS := -lmosquitto -lanl
HTTP_LIBS := $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)

B := build

# The pure core: no clock, no I/O. Unit tests link exactly this.
CORE_SRC := controller/pid.c controller/window.c controller/safety.c \
            controller/session.c controller/quiet.c controller/guidance.c \
            controller/cfgjson.c controller/config.c controller/config_hw.c \
            controller/core.c controller/sim_pad.c controller/schedule.c \
            controller/status_json.c controller/autotune.c controller/heatup.c \
            controller/config_mqtt.c controller/mqtt_cmd.c \
            controller/ha_discovery.c \
            controller/config_http.c controller/history.c \
            controller/http_body.c controller/http_auth.c controller/http_static.c
# Everything else the daemon needs: clocks, the loop, files, backends.
DAEMON_SRC := controller/state.c controller/vclock.c controller/loop.c \
              controller/log.c controller/reader.c controller/hw/hw.c \
              controller/hw/sim.c controller/main.c \
              controller/mqtt.c controller/mqtt_handle.c \
              controller/http.c controller/http_api.c

UNIT_TESTS := pid window safety session quiet guidance config core state \
              schedule closed_loop autotune mqtt_cmd config_mqtt \
              http_body http_auth history

CORE_OBJ    := $(CORE_SRC:%.c=$(B)/obj/%.o)
DAEMON_OBJ  := $(DAEMON_SRC:%.c=$(B)/obj/%.o)
ASAN_CORE   := $(CORE_SRC:%.c=$(B)/asan/%.o) $(B)/asan/controller/state.o
ASAN_DAEMON := $(CORE_SRC:%.c=$(B)/asan/%.o) $(DAEMON_SRC:%.c=$(B)/asan/%.o)
UNIT_BINS   := $(UNIT_TESTS:%=$(B)/tests/test_%)
ASAN_BINS   := $(UNIT_TESTS:%=$(B)/asan/tests/test_%)
SANITIZE    := -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer

# Keep object files make would otherwise treat as intermediate.
.SECONDARY:

.PHONY: all deps test-deps run check unit unit-asan integration clean \
        bench-control http-test browser

# The benchmark is built (so it keeps compiling) but only run by
# bench-control.
all: $(B)/heatpadd $(UNIT_BINS) $(B)/bench/bench_control

deps:
	@scripts/deps build

test-deps:
	@scripts/deps test

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -O1 $(SANITIZE) -MMD -MP -c $< -o $@

$(B)/heatpadd: $(CORE_OBJ) $(DAEMON_OBJ)
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS) $(DAEMON_LIBS) $(HTTP_LIBS)

# The daemon with ASan/UBSan, for the integration tests' sanitizer pass.
$(B)/asan/heatpadd: $(ASAN_DAEMON)
	$(CC) $(ALL_CFLAGS) -O1 $(SANITIZE) $^ -o $@ $(LDLIBS) $(DAEMON_LIBS) $(HTTP_LIBS)

$(B)/tests/test_%: tests/unit/test_%.c $(CORE_OBJ) $(B)/obj/controller/state.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS) -lcmocka

$(B)/asan/tests/test_%: tests/unit/test_%.c $(ASAN_CORE)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -O1 $(SANITIZE) $^ -o $@ $(LDLIBS) -lcmocka

run: deps $(B)/heatpadd
	@mkdir -p $(B)/run
	$(B)/heatpadd --config examples/sim.json --state-file $(B)/run/state.json

check: test-deps all
	@$(MAKE) --no-print-directory unit unit-asan integration http-test browser

unit: $(UNIT_BINS)
	@scripts/run-tests $(UNIT_BINS)

unit-asan: $(ASAN_BINS)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		scripts/run-tests $(ASAN_BINS)

integration: $(B)/heatpadd $(B)/asan/heatpadd
	@python3 tests/integration/run.py
	@HEATPAD_DAEMON=$(B)/asan/heatpadd ASAN_OPTIONS=detect_leaks=1 \
		python3 tests/integration/run.py
	@python3 tests/integration/mqtt.py
	@HEATPAD_DAEMON=$(B)/asan/heatpadd python3 tests/integration/mqtt.py \
		--sanitizer-subset

# Control quality benchmark (not a test): scripts/bench/, README "Control
# quality". Prints a table and writes build/bench/*.svg.
$(B)/bench/bench_control: scripts/bench/bench_control.c $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS)

bench-control: deps $(B)/bench/bench_control
	@scripts/bench/run-control $(B)/bench

# The status page and its API (issue 5): API tests with python3, browser
# tests in Debian's Chromium through playwright-core (npm, pinned in
# tests/web/package-lock.json).
http-test: $(B)/heatpadd $(B)/asan/heatpadd
	@python3 tests/integration/http_api.py
	@HEATPAD_DAEMON=$(B)/asan/heatpadd ASAN_OPTIONS=detect_leaks=1 \
		python3 tests/integration/http_api.py

tests/web/node_modules/.package-lock.json: tests/web/package.json tests/web/package-lock.json
	cd tests/web && npm ci --prefer-offline --no-audit --no-fund --loglevel=error

browser: $(B)/heatpadd tests/web/node_modules/.package-lock.json
	@node tests/web/run.js

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
