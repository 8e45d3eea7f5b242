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
# Cross builds point it at the target's sysroot (scripts/cross-env.sh).
PKG_CONFIG ?= pkg-config
LDLIBS  := -lcjson -lpthread -lm -lz
DAEMON_LIBS := -lmosquitto -lanl
HTTP_LIBS := $(shell $(PKG_CONFIG) --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)
# Hardware backends: libmodbus (Modbus RTU/TCP) and libgpiod.
HW_LIBS := $(shell $(PKG_CONFIG) --libs libmodbus libgpiod 2>/dev/null || echo -lmodbus -lgpiod)
# One GPIO file per libgpiod API: gpio_v1.c for 1.6 (Debian 12), gpio_v2.c
# for 2.x (Debian 13), after the version the target's libgpiod says it is.
GPIOD_VERSION := $(shell $(PKG_CONFIG) --modversion libgpiod 2>/dev/null)
GPIO_API := $(if $(filter-out 0 1,$(firstword $(subst ., ,$(GPIOD_VERSION)))),v2,v1)
GPIO_SRC := controller/hw/gpio_$(GPIO_API).c
# The bedside button's input line, after the same API.
BUTTON_GPIO_SRC := controller/hw/button_gpio_$(GPIO_API).c
# The same backend tests for either API, over a fake libgpiod of that API.
GPIO_FAKE_SRC := tests/unit/fake_gpiod.c tests/unit/fake_gpiod_$(GPIO_API).c

B := build

# Sources by folder (controller/README.md): core/ is pure (time and the
# time zone come in as arguments), config/ parses and validates, net/ holds
# the MQTT, Home Assistant and HTTP adapters and their parsers, hw/ the
# sensor and relay backends, daemon/ the loop, clocks, files and threads.
CORE_DIR_SRC   := $(addprefix controller/core/,pid.c window.c safety.c \
                  session.c quiet.c guidance.c schedule.c autotune.c \
                  heatup.c ramp_fit.c history.c core.c core_events.c \
                  core_record.c core_autotune.c tz.c button.c light.c \
                  session_log.c)
CONFIG_DIR_SRC := $(addprefix controller/config/,cfgjson.c config.c \
                  config_hw.c config_mqtt.c config_http.c slurp.c \
                  local_time.c config_keys.c)
# The pure halves of net/: parsers and JSON builders the unit tests drive.
NET_PURE_SRC   := $(addprefix controller/net/,status_json.c mqtt_cmd.c \
                  mqtt_flow.c ha_discovery.c ha_disc_zone.c ha_disc_device.c \
                  ha_state.c http_body.c http_auth.c http_static.c)
# The adapters' handling, behind the port (net/port.h): the unit tests
# drive it with a fake port, a fake MQTT wire and plain HTTP requests.
NET_ADAPTER_SRC := $(addprefix controller/net/,port.c mqtt_out.c \
                   mqtt_handle.c mqtt_ha.c http_api.c)
# The glue to libmosquitto and libmicrohttpd.
NET_IO_SRC     := $(addprefix controller/net/,mqtt.c http.c)
HW_PURE_SRC    := $(addprefix controller/hw/,w1_parse.c mb_decode.c sim_pad.c)
# Hardware code that unit tests drive directly (files, a fake GPIO line, a
# fake blocking relay).
HW_UNIT_SRC := controller/hw/ds18b20.c controller/hw/gpio.c \
               controller/daemon/relay_worker.c
HW_IO_SRC      := $(addprefix controller/hw/,hw.c sim.c modbus_link.c \
                  modbus.c) $(GPIO_SRC) $(BUTTON_GPIO_SRC)
# The state file's code, which the unit tests and fuzz targets link too.
STATE_SRC := $(addprefix controller/daemon/,state.c state_parse.c \
             state_parse_log.c state_file.c)
DAEMON_DIR_SRC := $(STATE_SRC) $(addprefix controller/daemon/,vclock.c loop.c \
                  simctl.c state_writer.c log.c reader.c main.c app_batch.c \
                  app_state.c app_sim.c app_port.c app_cli.c app_zones.c \
                  options.c notify.c alloff.c probe.c sandbox.c systz.c \
                  buttons.c)

# What the unit tests link: the core and the parsers and loaders the tests
# drive directly.
CORE_SRC := $(CORE_DIR_SRC) $(CONFIG_DIR_SRC) $(NET_PURE_SRC) $(HW_PURE_SRC) \
            $(NET_ADAPTER_SRC) controller/daemon/tickstat.c
# Everything else the daemon needs: clocks, the loop, files, backends.
DAEMON_SRC := $(DAEMON_DIR_SRC) $(NET_IO_SRC) $(HW_IO_SRC) $(HW_UNIT_SRC)

UNIT_TESTS := pid window safety session quiet guidance config core state \
              schedule closed_loop autotune mqtt_cmd mqtt_flow config_mqtt \
              http_body http_auth history notify rest time64 \
              w1_parse mb_decode ds18b20 gpio gpio_chip relay_worker tickstat plant \
              local_time options config_keys tz \
              core_events port_mqtt port_http \
              loop simctl \
              state_writer button light http_static session_log

CORE_OBJ    := $(CORE_SRC:%.c=$(B)/obj/%.o)
# An independent pad model (tests/plant/), kept out of the controller: the
# benchmark and test_plant, which drive the core with it, link it.
PLANT_OBJ   := $(B)/obj/tests/plant/plant.o
DAEMON_OBJ  := $(DAEMON_SRC:%.c=$(B)/obj/%.o)
HW_UNIT_OBJ := $(HW_UNIT_SRC:%.c=$(B)/obj/%.o)
ASAN_CORE   := $(CORE_SRC:%.c=$(B)/asan/%.o) $(STATE_SRC:%.c=$(B)/asan/%.o) \
               $(HW_UNIT_SRC:%.c=$(B)/asan/%.o)
ASAN_DAEMON := $(CORE_SRC:%.c=$(B)/asan/%.o) $(DAEMON_SRC:%.c=$(B)/asan/%.o)
UNIT_BINS   := $(UNIT_TESTS:%=$(B)/tests/test_%)
ASAN_BINS   := $(UNIT_TESTS:%=$(B)/asan/tests/test_%)
SANITIZE    := -fsanitize=address,undefined,float-cast-overflow \
               -fno-sanitize-recover=all \
               -fno-omit-frame-pointer

# Keep object files make would otherwise treat as intermediate.
.SECONDARY:

.PHONY: all deps test-deps run check unit unit-asan integration clean \
        bench-control http-test browser install uninstall check-systemd \
        check-cross debs check-package gpio-qemu \
        fuzz fuzz-short fuzz-build soak-test reliability \
        load-test load-long docs check-docs check-core-purity check-i18n check-icons lighthouse

# The benchmark is built (so it keeps compiling) but only run by
# bench-control.
all: $(B)/heatpadd $(UNIT_BINS) $(B)/bench/bench_control $(B)/tests/mb_server

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
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS) $(DAEMON_LIBS) $(HTTP_LIBS) $(HW_LIBS)

# The daemon with ASan/UBSan, for the integration tests' sanitizer pass.
$(B)/asan/heatpadd: $(ASAN_DAEMON)
	$(CC) $(ALL_CFLAGS) -O1 $(SANITIZE) $^ -o $@ $(LDLIBS) $(DAEMON_LIBS) $(HTTP_LIBS) $(HW_LIBS)

# The Modbus test peer: a real libmodbus server with a simulated pad.
$(B)/tests/mb_server: tests/mb_server.c $(B)/obj/controller/hw/sim_pad.o \
                      $(B)/obj/controller/hw/mb_decode.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) $^ -o $@ -lmodbus -lm

$(B)/tests/test_%: tests/unit/test_%.c $(CORE_OBJ) $(STATE_SRC:%.c=$(B)/obj/%.o) \
                   $(HW_UNIT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS) -lcmocka

$(B)/asan/tests/test_%: tests/unit/test_%.c $(ASAN_CORE)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -O1 $(SANITIZE) $^ -o $@ $(LDLIBS) -lcmocka

# The adapters' tests run them against a fake port.
$(B)/tests/test_port_mqtt $(B)/tests/test_port_http: $(B)/obj/tests/unit/fake_port.o
$(B)/asan/tests/test_port_mqtt $(B)/asan/tests/test_port_http: $(B)/asan/tests/unit/fake_port.o

# Tests of daemon modules beyond the core link those modules too.
$(B)/tests/test_notify: $(B)/obj/controller/daemon/notify.o
$(B)/asan/tests/test_notify: $(B)/asan/controller/daemon/notify.o
# The command line: options.c alone (the test names two fault kinds itself).
$(B)/tests/test_options: $(B)/obj/controller/daemon/options.o
$(B)/asan/tests/test_options: $(B)/asan/controller/daemon/options.o
$(B)/tests/test_loop: $(B)/obj/controller/daemon/loop.o \
                     $(B)/obj/controller/daemon/vclock.o
$(B)/asan/tests/test_loop: $(B)/asan/controller/daemon/loop.o \
                          $(B)/asan/controller/daemon/vclock.o
$(B)/tests/test_simctl: $(B)/obj/controller/daemon/simctl.o \
                       $(B)/obj/controller/daemon/loop.o \
                       $(B)/obj/controller/daemon/vclock.o
$(B)/asan/tests/test_simctl: $(B)/asan/controller/daemon/simctl.o \
                            $(B)/asan/controller/daemon/loop.o \
                            $(B)/asan/controller/daemon/vclock.o
$(B)/tests/test_state_writer: $(B)/obj/controller/daemon/state_writer.o
$(B)/asan/tests/test_state_writer: $(B)/asan/controller/daemon/state_writer.o
$(B)/tests/test_gpio_chip: $(GPIO_SRC:%.c=$(B)/obj/%.o) \
                           $(BUTTON_GPIO_SRC:%.c=$(B)/obj/%.o) \
                           $(GPIO_FAKE_SRC:%.c=$(B)/obj/%.o)
$(B)/asan/tests/test_gpio_chip: $(GPIO_SRC:%.c=$(B)/asan/%.o) \
                                $(BUTTON_GPIO_SRC:%.c=$(B)/asan/%.o) \
                                $(GPIO_FAKE_SRC:%.c=$(B)/asan/%.o)
$(B)/tests/test_plant: tests/unit/test_plant.c $(PLANT_OBJ) $(CORE_OBJ) \
                      $(STATE_SRC:%.c=$(B)/obj/%.o) $(HW_UNIT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/plant $(ALL_CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS) -lcmocka

$(B)/asan/tests/test_plant: tests/unit/test_plant.c $(B)/asan/tests/plant/plant.o \
                            $(ASAN_CORE)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/plant $(ALL_CFLAGS) -O1 $(SANITIZE) $^ -o $@ $(LDLIBS) -lcmocka

run: deps $(B)/heatpadd
	@mkdir -p $(B)/run
	$(B)/heatpadd --config examples/sim.json --state-file $(B)/run/state.json

# make check, about 8 minutes on 2 cores: the CPU-bound steps two at a
# time (unit and unit-asan, the fuzz targets), then the suites that mostly
# wait (on sockets, on virtual time they drive) CHECK_JOBS at once, each's
# output kept together, then those whose point is real concurrency (the
# clock's own busy loops, load, flood, the browser) one at a time. tests/README.md has the figures.
CHECK_JOBS ?= 6
CHECK_WAITING := it-run it-run-asan it-button it-button-asan it-hw1 it-hw2 it-crash it-mqtt it-mqtt-asan \
                 it-http it-http-asan check-systemd it-soak it-soak-asan
CHECK_REALTIME := it-clock load-test flood-test browser
check: test-deps all
	@$(MAKE) --no-print-directory check-docs check-core-purity check-i18n check-icons
	@$(MAKE) --no-print-directory -j2 -Otarget unit unit-asan
	@FUZZ_JOBS=2 $(MAKE) --no-print-directory fuzz-short
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) -Otarget $(CHECK_WAITING)
	@$(MAKE) --no-print-directory $(CHECK_REALTIME)

# The same suites beside a CPU hog that keeps every core busy for the whole
# run: what the virtual clock promises (a slow machine slows the test,
# never makes a sensor late) checked rather than assumed.
check-loaded: test-deps all
	@scripts/with-cpu-hog $(MAKE) --no-print-directory -j$(CHECK_JOBS) \
		-Otarget $(CHECK_WAITING)
	@scripts/with-cpu-hog $(MAKE) --no-print-directory $(CHECK_REALTIME)

# The configuration reference in heatpad.json(5) is generated from the key
# table (controller/config/config_keys.c): `make docs` writes it, and
# check-docs fails when the committed page differs, or when heatpadd(8)
# misses an option --help prints.
$(B)/docs/config_keys_dump: scripts/docs/config_keys_dump.c \
                            $(B)/obj/controller/config/config_keys.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) $^ -o $@

docs: $(B)/docs/config_keys_dump
	@scripts/gen-config-doc $(B)/docs/config_keys_dump

check-docs: $(B)/docs/config_keys_dump $(B)/heatpadd
	@scripts/gen-config-doc --check $(B)/docs/config_keys_dump
	@scripts/check-man-options $(B)/heatpadd systemd/man/heatpadd.8

# core/ reads no clock, file, socket, thread or environment
# (scripts/check-core-purity says the rule), and each folder includes only
# what it may, with no cycle (scripts/check-includes).
check-core-purity:
	@scripts/check-core-purity controller/core
	@scripts/check-includes controller

# Every code the daemon can send has a text in every language, and every
# key the page names exists (docs/i18n.md).
check-i18n:
	@scripts/check-i18n

# The committed icons are what scripts/make-icons draws.
check-icons:
	@scripts/make-icons --check && echo "check-icons: web/icons and web/favicon.ico are what scripts/make-icons draws"

# Lighthouse's figures for the page (a benchmark, not a test).
lighthouse: $(B)/heatpadd
	@scripts/lighthouse

unit: $(UNIT_BINS)
	@scripts/run-tests $(UNIT_BINS)

unit-asan: $(ASAN_BINS)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		scripts/run-tests $(ASAN_BINS)

# Each suite a target of its own, so make -j can run them side by side.
.PHONY: it-run it-run-asan it-button it-button-asan it-clock it-hw it-hw1 it-hw2 it-crash it-mqtt it-mqtt-asan it-http \
        it-http-asan it-soak it-soak-asan check-loaded
integration: it-run it-button it-hw it-crash it-run-asan it-button-asan it-mqtt \
             it-mqtt-asan

it-run: $(B)/heatpadd
	@python3 tests/integration/run.py

it-run-asan: $(B)/asan/heatpadd
	@HEATPAD_DAEMON=$(B)/asan/heatpadd ASAN_OPTIONS=detect_leaks=1 \
		python3 tests/integration/run.py

# hw.py waits on real adapters' time: two halves side by side.
it-hw: it-hw1 it-hw2

it-hw1 it-hw2: it-hw%: $(B)/heatpadd $(B)/tests/mb_server
	@python3 tests/integration/hw.py --part=$*/2

it-crash: $(B)/heatpadd
	@python3 tests/integration/crash.py

it-mqtt: $(B)/heatpadd
	@python3 tests/integration/mqtt.py

# The bedside button and light, driven over the control socket.
it-button: $(B)/heatpadd
	@python3 tests/integration/button.py

it-button-asan: $(B)/asan/heatpadd
	@HEATPAD_DAEMON=$(B)/asan/heatpadd ASAN_OPTIONS=detect_leaks=1 \
		python3 tests/integration/button.py

# The stepped clock end to end; it runs busy loops of its own.
it-clock: $(B)/heatpadd
	@python3 tests/integration/clock.py

it-mqtt-asan: $(B)/asan/heatpadd
	@HEATPAD_DAEMON=$(B)/asan/heatpadd python3 tests/integration/mqtt.py \
		--sanitizer-subset

# MQTT flood (README "MQTT flood"): bursts of commands on a real
# mosquitto. make check runs short bursts (and one under ASan/UBSan);
# make reliability runs flood-long (10,000 commands a burst, figures in
# build/reliability/flood.json).
.PHONY: flood-test flood-long
flood-test: $(B)/heatpadd $(B)/asan/heatpadd
	@python3 tests/integration/flood.py
	@HEATPAD_DAEMON=$(B)/asan/heatpadd ASAN_OPTIONS=detect_leaks=1 \
		python3 tests/integration/flood.py --sanitizer

flood-long: $(B)/heatpadd
	@python3 tests/integration/flood.py --long

# Control quality benchmark (not a test): scripts/bench/, README "Control
# quality". Prints a table and writes build/bench/*.svg.
$(B)/bench/bench_control: scripts/bench/bench_control.c $(PLANT_OBJ) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/plant $(ALL_CFLAGS) $^ -o $@ $(LDLIBS)

bench-control: deps $(B)/bench/bench_control
	@scripts/bench/run-control $(B)/bench

# The status page and its API: API tests with python3, browser
# tests in Debian's Chromium through playwright-core (npm, pinned in
# tests/web/package-lock.json).
http-test: it-http it-http-asan

it-http: $(B)/heatpadd
	@python3 tests/integration/http_api.py

it-http-asan: $(B)/asan/heatpadd
	@HEATPAD_DAEMON=$(B)/asan/heatpadd ASAN_OPTIONS=detect_leaks=1 \
		python3 tests/integration/http_api.py

# Load and hostile clients on the page: wrk on /api/status with
# the control tick's lateness, slowloris, oversized requests. The short run
# asserts every invariant; load-long (for make reliability) runs wrk 30 s
# and prints the figures.
load-test: $(B)/heatpadd
	@python3 tests/integration/load.py

load-long: $(B)/heatpadd
	@python3 tests/integration/load.py --long

tests/web/node_modules/.package-lock.json: tests/web/package.json tests/web/package-lock.json
	cd tests/web && npm ci --prefer-offline --no-audit --no-fund --loglevel=error

browser: $(B)/heatpadd tests/web/node_modules/.package-lock.json
	@node tests/web/run.js

clean:
	rm -rf $(B)

# --- install: DESTDIR and PREFIX respected; an existing
# config is never overwritten, and uninstall keeps one that was changed.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/heatpad
UNITDIR    ?= $(PREFIX)/lib/systemd/system
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
CONF       := $(DESTDIR)$(SYSCONFDIR)/heatpad/config.json

install: $(B)/heatpadd
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/web \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/heatpad
	install -m 755 $(B)/heatpadd $(DESTDIR)$(BINDIR)/heatpadd
	install -D -m 644 systemd/man/heatpadd.8 $(DESTDIR)$(MANDIR)/man8/heatpadd.8
	install -D -m 644 systemd/man/heatpad.json.5 $(DESTDIR)$(MANDIR)/man5/heatpad.json.5
	sed -e 's|/usr/bin/heatpadd|$(BINDIR)/heatpadd|g' \
		-e 's|/usr/share/heatpad|$(DATADIR)|g' \
		-e 's|/etc/heatpad/|$(SYSCONFDIR)/heatpad/|g' systemd/heatpad.service \
		> $(DESTDIR)$(UNITDIR)/heatpad.service
	chmod 644 $(DESTDIR)$(UNITDIR)/heatpad.service
	install -m 644 systemd/config.example.json $(DESTDIR)$(DATADIR)/config.example.json
	if [ -d web ]; then cd web && find . -type f ! -path '*/node_modules/*' \
		-exec install -D -m 644 {} $(DESTDIR)$(DATADIR)/web/{} \; ; fi
	@if [ -e $(CONF) ]; then echo "kept existing $(CONF)"; \
	else install -m 644 systemd/config.example.json $(CONF) && \
		echo "installed example $(CONF): edit it, then systemctl enable --now heatpad"; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/heatpadd $(DESTDIR)$(UNITDIR)/heatpad.service \
		$(DESTDIR)$(MANDIR)/man8/heatpadd.8 $(DESTDIR)$(MANDIR)/man5/heatpad.json.5
	rm -rf $(DESTDIR)$(DATADIR)
	@if [ -e $(CONF) ] && cmp -s $(CONF) systemd/config.example.json; then \
		rm -f $(CONF); rmdir $(DESTDIR)$(SYSCONFDIR)/heatpad 2>/dev/null || true; \
	elif [ -e $(CONF) ]; then echo "kept changed $(CONF)"; fi

check-systemd: $(B)/heatpadd
	@python3 tests/systemd/run.py

# --- fuzzing: libFuzzer targets in tests/fuzz/, built by clang
# with ASan/UBSan against the parsers. Seeds (and every crash once found)
# live in tests/fuzz/corpus/<name>/, which runs only read: new inputs go to
# build/fuzz/corpus/<name>/. `make fuzz FUZZ_SECONDS=600` for longer runs.
FUZZ_TARGETS := config schedule mqtt http w1 modbus state
FUZZ_SECONDS ?= 60
FUZZ_CC      := clang
FUZZ_FLAGS   := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
# clang has no -Wformat-truncation to turn off; every other flag stays.
FUZZ_CFLAGS  = -std=gnu11 $(filter-out -Wno-format-truncation,$(WARN)) $(CFLAGS) -O1
FUZZ_OBJ     := $(CORE_SRC:%.c=$(B)/fuzz/obj/%.o) $(STATE_SRC:%.c=$(B)/fuzz/obj/%.o)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)

$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) \
		$(subst fuzzer,fuzzer-no-link,$(FUZZ_FLAGS)) -MMD -MP -c $< -o $@

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_FLAGS) \
		$(filter %.c %.o,$^) -o $@ $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@scripts/run-fuzz $(B)/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# What `make check` runs: the seeds, then about 15 s of fuzzing each.
fuzz-short: $(FUZZ_BINS)
	@scripts/run-fuzz $(B)/fuzz 15 $(FUZZ_TARGETS)

# --- the soak: make check runs 30 simulated days (under a minute: the soak
# drives the daemon's virtual time over its control socket) and 4 days of
# the ASan/UBSan daemon with its leak check; `make reliability` runs the
# long versions of every reliability suite and prints one table of their
# figures (scripts/reliability).
soak-test: it-soak it-soak-asan

it-soak: $(B)/heatpadd
	@python3 tests/integration/soak.py

it-soak-asan: $(B)/asan/heatpadd
	@python3 tests/integration/soak.py --asan

reliability: test-deps all $(B)/asan/heatpadd $(FUZZ_BINS)
	@scripts/reliability

# Cross-builds for the Raspberry Pi (arm64, armhf; bookworm and trixie
# sysroots) and runs the unit tests and a simulated smoke run under
# qemu-user. Installs its own packages.
check-cross:
	@scripts/check-cross

# The packages: bookworm and trixie x arm64, armhf, amd64, each against its
# suite's sysroot, into build/deb/SUITE/ (README "Packages").
debs:
	@scripts/build-deb all

# The amd64 packages installed with apt-get into booted systemd-nspawn
# containers of bookworm and trixie (tests/package/run.py; root).
check-package:
	@python3 tests/package/run.py

# The GPIO relay through the real libgpiod 1.6 and 2.x against a simulated
# chip in qemu, on bookworm's and trixie's kernels.
gpio-qemu: $(B)/heatpadd
	@scripts/gpio-qemu

# Only the compiler's dependency files (build/ also holds sysroots and
# container roots, whose *.d files are not make's).
-include $(shell find $(B)/obj $(B)/asan $(B)/fuzz -name '*.d' -type f 2>/dev/null)
