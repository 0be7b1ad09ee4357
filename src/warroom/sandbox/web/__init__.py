"""The sandbox's web view: the pages a person opens to look at the local GitHub.

``pages`` routes and renders (issue list, issue page, runs page), ``markdown``
renders people's text as GitHub would and safely, ``forms`` turns a form post
into the REST call a client would make, ``assets`` serves the stylesheet,
script and the local Mermaid, ``drill_pages`` shows a running drill (its clock on
every page, ``/_drill``, the debrief). Part of the sandbox: the core never imports it.
"""

from __future__ import annotations

from warroom.sandbox.web.pages import WebReply, WebView, wants_html

__all__ = ["WebReply", "WebView", "wants_html"]
