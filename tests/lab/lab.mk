# lab.mk — builds the device lab (hslab) and its helper programs.
# Included by the top-level Makefile, which defines BUILD, CC, CFLAGS and
# LDFLAGS. The lab plays devices; it never links libhandshake.

LAB_DIR := tests/lab
HSLAB := $(BUILD)/hslab
LAB_HOST := $(BUILD)/labhost
LAB_SPID := $(BUILD)/sp_identity
# preloaded into the program under test; hslab finds it beside itself
LAB_SHIM := $(BUILD)/libhslab-isatty.so

# helpers are separate programs: not part of hslab
LAB_HELPERS := $(LAB_DIR)/labhost.c $(LAB_DIR)/sp_identity.c \
	$(LAB_DIR)/isatty_shim.c
LAB_SRCS := $(filter-out $(LAB_HELPERS),$(wildcard $(LAB_DIR)/*.c))
LAB_OBJS := $(patsubst $(LAB_DIR)/%.c,$(BUILD)/lab/%.o,$(LAB_SRCS))

LAB_PKGS := umockdev-1.0 glib-2.0 gobject-2.0
# gnu11 and _GNU_SOURCE: the lab uses POSIX/GNU calls (ptsname,
# cfsetspeed, memmem, getaddrinfo) next to GLib, whatever CFLAGS says. Sanitizers are filtered out: the lab and its children run
# with umockdev's LD_PRELOAD, which ASan refuses to start under.
LAB_NOSAN = $(filter-out -fsanitize=%,$(1))
LAB_CFLAGS = $(call LAB_NOSAN,$(CFLAGS)) -std=gnu11 -D_GNU_SOURCE \
	$(shell pkg-config --cflags $(LAB_PKGS)) \
	$(shell pkg-config --atleast-version=0.18.4 umockdev-1.0 && \
		echo -DLAB_UMOCKDEV_REMOVE_UEVENT)
LAB_LDFLAGS = $(call LAB_NOSAN,$(LDFLAGS))

LAB_TARGETS += $(HSLAB) $(LAB_SHIM) $(LAB_HOST) $(LAB_SPID)

$(BUILD)/lab/%.o: $(LAB_DIR)/%.c $(wildcard $(LAB_DIR)/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(LAB_CFLAGS) -c -o $@ $<

$(HSLAB): $(LAB_OBJS)
	$(CC) $(LAB_CFLAGS) $(LAB_LDFLAGS) -o $@ $(LAB_OBJS) \
		$(shell pkg-config --libs $(LAB_PKGS)) -lm

$(LAB_SHIM): $(LAB_DIR)/isatty_shim.c
	@mkdir -p $(dir $@)
	$(CC) $(call LAB_NOSAN,$(CFLAGS)) -std=gnu11 -fPIC -shared \
		$(LAB_LDFLAGS) -o $@ $<

# a stand-in for the host side of tests: raw termios/ioctl, no GLib
$(LAB_HOST): $(LAB_DIR)/labhost.c $(LAB_DIR)/unescape.c $(LAB_DIR)/unescape.h
	@mkdir -p $(dir $@)
	$(CC) $(call LAB_NOSAN,$(CFLAGS)) -std=gnu11 $(LAB_LDFLAGS) -o $@ \
		$(LAB_DIR)/labhost.c $(LAB_DIR)/unescape.c

# unmodified libserialport code: the identity fidelity test
$(LAB_SPID): $(LAB_DIR)/sp_identity.c
	@mkdir -p $(dir $@)
	$(CC) $(call LAB_NOSAN,$(CFLAGS)) -std=gnu11 \
		$(shell pkg-config --cflags libserialport) $(LAB_LDFLAGS) \
		-o $@ $< $(shell pkg-config --libs libserialport)

.PHONY: lab
lab: $(LAB_TARGETS)
