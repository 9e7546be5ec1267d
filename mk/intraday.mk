# `make intraday INTRADAY_DIR=DIR`: the intraday run (pipelines/intraday.mk)
# on the new trades and prices of DIR against the day's `make eod` outputs.
.PHONY: intraday
intraday: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory -f pipelines/intraday.mk QE_BIN=$(CURDIR)/$(BIN)
