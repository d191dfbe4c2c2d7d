# fuzz.mk - the fuzz harnesses (tests/fuzz/fuzz_NAME.c), built two ways.
# Included by the top-level Makefile, which defines BUILD, CC, CFLAGS,
# LDFLAGS, SAN and DEP_LIBS.
#
#  - replay: each harness with replay.c's plain main() and the normal
#    compiler and flags (SANITIZE=1: ASan and UBSan), as
#    $(BUILD)/fuzz/replay_NAME. `make check` runs every file of
#    tests/fuzz/corpus/NAME through it (tests/fuzz/replay.sh).
#  - libFuzzer: `make fuzz` rebuilds the library and the harnesses with
#    clang -fsanitize=fuzzer,address,undefined into build/libfuzzer and
#    runs each for FUZZ_SECONDS (tests/fuzz/run.sh). Its packages
#    (FUZZ_DEPS) are installed by `make fuzz` only, never by `make check`.

FUZZ_DIR := tests/fuzz
FUZZ_NAMES := $(sort $(patsubst $(FUZZ_DIR)/fuzz_%.c,%,$(wildcard $(FUZZ_DIR)/fuzz_*.c)))
FUZZ_REPLAY := $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)
FUZZ_BIN := $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)
FUZZ_COMMON := $(BUILD)/obj/$(FUZZ_DIR)/harness.o
# Tool code that harnesses fuzz (hsprobe's JSON), as an archive: a
# harness links only what it uses.
FUZZ_TOOLS_SRC := tools/hsprobe_json.c tools/tool.c tools/tool_json.c
FUZZ_TOOLS := $(BUILD)/fuzz/libtools.a
FUZZ_LIBS = $(DEP_LIBS) -lutil -lpthread

FUZZ_SECONDS ?= 60
FUZZ_DEPS := clang libclang-rt-14-dev
FUZZ_BUILD := build/libfuzzer
# The library and harnesses instrumented for libFuzzer; UBSan reports
# abort, so libFuzzer counts them as crashes.
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer

.PHONY: fuzz fuzz-build
$(BUILD)/obj/$(FUZZ_DIR)/%.o: CFLAGS += -Itools

$(FUZZ_TOOLS): $(FUZZ_TOOLS_SRC:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_REPLAY): $(BUILD)/fuzz/replay_%: $(BUILD)/obj/$(FUZZ_DIR)/fuzz_%.o \
  $(BUILD)/obj/$(FUZZ_DIR)/replay.o $(FUZZ_COMMON) $(FUZZ_TOOLS) $(BUILD)/libhandshake.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(FUZZ_LIBS)

$(FUZZ_BIN): $(BUILD)/fuzz/%: $(BUILD)/obj/$(FUZZ_DIR)/fuzz_%.o $(FUZZ_COMMON) \
  $(FUZZ_TOOLS) $(BUILD)/libhandshake.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

fuzz-build: $(FUZZ_BIN)

fuzz:
	@$(MAKE) --no-print-directory deps DEPS="$(FUZZ_DEPS)"
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang SAN="$(FUZZ_SAN)" \
	  SANITIZE=0 fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh $(FUZZ_DIR)/run.sh $(FUZZ_BUILD) $(FUZZ_NAMES)
