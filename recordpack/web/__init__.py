"""``recordpack ui``: a local web app for patients and specialists (Starlette + Jinja2).

``recordpack.web.server.Server`` runs it; ``recordpack.web.app.create_app`` builds
the ASGI app behind its safety guard; ``recordpack.web.service`` is the only
module that calls the rest of the library.
"""
