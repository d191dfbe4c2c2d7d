# Makefile - the one entry point of handshake.
#   make            libhandshake.so/.a, the tools and the lab, under build/
#   make deps       install the Debian packages we need (as root)
#   make check      deps, build, every test suite; ends "N passed, N failed"
#   make demo       deps, build, show the main job against the lab
#   make install    PREFIX=/usr/local DESTDIR=
#   make bench      benchmarks (ratios against a reference in the same run)
# SANITIZE=1 builds with ASan and UBSan into build/san and tests that.

VERSION := 0.1.0
SOMAJOR := 0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
# udev and systemd read only their own folders, whatever the prefix.
UDEVDIR ?= /usr/lib/udev
UNITDIR ?= /usr/lib/systemd/system
# cupsd looks for backends only here (not under PREFIX).
CUPS_BACKEND_DIR ?= /usr/lib/cups/backend

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

# Debian 12 packages: build, tests, and the third-party peers the tests run.
DEPS := gcc make pkg-config libserialport-dev libusb-1.0-0-dev \
	bats bats-assert bats-support libcmocka-dev umockdev libumockdev-dev \
	socat ppp picocom cups cups-filters udev ser2net python3-serial iproute2 lrzsz

LIB_SRC := $(wildcard lib/*.c) $(wildcard drivers/*/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
# A tool is tools/NAME.c plus any tools/NAME_*.c beside it (one job each).
TOOL_ALL := $(patsubst tools/%.c,%,$(wildcard tools/hs*.c))
TOOLS := $(foreach t,$(TOOL_ALL),$(if $(findstring _,$(t)),,$(t)))
TOOL_BIN := $(TOOLS:%=$(BUILD)/%)
TOOL_COMMON := $(BUILD)/obj/tools/tool.o
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
EXAMPLES := $(BUILD)/linkcat

SOLIB := $(BUILD)/libhandshake.so.$(VERSION)
LIBS := $(BUILD)/libhandshake.a $(SOLIB) $(BUILD)/libhandshake.so.$(SOMAJOR) \
	$(BUILD)/libhandshake.so

LAB_TARGETS :=
-include tests/lab/lab.mk
-include tests/net/net.mk
-include bench/bench.mk

.PHONY: all deps check check-run demo install bench clean
PRODUCTS := $(LIBS) $(TOOL_BIN)
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
	$(CC) $(CFLAGS) -Ilib/include -Ilib $(DEP_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libhandshake.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(SOLIB): $(LIB_OBJ) lib/handshake.map
	$(CC) -shared -Wl,-soname,libhandshake.so.$(SOMAJOR) \
	  -Wl,--version-script=lib/handshake.map $(LDFLAGS) -o $@ $(LIB_OBJ) $(DEP_LIBS)

$(BUILD)/libhandshake.so.$(SOMAJOR) $(BUILD)/libhandshake.so: $(SOLIB)
	ln -sf $(notdir $(SOLIB)) $@

# Tools and tests link the static library: no LD_LIBRARY_PATH games.
.SECONDEXPANSION:
$(TOOL_BIN): $(BUILD)/%: $(BUILD)/obj/tools/%.o \
  $$(subst .c,.o,$$(addprefix $(BUILD)/obj/,$$(wildcard tools/$$*_*.c))) \
  $(TOOL_COMMON) $(BUILD)/libhandshake.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(BUILD)/linkcat: $(BUILD)/obj/examples/linkcat.o $(BUILD)/libhandshake.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(UNIT_BIN): $(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/obj/tests/unit/ptypair.o $(BUILD)/libhandshake.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) -lcmocka -lutil

check:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@$(MAKE) --no-print-directory -s check-run

check-run:
	@BUILD=$(BUILD) HSLAB=$(abspath $(HSLAB)) SANITIZE=$(SANITIZE) \
	  sh tests/run-suites.sh $(UNIT_BIN) tests/bats $(wildcard tests/lab/*.bats)

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) HSLAB=$(abspath $(HSLAB)) sh examples/demo.sh

bench: all
	@for b in $(wildcard bench/*.sh); do sh $$b || exit 1; done

install: $(PRODUCTS)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/handshake \
	  $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(BUILD)/libhandshake.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SOLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SOLIB)) $(DESTDIR)$(LIBDIR)/libhandshake.so.$(SOMAJOR)
	ln -sf libhandshake.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libhandshake.so
	install -m 644 lib/include/handshake/*.h $(DESTDIR)$(INCLUDEDIR)/handshake/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	  -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	  lib/handshake.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/handshake.pc
	for t in $(TOOLS); do install -m 755 $(BUILD)/$$t $(DESTDIR)$(BINDIR)/; \
	  install -m 644 tools/$$t.1 $(DESTDIR)$(MANDIR)/man1/; done
	# hsprint is also the CUPS backend "hs": a copy, not a link, so an
	# administrator can make it 0700 (cupsd then runs it as root) without
	# touching the tool. 0755: cupsd runs it as lp.
	install -d $(DESTDIR)$(CUPS_BACKEND_DIR)
	install -m 755 $(BUILD)/hsprint $(DESTDIR)$(CUPS_BACKEND_DIR)/hs
	install -d $(DESTDIR)$(UDEVDIR)/rules.d $(DESTDIR)$(UNITDIR)
	# The rules and the unit run hsprobe from where this install put it.
	for f in udev/*.rules; do sed 's|@BINDIR@|$(BINDIR)|g' $$f \
	  > $(DESTDIR)$(UDEVDIR)/rules.d/$${f##*/}; done
	for f in udev/*.service; do sed 's|@BINDIR@|$(BINDIR)|g' $$f \
	  > $(DESTDIR)$(UNITDIR)/$${f##*/}; done
	chmod 644 $(DESTDIR)$(UDEVDIR)/rules.d/*.rules $(DESTDIR)$(UNITDIR)/*.service

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/obj/*/*/*.d)
