"""Stable codes of the local income taxes and employee-paid state taxes, with their YTD keys.

The pay stub, ``payrun calc --json`` and the pay run key these amounts by code; each code has
one year-to-date key for its amount, and the capped programs one for the wages they were
charged on (programs sharing a wage base share the key).
"""

from __future__ import annotations

# (code, stub description, YTD key of the amount)
LOCAL_TAXES: tuple[tuple[str, str, str], ...] = (
    ("NYC", "New York City resident tax", "nyc_tax"),
    ("YONKERS", "Yonkers income tax", "yonkers_tax"),
    ("PHL_WAGE", "Philadelphia wage tax", "phl_wage_tax"),
    ("PA_EIT", "PA local earned income tax (Act 32)", "pa_eit_tax"),
    ("PA_LST", "PA local services tax", "pa_lst_tax"),
    ("DETROIT", "Detroit city income tax", "detroit_tax"),
)
EMPLOYEE_TAXES: tuple[tuple[str, str, str], ...] = (
    ("NY_PFL", "NY Paid Family Leave", "ny_pfl_tax"),
    ("NY_DBL", "NY disability benefits (DBL)", "ny_dbl_tax"),
    ("NJ_UI", "NJ unemployment insurance (worker)", "nj_ui_tax"),
    ("NJ_WF", "NJ workforce development / supplemental workforce fund", "nj_wf_tax"),
    ("NJ_TDI", "NJ temporary disability insurance (worker)", "nj_tdi_tax"),
    ("NJ_FLI", "NJ family leave insurance", "nj_fli_tax"),
    ("PA_UC", "PA unemployment compensation (employee)", "pa_uc_tax"),
    ("MA_PFML", "MA paid family and medical leave (employee)", "ma_pfml_tax"),
    ("WA_PFML", "WA paid family and medical leave (employee)", "wa_pfml_tax"),
    ("WA_CARES", "WA Cares Fund", "wa_cares_tax"),
)
# Capped programs: the YTD key of the wages charged so far (a shared base shares the key).
PROGRAM_WAGE_KEYS: dict[str, str] = {
    "NY_PFL": "ny_pfl_wages",
    "NJ_UI": "nj_ui_wages",
    "NJ_WF": "nj_ui_wages",
    "NJ_TDI": "nj_tdi_wages",
    "NJ_FLI": "nj_tdi_wages",
    "MA_PFML": "ma_pfml_wages",
    "WA_PFML": "wa_pfml_wages",
}
# Massachusetts: Social Security, Medicare and MA retirement subtracted so far (cap $2,000).
MA_FICA_SUBTRACTED = "ma_fica_subtracted"

LOCAL_CODES = frozenset(code for code, _, _ in LOCAL_TAXES)
EMPLOYEE_CODES = frozenset(code for code, _, _ in EMPLOYEE_TAXES)
TAX_KEY = {code: key for code, _, key in LOCAL_TAXES + EMPLOYEE_TAXES}

STATE_YTD_KEYS: tuple[str, ...] = (
    *(key for _, _, key in LOCAL_TAXES + EMPLOYEE_TAXES),
    *dict.fromkeys(PROGRAM_WAGE_KEYS.values()),
    MA_FICA_SUBTRACTED,
)
