"""The journey runner behind ``manage.py oots_journey`` (and ``bench/journey.py``): the citizen's journey
played over HTTP against a running portal and its simulators, through the very pages a citizen uses, one
step at a time (:meth:`Run.steps`); a step that does not end as the scenario expects raises
:class:`StepFailed`."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import lxml.html
import requests

from oots_client.edm import get_version
from simulators.common_services.catalogue import (
    VERSION_PROVIDER_COUNTRIES,
    VERSION_PROVIDERS,
    version_provider_suffix,
)
from simulators.eidas_idp.personas import PERSONAS

# scenario -> the eIDAS test persona to log in as: for the provider's scenarios, the persona that triggers
# it (``Persona.provider_scenario``, the test IdP's list); the others are the portal's own paths.
PROVIDER_SCENARIOS = ("preview", "preview-refused", "preview-post", "not-found")
SCENARIOS: dict[str, str] = {
    "immediate": "be-jan",
    **{
        scenario: next(p.key for p in PERSONAS.values() if p.provider_scenario == scenario)
        for scenario in PROVIDER_SCENARIOS
    },
    "two-countries": "be-jan",
    "additional-input": "be-jan",
    "representative": "es-carmen-soluciones",
}
OTHER_COUNTRIES = ("BE", "AT", "FR", "DE", "CZ", "SK")
# --edm-version: the Directory simulator has a test provider of each (simulators.common_services.catalogue)
EDM_VERSION_CHOICES = tuple(version.rpartition(":")[2] for version in VERSION_PROVIDERS)
# A one-page PDF, uploaded when the scenario ends with a manual upload.
SAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


ANSWERS_PAGE = "Answer the questions"
CHECK_PAGE = "Check your answers before sending your application"
FIRST_PAGES = ("Find your evidence", ANSWERS_PAGE)


class StepFailed(Exception):
    """A step did not end as the scenario expects."""


@dataclass
class Run:
    base_url: str
    procedure: str
    country: str
    scenario: str
    timeout: float
    session: requests.Session = field(default_factory=requests.Session)
    poll_seconds: float = 0.3  # how often status.json is asked while an answer is awaited
    persona: str = ""  # the test IdP persona to log in as; empty: the scenario's (SCENARIOS)
    discard_draft: bool = False  # delete the persona's unfinished draft of the procedure, then start anew
    edm_version: str = ""  # ask the Directory simulator's test provider of this EDM version (v1.0 … v2.0)
    reference: str = ""
    questions_asked: int = 0
    posted_hand_offs: int = 0  # previews reached by the portal's POST hand-off (PreviewMethod POST)
    notes: list[str] = field(default_factory=list)

    # --- HTTP helpers ------------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self._checked(self.session.get(self.url(path), timeout=30, **kwargs))

    def post(self, path: str, data: Any, **kwargs: Any) -> requests.Response:
        headers = {"Referer": self.url(path)}
        return self._checked(
            self.session.post(self.url(path), data=data, headers=headers, timeout=30, **kwargs)
        )

    @staticmethod
    def _checked(response: requests.Response) -> requests.Response:
        if response.status_code >= 500:
            raise StepFailed(f"{response.request.method} {response.url} answered HTTP {response.status_code}")
        return response

    @staticmethod
    def document(response: requests.Response) -> Any:
        return lxml.html.fromstring(response.text, base_url=response.url)

    @staticmethod
    def form(document: Any, predicate: Callable[[Any], bool], what: str) -> Any:
        for form in document.forms:
            if predicate(form):
                return form
        raise StepFailed(f"no {what} on {document.base_url}")

    @staticmethod
    def heading(response: requests.Response) -> str:
        found = Run.document(response).xpath("//h1")
        return found[0].text_content().strip() if found else ""

    def submit(self, form: Any, extra: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        values = dict(form.form_values())
        values.update(extra or {})
        action = form.action or form.base_url
        if (form.method or "GET").upper() == "GET":
            return self._checked(self.session.get(action, params=values, timeout=30, **kwargs))
        return self._checked(
            self.session.post(action, data=values, headers={"Referer": form.base_url}, timeout=30, **kwargs)
        )

    # --- the steps ----------------------------------------------------------------------------------------
    def login(self) -> str:
        persona = self.persona or SCENARIOS[self.scenario]
        page = self.get(f"/accounts/login/?next=/procedures/{self.procedure}/")
        login = self.form(
            self.document(page), lambda f: "/saml/eidas/login/" in (f.action or ""), "eIDAS login"
        )
        page = self.submit(login, {"loa": "substantial"})
        to_idp = self.form(
            self.document(page), lambda f: f.get("id") == "saml-post-form", "SAML request form"
        )
        page = self.submit(to_idp)
        choice = self.form(
            self.document(page), lambda f: (f.action or "").endswith("/sim/eidas/authenticate/"), "test IdP"
        )
        page = self.submit(choice, {"persona": persona, "loa": "substantial"})
        back = self.form(self.document(page), lambda f: f.get("id") == "saml-response-form", "SAML response")
        page = self.submit(back)
        names = re.findall(r"Log out \(([^)]*)\)", page.text)
        if not names:
            raise StepFailed(f"not logged in after the IdP (page {page.url}, HTTP {page.status_code})")
        return f"{names[0]} (persona {persona})"

    def start(self) -> str:
        page, discarded = self._apply(), ""
        if self.heading(page) not in FIRST_PAGES and self.discard_draft:
            # The portal resumed an earlier, unfinished draft of this persona (one per person and procedure).
            confirm = self.get(f"/applications/{self.reference}/delete/")
            self.submit(
                self.form(self.document(confirm), lambda f: f.get("id") == "discard-form", "delete form")
            )
            discarded = f" (the unfinished draft {self.reference[:8].upper()} deleted)"
            page = self._apply()
        if self.heading(page) == ANSWERS_PAGE:  # the procedure's form comes before the evidence
            self._answer_form(page)
        elif self.heading(page) not in FIRST_PAGES:
            raise StepFailed(
                f"expected the first step, got “{self.heading(page)}” (does {self.procedure} have "
                "requirements? an unfinished draft of this persona is resumed: --discard-draft deletes it)"
            )
        return f"application {self.reference[:8].upper()}{discarded}"

    def _apply(self) -> requests.Response:
        page = self.get(f"/procedures/{self.procedure}/")
        apply = self.form(self.document(page), lambda f: (f.action or "").endswith("/apply/"), "apply button")
        page = self.submit(apply)
        match = re.search(r"/applications/([0-9a-f-]{36})/", page.url)
        if not match:
            raise StepFailed(f"no application after starting (landed on {page.url})")
        self.reference = match.group(1)
        return page

    def _requirement_links(self) -> list[str]:
        page = self.get(f"/applications/{self.reference}/step/evidence/")
        pattern = re.compile(rf"/applications/{self.reference}/step/evidence/(\d+)/$")
        links = [
            a.get("href") for a in self.document(page).xpath("//a[@href]") if pattern.search(a.get("href"))
        ]
        return list(dict.fromkeys(links))

    def _answer_questions(self, form: Any, attempt: int) -> dict[str, str]:
        """Answer each question with its first choice, or a later one when that found no provider."""
        answers: dict[str, str] = {}
        radios: dict[str, list[str]] = {}
        for element in form.inputs:
            if element.get("type") == "radio":
                radios.setdefault(element.get("name") or "", []).append(element.get("value"))
        for element in form.inputs:
            name = element.get("name") or ""
            if not re.fullmatch(r"[jc]\d+(_\d+)?", name) or answers.get(name):
                continue
            if element.tag == "select":
                options = [o for o in element.value_options if o]
                answers[name] = options[attempt % len(options)] if options else ""
            elif element.get("type") == "radio":
                answers[name] = radios[name][attempt % len(radios[name])]
            elif element.get("type") not in ("hidden",):
                answers[name] = "X1"
        self.questions_asked += 1
        return answers

    def _locate_one(self, link: str, country: str) -> str:
        for attempt in range(8):
            outcome = self._locate_try(link, country, attempt)
            if outcome is not None:
                return outcome
        raise StepFailed(f"no answer to the directory's questions leads to a provider in {country} ({link})")

    def _locate_try(self, link: str, country: str, attempt: int) -> str | None:
        page = self.get(link)
        document = self.document(page)
        if document.get_element_by_id("answers-given", None) is not None:
            # Answers of an earlier attempt are kept by the portal: change the country, which forgets them.
            change = self.form(
                document,
                lambda f: any(i.get("name") == "name" and i.get("value") == "country" for i in f.inputs),
                "change country",
            )
            page = self.submit(change)
            document = self.document(page)
        country_form = self.form(document, lambda f: f.get("id") == "country-form", "country form")
        offered = [o for o in country_form.inputs["country"].value_options if o]
        if country not in offered:
            raise StepFailed(f"{country} is not offered for {link} (offered: {', '.join(offered)})")
        page = self.submit(country_form, {"country": country})
        answered = False
        for _round in range(8):
            document = self.document(page)
            if document.get_element_by_id("no-provider", None) is not None:
                if answered:
                    return None  # this answer leads nowhere: try another one
                raise StepFailed(f"no provider in {country} for {link}")
            forms = {f.get("id"): f for f in document.forms if f.get("id")}
            if "provider-form" in forms:
                form = forms["provider-form"]
                picks = self._version_picks(form) if self.edm_version else self._first_picks(form)
                page = self.submit(form, picks)
                if self.heading(page) != "Find your evidence":
                    raise StepFailed(
                        f"the provider choice was not accepted ({page.url}, HTTP {page.status_code})"
                    )
                return f"{len(picks)} provider(s)"
            if "questions-form" in forms:
                page = self.submit(
                    forms["questions-form"], self._answer_questions(forms["questions-form"], attempt)
                )
                answered = True
                continue
            alternative = next((f for f in document.forms if "alt" in f.fields), None)
            if alternative is not None:
                page = self.submit(alternative)
                continue
            raise StepFailed(f"stuck on {page.url}")
        raise StepFailed(f"too many questions on {link}")

    @staticmethod
    def _first_picks(form: Any) -> dict[str, str]:
        """The first provider that can be asked, for each evidence type."""
        picks: dict[str, str] = {}
        for element in form.inputs:
            name = element.get("name") or ""
            if name.startswith("offer") and element.get("disabled") is None and name not in picks:
                picks[name] = element.get("value")
        return picks

    def _version_picks(self, form: Any) -> dict[str, str]:
        """For each evidence type, the Directory simulator's test provider of ``edm_version`` (its name ends
        with "(EDM v1.0)", …: ``simulators.common_services.catalogue``)."""
        suffix = version_provider_suffix(get_version(self.edm_version).identifier)
        picks: dict[str, str] = {}
        names = {
            element.get("name") for element in form.inputs if (element.get("name") or "").startswith("offer")
        }
        for name in sorted(names):
            for element in form.inputs:
                label = form.xpath(f'.//label[@for="{element.get("id")}"]') if element.get("id") else []
                if element.get("name") == name and label and label[0].text_content().strip().endswith(suffix):
                    if element.get("disabled") is not None:
                        raise StepFailed(f"the portal cannot ask the {self.edm_version} test provider")
                    picks[name] = element.get("value")
            if name not in picks:
                raise StepFailed(
                    f"no provider of EDM {self.edm_version} offered (the Directory simulator has one per "
                    f"version for each evidence type of {', '.join(VERSION_PROVIDER_COUNTRIES)})"
                )
        return picks

    def locate(self) -> str:
        links = self._requirement_links()
        if not links:
            raise StepFailed("the procedure has no requirement to locate")
        countries = [self.country] * len(links)
        if self.scenario == "two-countries":
            if len(links) < 2:
                raise StepFailed("two-countries needs a procedure with two requirements")
            countries[1] = next(c for c in OTHER_COUNTRIES if c != self.country)
        outcomes = [
            f"{country}: {self._locate_one(link, country)}"
            for link, country in zip(links, countries, strict=True)
        ]
        if self.scenario == "additional-input" and not self.questions_asked:
            raise StepFailed(
                "no DSD:ERR:0005 question was asked "
                "(try --procedure T2 --country DE or --procedure R1 --country AT)"
            )
        extra = f", answered {self.questions_asked} DSD question form(s)" if self.questions_asked else ""
        return "; ".join(outcomes) + extra

    def request(self) -> str:
        page = self.get(f"/applications/{self.reference}/step/request/")
        if self.heading(page) != "Request your evidence":
            raise StepFailed(f"expected the request page, got “{self.heading(page)}”")
        shown = self.document(page).get_element_by_id("person-data").text_content()
        if self.scenario == "representative" and "Company or organisation" not in shown:
            raise StepFailed("the request page does not show the legal person")
        rows = len(self.document(page).xpath("//table[@id='requested-evidence']/tbody/tr"))
        form = self.form(
            self.document(page),
            lambda f: (f.method or "").upper() == "POST" and "/request/" in (f.action or page.url),
            "request form",
        )
        page = self.submit(form)
        if self.heading(page) != "Your evidence":
            raise StepFailed(f"expected the status page after the request, got “{self.heading(page)}”")
        return f"explicit request given for {rows} evidence type(s)"

    def _status(self) -> dict[str, Any]:
        return self.get(f"/applications/{self.reference}/evidence/status.json").json()  # type: ignore[no-any-return]

    def _wait(self, done: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            status = self._status()
            if done(status):
                return status
            if time.monotonic() > deadline:
                states = ", ".join(f"{row['evidence']}: {row['state']}" for row in status["exchanges"])
                raise StepFailed(f"timed out waiting for {what} ({states})")
            time.sleep(self.poll_seconds)

    def preview(self) -> str:
        accept = self.scenario in ("preview", "preview-post")
        status = self._wait(lambda s: not s["pending"], "the provider's first answer")
        previews = [row for row in status["exchanges"] if row["state"] == "preview_required"]
        if not previews:
            raise StepFailed("the provider did not ask for a preview")
        for row in previews:
            started = self.post(
                f"/exchanges/{row['id']}/preview/",
                {"csrfmiddlewaretoken": self.session.cookies.get("csrftoken", "")},
                allow_redirects=False,
            )
            page = self._to_the_preview(started)
            # The preview space's own form (the page's header has other POST forms: language, log out).
            preview_url = page.url
            form = self.form(
                self.document(page),
                lambda f, url=preview_url: (
                    (f.method or "").upper() == "POST" and "/preview/" in (f.get("action") or url)
                ),
                "preview decision",
            )
            # The choice is the form's submit button (name="decision"), which form_values() leaves out.
            if form.xpath('.//*[@name="decision"]'):
                page = self.submit(form, {"decision": "accept" if accept else "refuse"})
            else:
                page = self.submit(form)  # already decided at the provider: only the way back
            if not page.url.endswith(f"/applications/{self.reference}/step/receive/"):
                raise StepFailed(f"the way back from the preview ended on {page.url}")
        by_post = f", {self.posted_hand_offs} reached by POST" if self.posted_hand_offs else ""
        decided = "accepted" if accept else "refused"
        return f"{len(previews)} preview(s) {decided}{by_post}, back on the status page"

    def _to_the_preview(self, started: requests.Response) -> requests.Response:
        """Follow the portal's hand-off to the provider's preview: a redirect (``PreviewMethod`` GET), or a
        page whose form the browser posts at once (``PreviewMethod`` POST, R-EDM-ERR-C021)."""
        location = started.headers.get("Location", "")
        if started.status_code == 302 and location:
            return self.session.get(location, timeout=30)
        if started.status_code == 200:
            hand_off = self.form(
                self.document(started), lambda f: f.get("data-autosubmit") is not None, "hand-off form"
            )
            self.posted_hand_offs += 1
            return self.submit(hand_off)
        raise StepFailed(f"no way to the preview (HTTP {started.status_code})")

    def evidence(self) -> str:
        status = self._wait(
            lambda s: not s["pending"] and all(r["state"] != "preview_required" for r in s["exchanges"]),
            "the evidence",
        )
        states = [row["state"] for row in status["exchanges"]]
        expected_failure = self.scenario in ("not-found", "preview-refused")
        if expected_failure:
            if "failed" not in states:
                raise StepFailed(f"expected an error from the provider, got {states}")
            page = self.get(f"/applications/{self.reference}/step/receive/")
            if self.scenario == "preview-refused":
                # A refusal is the citizen's choice, shown as such: not an error of the authority.
                refused = self.document(page).xpath("//article[contains(@class,'exchange-refused')]")
                if not refused or self.document(page).xpath("//div[contains(@class,'exchange-error')]"):
                    raise StepFailed("the refused preview is not shown as the citizen's choice")
                return "refusal shown as your choice"
            error = self.document(page).xpath("//div[contains(@class,'exchange-error')]")
            if not error:
                raise StepFailed("the error is not shown on the status page")
            return f"error shown: {error[0].text_content().split('.')[0].strip()}"
        if any(state != "received" for state in states):
            raise StepFailed(f"expected every evidence received, got {states}")
        return f"{len(states)} evidence(s) received"

    def upload(self) -> str:
        page = self.get(f"/applications/{self.reference}/step/receive/")
        links = [
            a.get("href")
            for a in self.document(page).xpath("//a[@href]")
            if re.search(r"/step/upload-item/\d+/$", a.get("href"))
        ]
        if not links:
            raise StepFailed("no “upload instead” offered")
        for link in dict.fromkeys(links):
            form_page = self.get(link)
            form = self.form(
                self.document(form_page),
                lambda f: (f.method or "").upper() == "POST" and f.get("enctype") == "multipart/form-data",
                "upload form",
            )
            values = dict(form.form_values())
            result = self.session.post(
                urljoin(form_page.url, form.action or ""),
                data=values,
                files={"document": ("evidence.pdf", SAMPLE_PDF, "application/pdf")},
                headers={"Referer": form_page.url},
                timeout=30,
            )
            if "Your document was uploaded" not in result.text:
                raise StepFailed(f"the upload was refused ({result.url})")
        return f"{len(set(links))} document(s) uploaded instead"

    def _answer_form(self, page: requests.Response) -> None:
        """Fill the procedure's form with plausible values and continue."""
        form = self.form(
            self.document(page), lambda f: "application-form" in (f.get("class") or ""), "application form"
        )
        values: dict[str, str] = dict(form.form_values())
        for element in form.inputs:
            name = element.get("name")
            if not name or name == "csrfmiddlewaretoken" or values.get(name):
                continue
            kind = (element.get("type") or element.tag).lower()
            if kind == "email":
                values[name] = "tester@example.org"
            elif kind == "date":
                values[name] = "2027-01-01"
            elif kind == "number":
                values[name] = "1"
            elif kind == "checkbox":
                values[name] = "on"
            elif element.tag == "select":
                options = [o for o in element.value_options if o]
                if options:
                    values[name] = options[0]
            elif kind in ("text", "textarea"):
                values[name] = "Test"
        values["action"] = "continue"
        answered = self.session.post(page.url, data=values, headers={"Referer": page.url}, timeout=30)
        if answered.status_code != 200 or self.heading(answered) == ANSWERS_PAGE:
            raise StepFailed(f"the form's answers were not accepted ({answered.url})")

    def submit_application(self) -> str:
        page = self.get(f"/applications/{self.reference}/next/")
        if self.heading(page) == ANSWERS_PAGE:
            self._answer_form(page)
            page = self.get(f"/applications/{self.reference}/next/")
        if self.heading(page) != CHECK_PAGE:
            raise StepFailed(f"expected “{CHECK_PAGE}”, got “{self.heading(page)}” ({page.url})")
        form = self.form(
            self.document(page),
            lambda f: (f.method or "").upper() == "POST" and "/step/check/" in (f.action or page.url),
            "submit form",
        )
        page = self.submit(form)
        if self.heading(page) != "Application submitted":
            raise StepFailed(f"not submitted: “{self.heading(page)}” ({page.url})")
        receipt = self.get(f"/applications/{self.reference}/receipt.pdf")
        if not receipt.content.startswith(b"%PDF-"):
            raise StepFailed("the PDF receipt is not a PDF")
        return f"submitted, receipt PDF {len(receipt.content)} bytes"

    def steps(self) -> list[tuple[str, Callable[[], str]]]:
        plan: list[tuple[str, Callable[[], str]]] = [
            ("1 login", self.login),
            ("  start", self.start),
            ("2 locate", self.locate),
            ("3 request", self.request),
        ]
        if self.scenario in ("preview", "preview-refused", "preview-post"):
            plan.append(("4 preview", self.preview))
        plan.append(("6 evidence", self.evidence))
        if self.scenario in ("not-found", "preview-refused"):
            plan.append(("  upload", self.upload))
        plan.append(("7 submit", self.submit_application))
        return plan
