"""Small JSON state documents with ETags: a device polling with no change costs a 304."""

from __future__ import annotations

import hashlib
import json

from flask import Response, request


def conditional_json(document: dict) -> Response:
    body = json.dumps(document, separators=(",", ":"), sort_keys=True)
    etag = hashlib.blake2s(body.encode(), digest_size=8).hexdigest()
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response
