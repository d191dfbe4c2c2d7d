# Makefile - the one entry point of handshake.
#   make            libhandshake.so/.a, the tools and the lab, under build/
#                   (the default goal)
#   make deps       install the Debian packages we need (as root)
#   make check      deps, build, every test suite; ends "N passed, N failed"
#   make demo       deps, build, show the main job against the lab
#   make install    PREFIX=/usr/local DESTDIR= (install.mk), make uninstall
#   make deb        the Debian packages, into build/deb (install.mk)
#   make bench      benchmarks: goals judged at the median of runs against a
#                   reference measured in the same run (bench/bench_lib.sh)
#   make fuzz       every libFuzzer harness for FUZZ_SECONDS (tests/fuzz)
# SANITIZE=1 builds with ASan and UBSan into build/san and tests that.

VERSION := 0.1.0
SOMAJOR := 0


SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD ?= build/san
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SAN :=
endif

CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -fPIC $(SAN)
LDFLAGS += $(SAN)
# Recursively expanded: pkg-config runs only once `make deps` has run.
DEP_CFLAGS = $(shell pkg-config --cflags libserialport libusb-1.0)
DEP_LIBS = $(shell pkg-config --libs libserialport libusb-1.0)

# Debian 12 packages: build, tests, benchmarks, and the third-party peers
# the tests run. Every command the suites, `make demo` and `make bench` run
# comes from one of these or from a minimal Debian 12 (debootstrap
# --variant=minbase: coreutils, util-linux, mount, grep, sed, mawk, ...).
# procps: ps and pkill, which bats needs to enforce BATS_TEST_TIMEOUT.
DEPS := gcc binutils make pkg-config libserialport-dev libusb-1.0-0-dev \
	bats bats-assert bats-support libcmocka-dev umockdev libumockdev-dev \
	procps python3 time \
	socat ppp picocom cups cups-client cups-daemon cups-filters udev \
	ser2net python3-serial iproute2 man-db python3-jsonschema tmux \
	lrzsz strace

LIB_SRC := $(wildcard lib/*.c) $(wildcard drivers/*/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
# A tool is tools/NAME.c plus any tools/NAME_*.c beside it (one job each).
TOOL_ALL := $(patsubst tools/%.c,%,$(wildcard tools/hs*.c))
TOOLS := $(foreach t,$(TOOL_ALL),$(if $(findstring _,$(t)),,$(t)))
TOOL_BIN := $(TOOLS:%=$(BUILD)/%)
TOOL_COMMON := $(BUILD)/obj/tools/tool.o $(BUILD)/obj/tools/tool_json.o
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# examples/NAME.c: a program per main use, built as $(BUILD)/NAME and run
# by tests/bats/examples.bats.
EXAMPLES := $(patsubst examples/%.c,$(BUILD)/%,$(wildcard examples/*.c))

# Section 3: one page per public header, generated from its comments
# (man/header2man.awk), plus a link per function; section 7 by hand.
HEADERS := $(wildcard lib/include/handshake/*.h)
man_page = $(if $(filter handshake,$(1)),handshake,handshake-$(1))
MAN3 := $(foreach h,$(HEADERS),$(BUILD)/man/$(call man_page,$(basename $(notdir $(h)))).3)
MAN7 := man/handshake.7
# The pages carry the source's date, not the build's: reproducible.
MAN_DATE := $(shell d=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null)}; \
	date -u -d "@$${d:-$$(date +%s)}" +%Y-%m-%d)

SOLIB := $(BUILD)/libhandshake.so.$(VERSION)
LIBS := $(BUILD)/libhandshake.a $(SOLIB) $(BUILD)/libhandshake.so.$(SOMAJOR) \
	$(BUILD)/libhandshake.so

# The default goal: the library, the tools and the lab, whatever the
# included files below define first.
.DEFAULT_GOAL := all

LAB_TARGETS :=
-include tests/lab/lab.mk
-include tests/net/net.mk
-include bench/bench.mk

.PHONY: all deps check check-run demo bench clean
PRODUCTS := $(LIBS) $(TOOL_BIN) $(MAN3)
all: $(PRODUCTS) $(EXAMPLES) $(LAB_TARGETS) $(NET_TARGETS)

deps:
	@missing=; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' \
	    || missing="$$missing $$p"; done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "make deps: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	else \
	  echo "make deps: missing packages; run as root:"; \
	  echo "  apt-get install$$missing"; exit 1; \
	fi

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Ilib/include -Ilib $(DEP_CFLAGS) -MMD -MP -c $< -o $@

define header2man
	@mkdir -p $(dir $@)
	awk -v page=$(basename $(notdir $@)) -v version=$(VERSION) -v date=$(MAN_DATE) \
	  -v pages="$(basename $(notdir $(MAN3)))" -v links=$(@:.3=.links) \
	  -f man/header2man.awk $< > $@.tmp && mv $@.tmp $@
endef
$(BUILD)/man/handshake.3: lib/include/handshake/handshake.h man/header2man.awk
	$(header2man)
$(BUILD)/man/handshake-%.3: lib/include/handshake/%.h man/header2man.awk
	$(header2man)

$(BUILD)/libhandshake.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(SOLIB): $(LIB_OBJ) lib/handshake.map
	$(CC) -shared -Wl,-soname,libhandshake.so.$(SOMAJOR) \
	  -Wl,--version-script=lib/handshake.map $(LDFLAGS) -o $@ $(LIB_OBJ) $(DEP_LIBS)

$(BUILD)/libhandshake.so.$(SOMAJOR) $(BUILD)/libhandshake.so: $(SOLIB)
	ln -sf $(notdir $(SOLIB)) $@

# The tools as installed: the same objects, linked to libhandshake.so.0
# (a fixed library reaches every program at once), no rpath.
TOOL_DYN := $(TOOLS:%=$(BUILD)/dyn/%)

# Tools and tests link the static library: no LD_LIBRARY_PATH games.
.SECONDEXPANSION:
tool_objs = $(BUILD)/obj/tools/$(1).o \
  $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/$(1)_*.c)) $(TOOL_COMMON)
$(TOOL_BIN): $(BUILD)/%: $$(call tool_objs,$$*) $(BUILD)/libhandshake.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)
$(TOOL_DYN): $(BUILD)/dyn/%: $$(call tool_objs,$$*) $(BUILD)/libhandshake.so
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(call tool_objs,$*) -L$(BUILD) -lhandshake

$(EXAMPLES): $(BUILD)/%: $(BUILD)/obj/examples/%.o $(BUILD)/libhandshake.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(UNIT_BIN): $(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/obj/tests/unit/ptypair.o $(BUILD)/libhandshake.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) -lcmocka -lutil

# The packaging tools too: tests/bats/deb.bats builds the packages.
check:
	@$(MAKE) --no-print-directory deps DEPS="$(DEPS) $(DEB_DEPS)"
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(FUZZ_REPLAY)
	@$(MAKE) --no-print-directory -s check-run

check-run:
	@BUILD=$(BUILD) HSLAB=$(abspath $(HSLAB)) SANITIZE=$(SANITIZE) \
	  sh tests/run-suites.sh $(UNIT_BIN) tests/bats $(wildcard tests/lab/*.bats) \
	  tests/fuzz/replay.sh

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) HSLAB=$(abspath $(HSLAB)) sh examples/demo.sh

# make bench BENCHES="print_wait links" runs only those
bench: all
	@sh bench/run.sh $(foreach b,$(BENCHES),bench/$(b).sh)

clean:
	rm -rf build

# After `all`, so that none of their targets becomes the default goal.
-include tests/fuzz/fuzz.mk
include install.mk

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/obj/*/*/*.d)
