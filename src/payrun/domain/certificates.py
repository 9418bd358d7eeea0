"""State withholding certificates and the residence local taxes read; each optional.

Field names follow the form's lines. A form not on file is ``None`` and each state rule applies
its own "no certificate" default (single / zero allowances or exemptions).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal(0)


class NyStatus(StrEnum):
    """IT-2104 filing status; "married, but withhold at the higher single rate" uses Single."""

    SINGLE = "single"
    MARRIED = "married"
    MARRIED_SINGLE_RATE = "married_single_rate"


class NjStatus(StrEnum):
    """NJ-W4 line 2 boxes 1-5."""

    SINGLE = "single"
    MARRIED_JOINT = "married_joint"
    MARRIED_SEPARATE = "married_separate"
    HEAD_OF_HOUSEHOLD = "head_of_household"
    QUALIFYING_WIDOW = "qualifying_widow"


class GaStatus(StrEnum):
    """G-4 line 3 letters A-D."""

    A_SINGLE = "A"
    B_MARRIED_SEPARATE_OR_BOTH_WORKING = "B"
    C_MARRIED_JOINT_ONE_WORKING = "C"
    D_HEAD_OF_HOUSEHOLD = "D"


class NcStatus(StrEnum):
    SINGLE = "single"
    MARRIED = "married"
    SURVIVING_SPOUSE = "surviving_spouse"
    HEAD_OF_HOUSEHOLD = "head_of_household"


@dataclass(frozen=True, slots=True)
class NyIt2104:
    filing_status: NyStatus = NyStatus.SINGLE
    allowances: int = 0  # line 1: NYS (and Yonkers) allowances
    nyc_allowances: int = 0  # line 2
    additional_nys: Decimal = ZERO  # line 3, per pay period
    additional_nyc: Decimal = ZERO  # line 4
    additional_yonkers: Decimal = ZERO  # line 5
    exempt: bool = False


@dataclass(frozen=True, slots=True)
class IlW4:
    basic_allowances: int = 0  # line 1, $2,925 each
    additional_allowances: int = 0  # line 2, $1,000 each
    additional_withholding: Decimal = ZERO  # line 3
    exempt: bool = False


@dataclass(frozen=True, slots=True)
class NjW4:
    filing_status: NjStatus = NjStatus.SINGLE  # line 2
    allowances: int = 0  # line 4
    rate_table: str | None = None  # line 3: "A".."E" from the Wage Chart
    additional_withholding: Decimal = ZERO  # line 5
    exempt: bool = False  # line 6
    nj165_pa_resident: bool = False  # Form NJ-165 on file: PA resident, no NJ withholding


@dataclass(frozen=True, slots=True)
class GaG4:
    marital_status: GaStatus = GaStatus.A_SINGLE  # line 3
    dependent_allowances: int = 0  # line 4
    additional_allowances: int = 0  # line 5
    additional_withholding: Decimal = ZERO  # line 6
    exempt: bool = False  # line 8


@dataclass(frozen=True, slots=True)
class Nc4:
    filing_status: NcStatus = NcStatus.SINGLE
    allowances: int = 0  # line 1
    additional_withholding: Decimal = ZERO  # line 2, whole dollars
    exempt: bool = False


@dataclass(frozen=True, slots=True)
class MiW4:
    exemptions: int = 0  # line 6
    additional_withholding: Decimal = ZERO  # line 7
    exempt: bool = False  # line 8a / 8c
    reciprocal_nonresident: bool = False  # line 8b: resident of IL, IN, KY, MN, OH or WI


@dataclass(frozen=True, slots=True)
class OhIt4:
    exemptions: int = 0  # line 4, $650 each
    additional_withholding: Decimal = ZERO  # line 5
    school_district: str | None = None  # 4-digit number (not withheld: no rates on file)
    reciprocal_nonresident: bool = False  # Section III: resident of IN, KY, MI, PA or WV
    exempt: bool = False  # Section III military waivers


@dataclass(frozen=True, slots=True)
class MaM4:
    exemptions: int = 0  # line 4
    head_of_household: bool = False  # box A
    blind: bool = False  # box B
    spouse_blind: bool = False  # box C
    full_time_student: bool = False  # box D: do not withhold
    additional_withholding: Decimal = ZERO  # line 5


@dataclass(frozen=True, slots=True)
class Va4:
    personal_exemptions: int = 0  # line 1(a), $930 each
    age_blind_exemptions: int = 0  # line 1(b), $800 each
    additional_withholding: Decimal = ZERO  # line 2
    exempt: bool = False  # lines 3-4


@dataclass(frozen=True, slots=True)
class PaRev419:
    """REV-419 on file: ``reciprocal_state`` (IN, MD, NJ, OH, VA, WV) or tax forgiveness."""

    reason: str = "reciprocal_state"


@dataclass(frozen=True, slots=True)
class PaLocal:
    """PA local taxes the employer entered from the DCED register (CLGS-32-6 on file)."""

    resident_eit_percent: Decimal = ZERO  # resident total rate (municipality + school)
    work_nonresident_eit_percent: Decimal = ZERO  # work location's nonresident rate
    lst_annual: Decimal = ZERO  # work location's Local Services Tax a year
    lst_exempt: bool = False  # low-income exemption certificate on file


@dataclass(frozen=True, slots=True)
class Detroit5527:
    exemptions: int = 0  # $600 each


@dataclass(frozen=True, slots=True)
class Place:
    """A residence or work location: state, city (NYC, YONKERS, PHILADELPHIA, DETROIT ...)
    and, in Pennsylvania, its PSD code."""

    state: str | None = None
    city: str | None = None
    psd_code: str | None = None


@dataclass(frozen=True, slots=True)
class StateCertificates:
    ny_it2104: NyIt2104 | None = None
    il_w4: IlW4 | None = None
    nj_w4: NjW4 | None = None
    ga_g4: GaG4 | None = None
    nc4: Nc4 | None = None
    mi_w4: MiW4 | None = None
    oh_it4: OhIt4 | None = None
    ma_m4: MaM4 | None = None
    va4: Va4 | None = None
    pa_rev419: PaRev419 | None = None
    pa_local: PaLocal | None = None
    detroit_5527: Detroit5527 | None = None
    wa_cares_exempt: bool = False  # ESD exemption approval letter on file


NO_CERTIFICATES = StateCertificates()
NOWHERE = Place()
