"""State withholding certificates and residence on the employee: one optional object per form,
named after the form, fields named after its lines (README "State certificates")."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from payrun.domain import certificates as dom
from payrun.domain.errors import InvalidInput
from payrun.services.schema.amounts import ZERO, Cents, Count, Percent, StrictModel

StateCode = Annotated[str, Field(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")]


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


City = Annotated[str, BeforeValidator(_upper), Field(min_length=1, max_length=60)]


class NyIt2104Model(StrictModel):
    filing_status: dom.NyStatus = dom.NyStatus.SINGLE
    allowances: Count = 0
    nyc_allowances: Count = 0
    additional_nys: Cents = ZERO
    additional_nyc: Cents = ZERO
    additional_yonkers: Cents = ZERO
    exempt: bool = False


class IlW4Model(StrictModel):
    basic_allowances: Count = 0
    additional_allowances: Count = 0
    additional_withholding: Cents = ZERO
    exempt: bool = False


class NjW4Model(StrictModel):
    filing_status: dom.NjStatus = dom.NjStatus.SINGLE
    allowances: Count = 0
    rate_table: Annotated[Literal["A", "B", "C", "D", "E"], BeforeValidator(_upper)] | None = None
    additional_withholding: Cents = ZERO
    exempt: bool = False
    nj165_pa_resident: bool = False


class GaG4Model(StrictModel):
    marital_status: Annotated[dom.GaStatus, BeforeValidator(_upper)] = dom.GaStatus.A_SINGLE
    dependent_allowances: Count = 0
    additional_allowances: Count = 0
    additional_withholding: Cents = ZERO
    exempt: bool = False


class Nc4Model(StrictModel):
    filing_status: dom.NcStatus = dom.NcStatus.SINGLE
    allowances: Count = 0
    additional_withholding: Annotated[int, Field(ge=0, le=100_000, strict=True)] = 0  # dollars
    exempt: bool = False


class MiW4Model(StrictModel):
    exemptions: Count = 0
    additional_withholding: Cents = ZERO
    exempt: bool = False
    reciprocal_nonresident: bool = False


class OhIt4Model(StrictModel):
    exemptions: Count = 0
    additional_withholding: Annotated[int, Field(ge=0, le=100_000, strict=True)] = 0  # dollars
    school_district: Annotated[str, Field(pattern=r"^[0-9]{4}$")] | None = None
    reciprocal_nonresident: bool = False
    exempt: bool = False


class MaM4Model(StrictModel):
    exemptions: Count = 0
    head_of_household: bool = False
    blind: bool = False
    spouse_blind: bool = False
    full_time_student: bool = False
    additional_withholding: Cents = ZERO


class Va4Model(StrictModel):
    personal_exemptions: Count = 0
    age_blind_exemptions: Count = 0
    additional_withholding: Cents = ZERO
    exempt: bool = False


class PaRev419Model(StrictModel):
    reason: Literal["reciprocal_state", "tax_forgiveness"] = "reciprocal_state"


class PaLocalModel(StrictModel):
    resident_eit_percent: Percent = ZERO
    work_nonresident_eit_percent: Percent = ZERO
    lst_annual: Cents = ZERO
    lst_exempt: bool = False


class Detroit5527Model(StrictModel):
    exemptions: Count = 0


class PlaceModel(StrictModel):
    state: Annotated[StateCode, BeforeValidator(_upper)] | None = None
    city: City | None = None
    psd_code: Annotated[str, Field(pattern=r"^[0-9]{6}$")] | None = None


class StateFormsMixin(StrictModel):
    """The employee's state forms and places (mixed into ``EmployeeModel``)."""

    ny_it2104: NyIt2104Model | None = None
    il_w4: IlW4Model | None = None
    nj_w4: NjW4Model | None = None
    ga_g4: GaG4Model | None = None
    nc4: Nc4Model | None = None
    mi_w4: MiW4Model | None = None
    oh_it4: OhIt4Model | None = None
    ma_m4: MaM4Model | None = None
    va4: Va4Model | None = None
    pa_rev419: PaRev419Model | None = None
    pa_local: PaLocalModel | None = None
    detroit_5527: Detroit5527Model | None = None
    wa_cares_exempt: bool = False
    residence: PlaceModel | None = None
    work_location: PlaceModel | None = None


def _form(model: StrictModel | None, cls: type) -> Any:
    if model is None:
        return None
    fields = dict(model)
    extra = fields.get("additional_withholding")
    if isinstance(extra, int):  # NC-4 and IT 4 take whole dollars
        fields["additional_withholding"] = Decimal(extra)
    return cls(**fields)


_CERTIFICATE_FIELDS = frozenset(dom.StateCertificates.__dataclass_fields__)


def certificates(model: StateFormsMixin) -> dom.StateCertificates:
    if _CERTIFICATE_FIELDS.isdisjoint(model.model_fields_set):  # most employees: none given
        return dom.NO_CERTIFICATES
    return dom.StateCertificates(
        _form(model.ny_it2104, dom.NyIt2104),
        _form(model.il_w4, dom.IlW4),
        _form(model.nj_w4, dom.NjW4),
        _form(model.ga_g4, dom.GaG4),
        _form(model.nc4, dom.Nc4),
        _form(model.mi_w4, dom.MiW4),
        _form(model.oh_it4, dom.OhIt4),
        _form(model.ma_m4, dom.MaM4),
        _form(model.va4, dom.Va4),
        _form(model.pa_rev419, dom.PaRev419),
        _form(model.pa_local, dom.PaLocal),
        _form(model.detroit_5527, dom.Detroit5527),
        model.wa_cares_exempt,
    )


def place(model: PlaceModel | None) -> dom.Place:
    return dom.NOWHERE if model is None else dom.Place(model.state, model.city, model.psd_code)


def check_state_forms(model: StateFormsMixin, prefix: str) -> None:
    """A local-tax form needs the place it is for."""
    if model.pa_local is not None and model.residence is None:
        raise InvalidInput(f"{prefix}.residence", "pa_local needs the residence (state, psd_code)")
