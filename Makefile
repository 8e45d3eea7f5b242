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
# Hardware backends: libmodbus (Modbus RTU/TCP) and libgpiod 1.6.
HW_LIBS := $(shell pkg-config --libs libmodbus libgpiod 2>/dev/null || echo -lmodbus -lgpiod)

B := build

# The pure core: no clock, no I/O. Unit tests link exactly this.
CORE_SRC := controller/pid.c controller/window.c controller/safety.c \
            controller/session.c controller/quiet.c controller/guidance.c \
            controller/cfgjson.c controller/config.c controller/config_hw.c \
            controller/core.c controller/sim_pad.c \
            controller/hw/w1_parse.c controller/hw/mb_decode.c
# Hardware code that unit tests drive directly (files, a fake GPIO line, a
# fake blocking relay).
HW_UNIT_SRC := controller/hw/ds18b20.c controller/hw/gpio.c \
               controller/relay_worker.c
# Everything else the daemon needs: clocks, the loop, files, backends.
DAEMON_SRC := controller/state.c controller/vclock.c controller/loop.c \
              controller/log.c controller/reader.c controller/hw/hw.c \
              controller/hw/sim.c controller/main.c \
              controller/hw/modbus_link.c controller/hw/modbus.c \
              controller/hw/gpiod_line.c \
              controller/probe.c $(HW_UNIT_SRC)

UNIT_TESTS := pid window safety session quiet guidance config core state \
              closed_loop w1_parse mb_decode ds18b20 gpio relay_worker

CORE_OBJ    := $(CORE_SRC:%.c=$(B)/obj/%.o)
DAEMON_OBJ  := $(DAEMON_SRC:%.c=$(B)/obj/%.o)
HW_UNIT_OBJ := $(HW_UNIT_SRC:%.c=$(B)/obj/%.o)
ASAN_CORE   := $(CORE_SRC:%.c=$(B)/asan/%.o) $(B)/asan/controller/state.o \
               $(HW_UNIT_SRC:%.c=$(B)/asan/%.o)
UNIT_BINS   := $(UNIT_TESTS:%=$(B)/tests/test_%)
ASAN_BINS   := $(UNIT_TESTS:%=$(B)/asan/tests/test_%)
SANITIZE    := -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer

.PHONY: all deps test-deps run check unit unit-asan integration clean

all: $(B)/heatpadd $(UNIT_BINS) $(B)/tests/mb_server

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
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS) $(HW_LIBS)

# The Modbus test peer: a real libmodbus server with a simulated pad.
$(B)/tests/mb_server: tests/mb_server.c $(B)/obj/controller/sim_pad.o \
                      $(B)/obj/controller/hw/mb_decode.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $^ -o $@ -lmodbus -lm

$(B)/tests/test_%: tests/unit/test_%.c $(CORE_OBJ) $(B)/obj/controller/state.o \
                   $(HW_UNIT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS) -lcmocka

$(B)/asan/tests/test_%: tests/unit/test_%.c $(ASAN_CORE)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -O1 $(SANITIZE) $^ -o $@ $(LDLIBS) -lcmocka

run: deps $(B)/heatpadd
	@mkdir -p $(B)/run
	$(B)/heatpadd --config examples/sim.json --state-file $(B)/run/state.json

check: test-deps all
	@$(MAKE) --no-print-directory unit unit-asan integration

unit: $(UNIT_BINS)
	@scripts/run-tests $(UNIT_BINS)

unit-asan: $(ASAN_BINS)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		scripts/run-tests $(ASAN_BINS)

integration: $(B)/heatpadd $(B)/tests/mb_server
	@rc=0; python3 tests/integration/run.py || rc=1; \
		python3 tests/integration/hw.py || rc=1; exit $$rc

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
