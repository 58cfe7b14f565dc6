"""[plugins.dialup]: where the tenant's RADIUS database is, the packages sold, user-name rules and the access numbers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KINDS = ("hours", "unlimited", "money")


class Package(BaseModel):
    """One dial-up package, sold as an offering of the ``dialup`` specification."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_.:-]{0,63}$", description="Offering code, unique in the tenant.")
    kind: str = Field(description="hours (an hour package), unlimited (monthly unlimited) or money (prepaid money).")
    name: dict[str, str] = Field(description="Name per language, e.g. { zh_CN = '20小时包', en = '20 hours' }.")
    price_fen: int = Field(gt=0, description="What opening or renewing costs, in fen.")
    days: int = Field(31, gt=0, le=3660, description="How long opening or renewing keeps the account valid.")
    hours: int = Field(0, ge=0, description="hours: the hours an opening or renewal adds.")
    rate_fen_per_hour: int = Field(0, ge=0, description="money: what an hour online costs, in fen.")

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        return value

    @model_validator(mode="after")
    def _complete(self):
        if self.kind == "hours" and not self.hours:
            raise ValueError(f"package {self.code}: an hour package needs hours")
        if self.kind == "money" and not self.rate_fen_per_hour:
            raise ValueError(f"package {self.code}: a prepaid-money package needs rate_fen_per_hour")
        return self


class AccessNumber(BaseModel):
    """A dial-in access number of one city."""

    model_config = ConfigDict(extra="forbid")
    city: dict[str, str] = Field(description="City name per language.")
    number: str = Field(max_length=32, description="The number modems dial, e.g. 16300.")
    note: dict[str, str] = Field(default_factory=dict, description="A note per language (speed, hours).")


class DialupSettings(BaseModel):
    """Settings of the dialup plugin (163 dial-up accounts on FreeRADIUS; docs/dialup.md)."""

    model_config = ConfigDict(extra="forbid")

    radius_db: str = Field(
        "",
        description="The FreeRADIUS SQL database the hall provisions into: sqlite:///relative/or/absolute.sqlite "
        "or postgresql://user@host:port/dbname (its password from the secrets file: [dialup.<tenant>] "
        "radius_db_password, or HALL_TENANT_<ID>_DIALUP__RADIUS_DB_PASSWORD). Empty: openings are held.",
    )
    schema_dir: str = Field(
        "/etc/freeradius/3.0/mods-config/sql/main",
        description="Where FreeRADIUS's schema.sql per dialect lives (used to create the tables in a new database).",
    )
    username_min: int = Field(4, ge=1, le=32, description="Shortest user name.")
    username_max: int = Field(20, ge=4, le=64, description="Longest user name.")
    reserved: list[str] = Field(
        default_factory=lambda: ["admin", "root", "test", "guest", "radius", "support", "postmaster", "operator"],
        description="User names nobody may take (besides those in use).",
    )
    password_min: int = Field(8, ge=6, le=64, description="Shortest password.")
    packages: list[Package] = Field(
        default_factory=list, description="The packages sold ([[plugins.dialup.packages]])."
    )
    access_numbers: list[AccessNumber] = Field(
        default_factory=list, description="Dial-in numbers per city ([[plugins.dialup.access_numbers]])."
    )
    usage_page_size: int = Field(20, ge=5, le=200, description="Sessions per page of the usage list.")
