# qe-store (lib/store/pg.c) is the one user of libpq: its objects find
# the header, and only qe-store and the store unit test link the library.
PQ_CFLAGS = $(eval PQ_CFLAGS := $$(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql))$(PQ_CFLAGS)
$(BUILD)/lib/store/%.o: QE_CPPFLAGS += $(PQ_CFLAGS)
$(BUILD)/cmd/store/%.o $(BUILD)/cmd/qe-store.o: QE_CPPFLAGS += $(PQ_CFLAGS)
$(BIN)/qe-store $(BUILD)/tests/test_store: QE_LDLIBS += -lpq
