#!/usr/bin/python3
"""Regenerates the holiday files NYMEX.txt, ICE_EU.txt, UK_BANK.txt and EEX.txt
(exchanges, 2023-2036) and TARGET2.txt and FED.txt (payment calendars of EUR
and USD, 2020-2035) from the holiday rules stated in each file's header
(Python stdlib only).

    /usr/bin/python3 data/calendars/generate.py            # each its own years
    /usr/bin/python3 data/calendars/generate.py 2023 2036  # every file these years

The files, not this script, are what the tools read: edit a file by hand
for a one-off closure and note it in its header.  Re-check the rules
against the exchange's published calendar every year."""
import datetime as dt
import sys

CHECKED = "2026-11-26"


def easter(y):
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    return dt.date(y, (h + l - 7 * m + 114) // 31, (h + l - 7 * m + 114) % 31 + 1)


def nth_weekday(y, m, wd, n):
    """n-th weekday wd (0 = Monday) of month m; n = -1 for the last."""
    if n > 0:
        d = dt.date(y, m, 1)
        d += dt.timedelta((wd - d.weekday()) % 7)
        return d + dt.timedelta(7 * (n - 1))
    d = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(1)
    return d - dt.timedelta((d.weekday() - wd) % 7)


def us_observed(d):
    """NYSE/CME: Saturday -> Friday before, Sunday -> Monday after."""
    if d.weekday() == 5:
        return d - dt.timedelta(1)
    if d.weekday() == 6:
        return d + dt.timedelta(1)
    return d


def nymex(y):
    out = []
    ny = dt.date(y, 1, 1)
    if ny.weekday() == 6:
        out.append((ny + dt.timedelta(1), "New Year's Day (observed)"))
    elif ny.weekday() < 5:
        out.append((ny, "New Year's Day"))
    out.append((nth_weekday(y, 1, 0, 3), "Martin Luther King Jr. Day"))
    out.append((nth_weekday(y, 2, 0, 3), "Presidents' Day"))
    out.append((easter(y) - dt.timedelta(2), "Good Friday"))
    out.append((nth_weekday(y, 5, 0, -1), "Memorial Day"))
    out.append((us_observed(dt.date(y, 6, 19)), "Juneteenth"))
    out.append((us_observed(dt.date(y, 7, 4)), "Independence Day"))
    out.append((nth_weekday(y, 9, 0, 1), "Labor Day"))
    out.append((nth_weekday(y, 11, 3, 4), "Thanksgiving Day"))
    out.append((us_observed(dt.date(y, 12, 25)), "Christmas Day"))
    return [h for h in out if h[0].year == y]


def uk_xmas(y):
    """Christmas and Boxing Day with the UK substitute-day rule."""
    c, b = dt.date(y, 12, 25), dt.date(y, 12, 26)
    if c.weekday() == 5:   # Sat/Sun -> Mon 27, Tue 28
        return [(dt.date(y, 12, 27), "Christmas Day (substitute)"),
                (dt.date(y, 12, 28), "Boxing Day (substitute)")]
    if c.weekday() == 6:   # Sun/Mon -> Mon 26 Boxing, Tue 27 Christmas
        return [(b, "Boxing Day"), (dt.date(y, 12, 27), "Christmas Day (substitute)")]
    if c.weekday() == 4:   # Fri/Sat -> Boxing on Mon 28
        return [(c, "Christmas Day"), (dt.date(y, 12, 28), "Boxing Day (substitute)")]
    return [(c, "Christmas Day"), (b, "Boxing Day")]


def ice_eu(y):
    ny = dt.date(y, 1, 1)
    if ny.weekday() >= 5:
        ny += dt.timedelta(7 - ny.weekday())
        out = [(ny, "New Year's Day (substitute)")]
    else:
        out = [(ny, "New Year's Day")]
    out.append((easter(y) - dt.timedelta(2), "Good Friday"))
    return out + uk_xmas(y)


def uk_bank(y):
    ny = dt.date(y, 1, 1)
    if ny.weekday() >= 5:
        out = [(ny + dt.timedelta(7 - ny.weekday()), "New Year's Day (substitute)")]
    else:
        out = [(ny, "New Year's Day")]
    e = easter(y)
    out += [(e - dt.timedelta(2), "Good Friday"), (e + dt.timedelta(1), "Easter Monday"),
            (nth_weekday(y, 5, 0, 1), "Early May bank holiday"),
            (nth_weekday(y, 5, 0, -1), "Spring bank holiday"),
            (nth_weekday(y, 8, 0, -1), "Summer bank holiday")]
    if y == 2023:
        out.append((dt.date(2023, 5, 8), "Coronation of King Charles III"))
    return out + uk_xmas(y)


def eex(y):
    e = easter(y)
    out = [(dt.date(y, 1, 1), "New Year's Day"), (e - dt.timedelta(2), "Good Friday"),
           (e + dt.timedelta(1), "Easter Monday"), (dt.date(y, 5, 1), "Labour Day"),
           (dt.date(y, 12, 24), "Christmas Eve"), (dt.date(y, 12, 25), "Christmas Day"),
           (dt.date(y, 12, 26), "Boxing Day"), (dt.date(y, 12, 31), "New Year's Eve")]
    return [h for h in out if h[0].weekday() < 5]


def target2(y):
    """TARGET2 (T2) closing days: no substitute days."""
    e = easter(y)
    out = [(dt.date(y, 1, 1), "New Year's Day"), (e - dt.timedelta(2), "Good Friday"),
           (e + dt.timedelta(1), "Easter Monday"), (dt.date(y, 5, 1), "Labour Day"),
           (dt.date(y, 12, 25), "Christmas Day"), (dt.date(y, 12, 26), "Boxing Day")]
    return [h for h in out if h[0].weekday() < 5]


def fed_observed(d):
    """Federal Reserve: a Sunday holiday is observed on the Monday after; on
    a Saturday one the Reserve Banks are open the Friday before (no day)."""
    if d.weekday() == 6:
        return d + dt.timedelta(1)
    return d


def fed(y):
    out = [(fed_observed(dt.date(y, 1, 1)), "New Year's Day"),
           (nth_weekday(y, 1, 0, 3), "Birthday of Martin Luther King, Jr."),
           (nth_weekday(y, 2, 0, 3), "Washington's Birthday"),
           (nth_weekday(y, 5, 0, -1), "Memorial Day")]
    if y >= 2021:
        out.append((fed_observed(dt.date(y, 6, 19)), "Juneteenth National Independence Day"))
    out += [(fed_observed(dt.date(y, 7, 4)), "Independence Day"),
            (nth_weekday(y, 9, 0, 1), "Labor Day"),
            (nth_weekday(y, 10, 0, 2), "Columbus Day"),
            (fed_observed(dt.date(y, 11, 11)), "Veterans Day"),
            (nth_weekday(y, 11, 3, 4), "Thanksgiving Day"),
            (fed_observed(dt.date(y, 12, 25)), "Christmas Day")]
    return [h for h in out if h[0].weekday() < 5]


HEADERS = {
    "NYMEX": """# calendar: NYMEX
# source: CME Group holiday calendar (https://www.cmegroup.com/tools-information/holiday-calendar.html)
# checked: {checked}
# covers: {y0}-{y1}
# rule: days with no NYMEX energy settlement: New Year's Day, Martin Luther King Jr. Day
#   (3rd Monday of January), Presidents' Day (3rd Monday of February), Good Friday,
#   Memorial Day (last Monday of May), Juneteenth (19 June), Independence Day (4 July),
#   Labor Day (1st Monday of September), Thanksgiving (4th Thursday of November),
#   Christmas Day.  A Saturday holiday is observed on the Friday before, a Sunday one
#   on the Monday after; New Year's Day on a Saturday is not observed (as at NYSE).
#   On MLK, Presidents', Juneteenth and similar days CME Globex may hold an abbreviated
#   session, but trades are for the next trade date and no settlement is published, so
#   they are not business days.  One-off closures (e.g. a national day of mourning)
#   are not included: add them by hand when announced.
# verified: the primary page was not reachable from the build machine; the rule was
#   cross-checked against secondary copies of CME holiday tables (2023: 01-02, 01-16,
#   02-20, 04-07, 05-29, 06-19, 07-04, 09-04, 11-23, 12-25).  Re-check yearly.
""",
    "ICE_EU": """# calendar: ICE_EU
# source: ICE Futures Europe trading schedule, oil contracts (Brent, Gasoil)
#   (https://www.ice.com/publicdocs/futures/IFEU_Trading_Schedule.pdf)
# checked: {checked}
# covers: {y0}-{y1}
# rule: ICE Futures Europe oil futures are closed on New Year's Day (a weekend New
#   Year's Day moves to the Monday after), Good Friday, Christmas Day and Boxing Day
#   (UK substitute-day rule when they fall on a weekend).  Other UK bank holidays
#   (Easter Monday, early May, spring and summer bank holidays) are trading days for
#   Brent and are NOT in this file; ICE UK gas, power and emissions contracts close on
#   them, so a calendar for those needs its own file.
# verified: cross-checked against a copy of the IFEU Trading Schedule 2023 (Monday 2
#   January closed for all contracts) and broker holiday notices (Brent open on Easter
#   Monday and the Spring Bank Holiday, closed on Good Friday).  Re-check yearly.
""",
    "UK_BANK": """# calendar: UK_BANK
# source: GOV.UK bank holidays, England and Wales (https://www.gov.uk/bank-holidays)
# checked: {checked}
# covers: {y0}-{y1}
# rule: New Year's Day, Good Friday, Easter Monday, early May bank holiday (1st Monday
#   of May), spring bank holiday (last Monday of May), summer bank holiday (last Monday
#   of August), Christmas Day, Boxing Day; a weekend New Year's, Christmas or Boxing Day
#   moves to the next free weekday.  One-offs: 8 May 2023 (coronation).  Used by the
#   ICE Endex EUA expiry rule ("a UK Bank Holiday") and UK gas and power contracts.
# verified: the rule and the 2023 coronation day from the GOV.UK list as remembered;
#   the page was not reachable from the build machine.  Re-check yearly.
""",
    "EEX": """# calendar: EEX
# source: EEX Group trading calendar, derivatives markets (https://www.eex.com/en/markets/trading-calendar)
# checked: {checked}
# covers: {y0}-{y1}
# rule: EEX power and gas derivatives exchange holidays: New Year's Day, Good Friday,
#   Easter Monday, Labour Day (1 May), Christmas Eve, Christmas Day, Boxing Day (26
#   December) and New Year's Eve; no substitute days (a weekend holiday is simply
#   dropped).  Other German public holidays (Ascension, Whit Monday, 3 October) are
#   exchange trading days.
# verified: cross-checked against the Deutsche Boerse group (Eurex) holiday pattern
#   (Good Friday, Easter Monday, 1 May, 24/25/26/31 December, 1 January); the EEX PDF
#   itself was not reachable from the build machine.  Re-check yearly.
""",
    "TARGET2": """# calendar: TARGET2
# source: ECB, TARGET2 / T2 closing days (https://www.ecb.europa.eu/paym/target/t2/html/index.en.html)
# checked: {checked}
# covers: {y0}-{y1}
# rule: the payment calendar of EUR: T2 is closed on Saturdays, Sundays, New Year's
#   Day (1 January), Good Friday, Easter Monday, Labour Day (1 May), Christmas Day
#   (25 December) and 26 December; no substitute days (a weekend holiday is simply
#   dropped).
# verified: the closing days as published by the ECB since 2002, from the rule; the
#   page was not reachable from the build machine.  Re-check yearly.
""",
    "FED": """# calendar: FED
# source: Federal Reserve Bank Services holiday schedule (https://www.frbservices.org/about/holiday-schedules)
# checked: {checked}
# covers: {y0}-{y1}
# rule: the payment calendar of USD (Fedwire): the 11 federal holidays - New Year's
#   Day, Birthday of Martin Luther King, Jr. (3rd Monday of January), Washington's
#   Birthday (3rd Monday of February), Memorial Day (last Monday of May), Juneteenth
#   (19 June, from 2021), Independence Day (4 July), Labor Day (1st Monday of
#   September), Columbus Day (2nd Monday of October), Veterans Day (11 November),
#   Thanksgiving (4th Thursday of November), Christmas Day.  A holiday on a Sunday is
#   observed on the Monday after; for one on a Saturday the Reserve Banks are open
#   the Friday before, so no weekday is closed.
# verified: from the rule as published in the Reserve Banks' schedules; the page
#   was not reachable from the build machine.  Re-check yearly.
""",
}

# Each file's own years and checked date when no years are given.
CALENDARS = (("NYMEX", nymex, 2023, 2036, CHECKED), ("ICE_EU", ice_eu, 2023, 2036, CHECKED),
             ("UK_BANK", uk_bank, 2023, 2036, CHECKED), ("EEX", eex, 2023, 2036, CHECKED),
             ("TARGET2", target2, 2020, 2035, "2026-12-06"),
             ("FED", fed, 2020, 2035, "2026-12-06"))


def main():
    years = [int(a) for a in sys.argv[1:3]] if len(sys.argv) > 2 else None
    for name, rule, y0, y1, checked in CALENDARS:
        if years:
            y0, y1 = years
        with open(f"{sys.path[0]}/{name}.txt", "w") as f:
            f.write(HEADERS[name].format(checked=checked, y0=y0, y1=y1))
            f.write("# format: one ISO date a line, optional '# comment' after it; see qe-formats(5)\n")
            for y in range(y0, y1 + 1):
                for d, what in sorted(rule(y)):
                    f.write(f"{d.isoformat()}  # {what}\n")


main()
