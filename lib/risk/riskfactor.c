#include "risk/riskfactor.h"

int64_t risk_factor_tenor(int64_t tenor)
{
	return tenor > RISK_MAX_TENOR ? RISK_MAX_TENOR : tenor;
}
