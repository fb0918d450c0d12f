"""The portal's routes: the page a QR code leads to, the upload check, and the JSON API.

The archive is only read here (the server opens it read-only); adding is the CLI's job, or the
admin endpoint's when a token is configured. No path from a request reaches the file system:
codes are validated hex looked up in the database, uploads are held in memory.
"""

from __future__ import annotations

import asyncio
import hmac
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Message

from signer.web.checker import Busy, Checked, Checker, CheckLimits
from signer.web.guard import Guard, Rate
from signer.web.i18n import TEXTS, pick_lang
from signer.web.view import agreement_view, upload_view

if TYPE_CHECKING:
    from signer.archive import Registry
    from signer.verify import VerifyOptions

UPLOAD_PATHS = {"/periksa", "/api/v1/periksa", "/api/v1/arsip"}
MAX_CODE_TEXT = 200  # a code typed with spaces or dashes is ~80 characters; longer is not one
MULTIPART_OVERHEAD = 64 * 1024  # the form's boundaries and headers around the file
NOT_FOUND = {"detail": "not found"}
UPLOAD_SECONDS = 60  # to send an upload of at most the size limit, on a slow mobile line
VIEW_SECONDS = 30.0  # how long a page's data is reused; a re-verification shows after that


@dataclass(frozen=True)
class PortalConfig:
    max_upload_mb: int = 20
    check: CheckLimits = field(default_factory=CheckLimits)
    pages: Rate = field(default_factory=lambda: Rate(per_second=10, burst=60))
    uploads: Rate = field(default_factory=lambda: Rate(per_second=0.2, burst=6))
    admin_token: str | None = None
    """``POST /api/v1/arsip`` answers only with this bearer token; None: the endpoint is 404."""
    admin_add: Callable[[bytes, Checked], str] | None = None
    """Archives a PDF verified VALID, giving its code (through the registry opened writable)."""


class Refused(Exception):
    """A request refused with a status and a message key (see :mod:`.i18n`)."""

    def __init__(self, status: int, key: str, retry_after: int | None = None) -> None:
        super().__init__(key)
        self.status, self.key, self.retry_after = status, key, retry_after


def refused_headers(e: Refused) -> dict[str, str]:
    """A refused upload's body may be unread: the connection ends with the answer, so the
    client stops sending and nothing of it is taken for a next request."""
    headers = {"Connection": "close"}
    if e.retry_after:
        headers["Retry-After"] = str(e.retry_after)
    return headers


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("signer.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


def create_app(
    registry: Registry, options: VerifyOptions, config: PortalConfig | None = None
) -> FastAPI:
    """The portal over ``registry`` (read), verifying uploads with ``options``."""
    from signer.archive import normalise_code

    config = config or PortalConfig()
    limit = config.max_upload_mb * 1024 * 1024
    checker = Checker(options, config.check)
    pages = _templates()
    app = FastAPI(
        title="kinerja: Perjanjian Kinerja verification",
        version="1",
        docs_url=None,  # the Swagger page loads scripts from a CDN; the schema is enough
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    static = resources.files("signer.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    def lang_of(request: Request) -> str:
        return pick_lang(request.query_params.get("lang"), request.cookies.get("lang"))

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = lang_of(request)
        texts = TEXTS[lang]

        def t(key: str, **kw: object) -> str:
            return texts[key].format(**kw) if kw else texts[key]

        other = "en" if lang == "id" else "id"
        # a 404 links home: its body must not depend on what was asked for
        here = "/" if status == 404 else request.url.path
        html = pages.get_template(name).render(
            t=t, lang=lang, other_url=f"{here}?lang={other}", **context
        )
        response = HTMLResponse(html, status)
        if request.query_params.get("lang") in TEXTS:
            response.set_cookie(
                "lang", lang, max_age=365 * 24 * 3600, httponly=True, samesite="lax"
            )
        return response

    views: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
    views_lock = threading.Lock()

    def archived(code_text: str) -> dict[str, Any] | None:
        """The view of an archived agreement, or None: the same None whatever the reason.

        Views are kept for a while (the archive changes seldom; a scanned QR is asked often);
        only found ones, so asking for random codes fills nothing.
        """
        code = normalise_code(code_text) if len(code_text) <= MAX_CODE_TEXT else None
        if code is None:
            return None
        with views_lock:
            kept = views.get(code)
        if kept and time.monotonic() - kept[0] < VIEW_SECONDS:
            return kept[1]
        found = registry.find(code)
        if found is None:
            return None
        replaces = registry.find(found.menggantikan) if found.menggantikan else None
        evaluation = registry.latest_evaluation(found.code)
        view = agreement_view(found, evaluation, registry.replaced_by(found.code), replaces)
        with views_lock:
            views[code] = (time.monotonic(), view)
            views.move_to_end(code)
            while len(views) > 1024:
                views.popitem(last=False)
        return view

    async def upload(request: Request) -> bytes:
        """The uploaded PDF's bytes, read into memory and never past the limit."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
            raise Refused(413, "too_large")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit + MULTIPART_OVERHEAD:
                raise Refused(413, "too_large")
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        try:
            form = await Request(request.scope, replay).form(max_files=1, max_fields=4)
        except Exception:  # a malformed multipart body is the client's mistake
            raise Refused(400, "no_file") from None
        try:
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise Refused(400, "no_file")
            data = await file.read(limit + 1)
        finally:
            await form.close()
        if len(data) > limit:
            raise Refused(413, "too_large")
        if not data.startswith(b"%PDF-"):
            raise Refused(415, "not_pdf")
        return data

    def against_archive(code: str | None, data: bytes) -> str:
        """How an upload stands to the archive: identical, earlier, different or absent."""
        archived_pdf = registry.pdf(code) if code else None
        if archived_pdf is None:
            return "absent"
        if archived_pdf == data:
            return "identical"
        return "earlier" if archived_pdf.startswith(data) else "different"

    async def verified(request: Request) -> tuple[bytes, Checked]:
        """The upload and its verification, in a worker held before the upload is read."""
        try:
            with checker.slot():
                async with asyncio.timeout(UPLOAD_SECONDS):  # a trickled upload holds no worker
                    data = await upload(request)
                return data, await run_in_threadpool(checker.run, data)
        except Busy:
            raise Refused(503, "busy", retry_after=5) from None
        except TimeoutError:
            raise Refused(408, "slow") from None

    async def checked(request: Request) -> dict[str, Any]:
        data, result = await verified(request)
        if result.report is None:
            return {"verdict": None, "unusable": result.unusable, "archive": "absent"}
        view = upload_view(result.report)
        view["archive"] = await run_in_threadpool(against_archive, view["code"], data)
        view["archive_url"] = f"/v/{view['code']}" if view["archive"] != "absent" else None
        return view

    def refused_json(e: Refused, lang: str = "en") -> JSONResponse:
        detail = TEXTS[lang][e.key].format(mb=config.max_upload_mb)
        return JSONResponse({"detail": detail}, e.status, headers=refused_headers(e))

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, e: StarletteHTTPException) -> Response:
        """Any route's 404 is the archive's 404: nothing tells a bad path from an unknown code."""
        if e.status_code != 404:
            return JSONResponse({"detail": e.detail}, e.status_code, headers=e.headers)
        if request.url.path.startswith("/api/"):
            return JSONResponse(NOT_FOUND, 404)
        return page(request, "not_found.html", 404)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> Response:
        return page(request, "home.html", mb=config.max_upload_mb)

    @app.get("/v", include_in_schema=False)
    def typed_code(request: Request, kode: str = "") -> Response:
        """The home page's form: a typed code, to its page (or the same 404)."""
        code = normalise_code(kode) if len(kode) <= MAX_CODE_TEXT else None
        return Response(status_code=303, headers={"Location": f"/v/{code or '-'}"})

    @app.get("/v/{code}", response_class=HTMLResponse, include_in_schema=False)
    def agreement_page(request: Request, code: str) -> Response:
        view = archived(code)
        if view is None:
            return page(request, "not_found.html", 404)
        return page(request, "agreement.html", a=view)

    @app.get("/v/{code}/pdf", include_in_schema=False)
    def agreement_pdf(request: Request, code: str) -> Response:
        norm = normalise_code(code) if len(code) <= MAX_CODE_TEXT else None
        found = registry.find(norm) if norm else None
        data = registry.pdf(found.code) if found else None
        if found is None or data is None:
            return page(request, "not_found.html", 404)
        name = re.sub(r"[^a-z0-9-]+", "-", found.id.lower()) or "perjanjian"
        disposition = f'attachment; filename="{name}.pdf"'
        return Response(
            data, media_type="application/pdf", headers={"Content-Disposition": disposition}
        )

    @app.get("/periksa", response_class=HTMLResponse, include_in_schema=False)
    def upload_form(request: Request) -> Response:
        return page(request, "periksa.html", mb=config.max_upload_mb)

    @app.post("/periksa", response_class=HTMLResponse, include_in_schema=False)
    async def upload_page(request: Request) -> Response:
        try:
            result = await checked(request)
        except Refused as e:
            response = page(request, "periksa.html", e.status, mb=config.max_upload_mb, error=e.key)
            response.headers.update(refused_headers(e))
            return response
        return page(request, "hasil.html", r=result)

    @app.get(
        "/api/v1/perjanjian/{code}",
        summary="An archived agreement: verdict, checks, parties, signed targets, evaluation",
        responses={404: {"description": "No such code in the archive (whatever the reason)"}},
    )
    def api_agreement(code: str) -> JSONResponse:
        view = archived(code)
        if view is None:
            return JSONResponse(NOT_FOUND, 404)
        return JSONResponse(view)

    @app.post(
        "/api/v1/periksa",
        summary="Verify an uploaded PDF (multipart field `file`); it is not stored",
        responses={
            413: {"description": "Larger than the limit"},
            415: {"description": "Not a PDF"},
            429: {"description": "Too many requests (Retry-After)"},
            503: {"description": "Every verifier is busy (Retry-After)"},
        },
        openapi_extra=_MULTIPART_FILE,
    )
    async def api_check(request: Request) -> JSONResponse:
        try:
            return JSONResponse(await checked(request))
        except Refused as e:
            return refused_json(e)

    @app.post("/api/v1/arsip", include_in_schema=False)
    async def api_add(request: Request) -> JSONResponse:
        token = config.admin_token
        if not token or config.admin_add is None:
            return JSONResponse(NOT_FOUND, 404)
        given = request.headers.get("authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return JSONResponse({"detail": "unauthorized"}, 401)
        try:
            data, result = await verified(request)
        except Refused as e:
            return refused_json(e)
        report = result.report or {}
        if report.get("verdict") != "VALID" or result.agreement_json is None:
            why = result.unusable or f"not archived: {report.get('verdict')}"
            return JSONResponse({"detail": why, "verdict": report.get("verdict")}, 422)
        try:
            code = await run_in_threadpool(config.admin_add, data, result)
        except ValueError as e:  # another file with this code is archived
            return JSONResponse({"detail": str(e)}, 409)
        return JSONResponse({"code": code, "url": f"/v/{code}"}, 201)

    app.add_middleware(Guard, pages=config.pages, uploads=config.uploads, upload_paths=UPLOAD_PATHS)
    return app


_MULTIPART_FILE: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            }
        },
    }
}
