# qe-var: its subcommands on histories and books live in cmd/var_*.c and
# are linked into bin/qe-var only (the top-level rule links $(CLI_OBJ)).
VAR_CMD_OBJ := $(patsubst cmd/%.c,$(BUILD)/cmd/%.o,$(wildcard cmd/var_*.c))
$(BIN)/qe-var: $(VAR_CMD_OBJ)
$(BIN)/qe-var: CLI_OBJ += $(VAR_CMD_OBJ)
