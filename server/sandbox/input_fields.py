"""The rules of server.sandbox.inputs as pydantic field types, for the control API's models (kept apart so that what
the CLI and seeding check loads no pydantic)."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from .inputs import app_name, duration, rate, time_zone

AppName = Annotated[str, AfterValidator(app_name)]
TimeZone = Annotated[str, AfterValidator(time_zone)]
Duration = Annotated[str | int | float, AfterValidator(duration)]
Rate = Annotated[float, AfterValidator(rate)]
