# bench.mk - builds the benchmarks (bench/*.c, one program each) against
# the static library, and makes `make bench` build them first. Included
# by the top-level Makefile, which defines BUILD, CC, CFLAGS, LDFLAGS and
# DEP_LIBS; `make check` never builds or runs them.

BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))

$(BENCH_BIN): $(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(BUILD)/libhandshake.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

# bench/*.sh find the programs and the lab through these
bench: $(BENCH_BIN)
bench: export HS_BENCH_DIR = $(abspath $(BUILD))
