"""The state certificate and residence fields of the employee schema, each shown to change a pay
run's paycheck (cases for test_one_schema: control and variant differ in that field only)."""

from __future__ import annotations

from typing import Any

SALARY = 7_800_000  # cents a year: $3,000 a biweekly period


def _case(state: str, control: dict[str, Any], variant: dict[str, Any]) -> tuple[Any, ...]:
    base = {"w4": {}}
    return (SALARY, state, {**base, **control}, {**base, **variant})


NYC = {"residence": {"state": "NY", "city": "NYC"}}
YONKERS = {"residence": {"state": "NY", "city": "YONKERS"}}
PA_HOME = {"residence": {"state": "PA", "psd_code": "480501"}}
DETROIT = {"residence": {"state": "MI", "city": "DETROIT"}}

STATE_EMPLOYEE_CASES: dict[str, tuple[Any, ...]] = {
    "ny_it2104.filing_status": _case(
        "NY", {"ny_it2104": {}}, {"ny_it2104": {"filing_status": "married"}}
    ),
    "ny_it2104.allowances": _case("NY", {"ny_it2104": {}}, {"ny_it2104": {"allowances": 2}}),
    "ny_it2104.nyc_allowances": _case(
        "NY", {**NYC, "ny_it2104": {}}, {**NYC, "ny_it2104": {"nyc_allowances": 2}}
    ),
    "ny_it2104.additional_nys": _case(
        "NY", {"ny_it2104": {}}, {"ny_it2104": {"additional_nys": "10.00"}}
    ),
    "ny_it2104.additional_nyc": _case(
        "NY", {**NYC, "ny_it2104": {}}, {**NYC, "ny_it2104": {"additional_nyc": "10.00"}}
    ),
    "ny_it2104.additional_yonkers": _case(
        "NY", {**YONKERS, "ny_it2104": {}}, {**YONKERS, "ny_it2104": {"additional_yonkers": "5.00"}}
    ),
    "ny_it2104.exempt": _case("NY", {"ny_it2104": {}}, {"ny_it2104": {"exempt": True}}),
    "il_w4.basic_allowances": _case("IL", {"il_w4": {}}, {"il_w4": {"basic_allowances": 2}}),
    "il_w4.additional_allowances": _case(
        "IL", {"il_w4": {}}, {"il_w4": {"additional_allowances": 2}}
    ),
    "il_w4.additional_withholding": _case(
        "IL", {"il_w4": {}}, {"il_w4": {"additional_withholding": "10.00"}}
    ),
    "il_w4.exempt": _case("IL", {"il_w4": {}}, {"il_w4": {"exempt": True}}),
    "nj_w4.filing_status": _case(
        "NJ", {"nj_w4": {}}, {"nj_w4": {"filing_status": "married_joint"}}
    ),
    "nj_w4.allowances": _case("NJ", {"nj_w4": {}}, {"nj_w4": {"allowances": 3}}),
    "nj_w4.rate_table": _case("NJ", {"nj_w4": {}}, {"nj_w4": {"rate_table": "C"}}),
    "nj_w4.additional_withholding": _case(
        "NJ", {"nj_w4": {}}, {"nj_w4": {"additional_withholding": "10.00"}}
    ),
    "nj_w4.exempt": _case("NJ", {"nj_w4": {}}, {"nj_w4": {"exempt": True}}),
    "nj_w4.nj165_pa_resident": _case(
        "NJ",
        {"residence": {"state": "PA"}, "nj_w4": {}},
        {"residence": {"state": "PA"}, "nj_w4": {"nj165_pa_resident": True}},
    ),
    "ga_g4.marital_status": _case("GA", {"ga_g4": {}}, {"ga_g4": {"marital_status": "C"}}),
    "ga_g4.dependent_allowances": _case(
        "GA", {"ga_g4": {}}, {"ga_g4": {"dependent_allowances": 2}}
    ),
    "ga_g4.additional_allowances": _case(
        "GA", {"ga_g4": {}}, {"ga_g4": {"additional_allowances": 2}}
    ),
    "ga_g4.additional_withholding": _case(
        "GA", {"ga_g4": {}}, {"ga_g4": {"additional_withholding": "10.00"}}
    ),
    "ga_g4.exempt": _case("GA", {"ga_g4": {}}, {"ga_g4": {"exempt": True}}),
    "nc4.filing_status": _case("NC", {"nc4": {}}, {"nc4": {"filing_status": "head_of_household"}}),
    "nc4.allowances": _case("NC", {"nc4": {}}, {"nc4": {"allowances": 3}}),
    "nc4.additional_withholding": _case("NC", {"nc4": {}}, {"nc4": {"additional_withholding": 10}}),
    "nc4.exempt": _case("NC", {"nc4": {}}, {"nc4": {"exempt": True}}),
    "mi_w4.exemptions": _case("MI", {"mi_w4": {}}, {"mi_w4": {"exemptions": 2}}),
    "mi_w4.additional_withholding": _case(
        "MI", {"mi_w4": {}}, {"mi_w4": {"additional_withholding": "10.00"}}
    ),
    "mi_w4.exempt": _case("MI", {"mi_w4": {}}, {"mi_w4": {"exempt": True}}),
    "mi_w4.reciprocal_nonresident": _case(
        "MI",
        {"residence": {"state": "OH"}, "mi_w4": {}},
        {"residence": {"state": "OH"}, "mi_w4": {"reciprocal_nonresident": True}},
    ),
    "oh_it4.exemptions": _case("OH", {"oh_it4": {}}, {"oh_it4": {"exemptions": 2}}),
    "oh_it4.additional_withholding": _case(
        "OH", {"oh_it4": {}}, {"oh_it4": {"additional_withholding": 10}}
    ),
    "oh_it4.reciprocal_nonresident": _case(
        "OH",
        {"residence": {"state": "PA"}, "oh_it4": {}},
        {"residence": {"state": "PA"}, "oh_it4": {"reciprocal_nonresident": True}},
    ),
    "oh_it4.exempt": _case("OH", {"oh_it4": {}}, {"oh_it4": {"exempt": True}}),
    "ma_m4.exemptions": _case("MA", {"ma_m4": {}}, {"ma_m4": {"exemptions": 2}}),
    "ma_m4.head_of_household": _case("MA", {"ma_m4": {}}, {"ma_m4": {"head_of_household": True}}),
    "ma_m4.blind": _case("MA", {"ma_m4": {}}, {"ma_m4": {"blind": True}}),
    "ma_m4.spouse_blind": _case("MA", {"ma_m4": {}}, {"ma_m4": {"spouse_blind": True}}),
    "ma_m4.full_time_student": _case("MA", {"ma_m4": {}}, {"ma_m4": {"full_time_student": True}}),
    "ma_m4.additional_withholding": _case(
        "MA", {"ma_m4": {}}, {"ma_m4": {"additional_withholding": "10.00"}}
    ),
    "va4.personal_exemptions": _case("VA", {"va4": {}}, {"va4": {"personal_exemptions": 2}}),
    "va4.age_blind_exemptions": _case("VA", {"va4": {}}, {"va4": {"age_blind_exemptions": 2}}),
    "va4.additional_withholding": _case(
        "VA", {"va4": {}}, {"va4": {"additional_withholding": "10.00"}}
    ),
    "va4.exempt": _case("VA", {"va4": {}}, {"va4": {"exempt": True}}),
    "pa_rev419.reason": _case(
        "PA",
        {"residence": {"state": "NJ"}},
        {"residence": {"state": "NJ"}, "pa_rev419": {"reason": "reciprocal_state"}},
    ),
    "pa_local.resident_eit_percent": _case(
        "PA",
        {**PA_HOME, "pa_local": {"resident_eit_percent": "1.0"}},
        {**PA_HOME, "pa_local": {"resident_eit_percent": "1.5"}},
    ),
    "pa_local.work_nonresident_eit_percent": _case(
        "PA",
        {**PA_HOME, "pa_local": {"resident_eit_percent": "1.0"}},
        {
            **PA_HOME,
            "pa_local": {"resident_eit_percent": "1.0", "work_nonresident_eit_percent": "1.28"},
        },
    ),
    "pa_local.lst_annual": _case(
        "PA", {**PA_HOME, "pa_local": {}}, {**PA_HOME, "pa_local": {"lst_annual": "52.00"}}
    ),
    "pa_local.lst_exempt": _case(
        "PA",
        {**PA_HOME, "pa_local": {"lst_annual": "52.00"}},
        {**PA_HOME, "pa_local": {"lst_annual": "52.00", "lst_exempt": True}},
    ),
    "detroit_5527.exemptions": _case(
        "MI", {**DETROIT, "detroit_5527": {}}, {**DETROIT, "detroit_5527": {"exemptions": 3}}
    ),
    "wa_cares_exempt": _case("WA", {}, {"wa_cares_exempt": True}),
    # A Philadelphia address in PA is a resident's wage tax; the same city name in NJ is not.
    "residence.state": _case(
        "PA",
        {"residence": {"state": "PA", "city": "PHILADELPHIA"}},
        {"residence": {"state": "NJ", "city": "PHILADELPHIA"}},
    ),
    "residence.city": _case("NY", {"residence": {"state": "NY"}}, NYC),
    "work_location.city": _case(
        "PA",
        {"residence": {"state": "PA"}},
        {"residence": {"state": "PA"}, "work_location": {"city": "PHILADELPHIA"}},
    ),
}
STATE_EMPLOYEE_NO_EFFECT = {
    "oh_it4.school_district": "Ohio school-district rates are not in the 2026 reference: kept, not"
    " withheld",
    "residence.psd_code": "the CLGS-32-6 resident PSD code is kept; its rate comes in pa_local",
    "work_location.psd_code": "the work PSD code is kept; its rate comes in pa_local",
    "work_location.state": "the paycheck's work state is the request's work_state",
}

# Each employer field: (annual salary in cents, work state, employee profile, control, variant).
STATE_EMPLOYER_CASES: dict[str, tuple[Any, ...]] = {
    "pays_employee_programs": (
        SALARY,
        "NY",
        {"w4": {}},
        {},
        {"pays_employee_programs": ["NY_DBL"]},
    ),
}
