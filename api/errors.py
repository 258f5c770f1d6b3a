"""OData JSON errors: ``{"error": {"code": ..., "message": ..., "target": ...}}``."""

import json

from django.http import HttpResponse

ODATA_VERSION = "4.0"


class ODataError(Exception):
    def __init__(self, status: int, code: str, message: str, *, target: str | None = None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.headers = headers or {}

    def response(self) -> HttpResponse:
        body = {"code": self.code, "message": self.message}
        if self.target:
            body["target"] = self.target
        response = HttpResponse(
            json.dumps({"error": body}), status=self.status, content_type="application/json; charset=utf-8"
        )
        response["OData-Version"] = ODATA_VERSION
        for name, value in self.headers.items():
            response[name] = value
        return response


def bad_option(option: str, message: str) -> ODataError:
    return ODataError(400, "BadRequest", f"{option}: {message}", target=option)


def not_found(message: str) -> ODataError:
    return ODataError(404, "NotFound", message)


def unauthorized(message: str) -> ODataError:
    return ODataError(
        401,
        "Unauthorized",
        message,
        headers={"WWW-Authenticate": 'Bearer realm="odata", Basic realm="odata", charset="UTF-8"'},
    )


def not_implemented(option: str, message: str) -> ODataError:
    return ODataError(501, "NotImplemented", f"{option}: {message}", target=option)
