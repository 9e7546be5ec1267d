/*
 * american: American options in cost-of-carry form (b = r - q on spot,
 * b = 0 on futures) by closed-form approximations:
 *   bs1993 - Bjerksund-Stensland 1993 (flat boundary), as in QuantLib's
 *            BjerksundStenslandApproximationEngine;
 *   bs2002 - Bjerksund-Stensland 2002 (two-step boundary, bivariate normal);
 *   baw    - Barone-Adesi-Whaley 1987, critical price solved by Newton's
 *            method to full double precision.
 * Puts use the put-call transformation P(S,K,r,b) = C(K,S,r-b,-b) for the
 * Bjerksund-Stensland models.  A call with b >= r (a put with r <= 0) is
 * never exercised early and is priced as European.
 *
 * Owns nothing; never prints.
 */
#ifndef QE_AMERICAN_H
#define QE_AMERICAN_H

#include "price/black76.h"

enum amer_method { AMER_BS1993 = 1, AMER_BS2002 = 2, AMER_BAW = 3 };

/* "bs1993", "bs2002", "baw" -> method; 0 when unknown. */
int amer_method_parse(const char *s);
const char *amer_method_name(int method);

int american_price(int method, int type, double S, double K, double vol, double r, double b,
		   double T, double *price, const char **why);

/* Price and greeks by central differences (delta/gamma: S bumped by
 * 1e-4 S; vega: vol by 1e-4; theta: T by one day or half the time left). */
int american_greeks_fd(int method, int type, double S, double K, double vol, double r,
		       double b, double T, opt_greeks *g, const char **why);

#endif
