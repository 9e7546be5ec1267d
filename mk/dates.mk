# dates: the exchange holiday files are data the tools read at run time
# (lib/calendar.c looks in <prefix>/share/quantaenergi/calendars).
.PHONY: install-calendars
install: install-calendars
install-calendars:
	install -d $(DESTDIR)$(PREFIX)/share/quantaenergi/calendars
	install -m 644 data/calendars/*.txt $(DESTDIR)$(PREFIX)/share/quantaenergi/calendars/
