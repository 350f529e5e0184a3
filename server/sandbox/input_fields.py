"""The rules of server.sandbox.inputs as pydantic field types, for the control API's models (kept apart so that what
the CLI and seeding check loads no pydantic)."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from .inputs import LEGACY_KEY_LENGTH, LEGACY_KEY_PATTERN, app_name, duration, legacy_key, rate, time_zone

AppName = Annotated[str, AfterValidator(app_name)]
# the length and characters in the OpenAPI document too; the message is the rule's own
LegacyApiKey = Annotated[str, AfterValidator(legacy_key), Field(json_schema_extra={
    "minLength": LEGACY_KEY_LENGTH[0], "maxLength": LEGACY_KEY_LENGTH[1], "pattern": LEGACY_KEY_PATTERN})]
TimeZone = Annotated[str, AfterValidator(time_zone)]
Duration = Annotated[str | int | float, AfterValidator(duration)]
Rate = Annotated[float, AfterValidator(rate)]
