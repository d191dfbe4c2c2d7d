# net.mk — builds the network-port test helpers (tests/net). Included by
# the top-level Makefile, which defines BUILD, CC, CFLAGS, LDFLAGS and
# DEP_LIBS. hslink drives a link through libhandshake from the tests.

NET_HSLINK := $(BUILD)/hslink
NET_TARGETS := $(NET_HSLINK)

$(NET_HSLINK): tests/net/hslink.c tests/lab/unescape.c tests/lab/unescape.h \
		$(BUILD)/libhandshake.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ilib/include $(LDFLAGS) -o $@ tests/net/hslink.c \
		tests/lab/unescape.c $(BUILD)/libhandshake.a $(DEP_LIBS)
