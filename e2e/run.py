#!/usr/bin/env python3
"""End-to-end checks against live Rapport servers: a real Chromium driven by Selenium clicks through the
demo as a newcomer would (and saves screenshots to look at), then schemathesis fuzzes the API from its
own OpenAPI document. Runs once on SQLite and once on PostgreSQL. Prints one line per check."""
import argparse, os, random, shutil, signal, subprocess, sys, tempfile, time, traceback, urllib.parse, urllib.request, uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SHOTS = os.path.join(HERE, "screenshots")
DEMO_EMAIL, DEMO_PASSWORD = "demo@rapport.example", "rapport-demo"
passed, failed = [], []


def check(name, fn):
    start = time.time()
    try:
        fn()
        passed.append(name)
        print(f"ok   {name} ({time.time() - start:.1f} s)", flush=True)
    except Exception as e:  # a failed check must not stop the others
        failed.append(name)
        where = [f"{os.path.basename(f.filename)}:{f.lineno}" for f in traceback.extract_tb(e.__traceback__) if f.filename == __file__]
        print(f"FAIL {name} (at {' < '.join(reversed(where))}): {type(e).__name__}: {e}", flush=True)


class MailSink:
    """scripts/smtp_sink.py, a real SMTP server process; every accepted message lands in self.dir."""
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="rapport-mail-")
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "scripts", "smtp_sink.py"), "--port", "0", "--dir", self.dir],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY"):
            raise RuntimeError("smtp_sink did not start: " + line + self.proc.stdout.read())
        self.port = int(line.split()[1])

    def messages(self):
        import email, email.policy
        out = []
        for name in sorted(f for f in os.listdir(self.dir) if f.endswith(".eml")):
            with open(os.path.join(self.dir, name), "rb") as f:
                out.append(email.message_from_binary_file(f, policy=email.policy.default))
        return out

    def wait_for(self, predicate, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            found = [m for m in self.messages() if predicate(m)]
            if found:
                return found
            time.sleep(0.3)
        raise AssertionError(f"no such e-mail arrived within {timeout} s; got {[m['subject'] for m in self.messages()]}")

    def stop(self):
        self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    def __init__(self, binary, database_url, schema=None, smtp_port=None, demo=True):
        self.dir = tempfile.mkdtemp(prefix="rapport-e2e-")
        self.port = random.randint(20000, 40000)
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, RAPPORT_DATABASE_URL=database_url, RAPPORT_LOG_LEVEL="warning", RAPPORT_WORKER_INTERVAL="0.3")
        if smtp_port:
            self.env["RAPPORT_SMTP_URL"] = f"smtp://127.0.0.1:{smtp_port}"
            self.env["RAPPORT_MAIL_FROM"] = "umfragen@rapport.example"
        if schema:
            self.env["RAPPORT_DATABASE_SCHEMA"] = schema
        self.binary = binary
        self.log = open(os.path.join(self.dir, "serve.log"), "w")
        self.database_url, self.schema = database_url, schema
        self.proc = subprocess.Popen([binary, "serve"] + (["--demo"] if demo else []) + ["--port", str(self.port)],
                                     env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        # A debug build seeds the demo in under a minute; a busy CI machine gets five.
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/health", timeout=2)
                return
            except Exception:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.5)
        self.proc.kill()
        raise RuntimeError(f"server did not start within 300 s (exit {self.proc.poll()}): " + open(self.log.name).read()[-2000:])

    def token(self, role="owner"):
        out = subprocess.run([self.binary, "token", "create", "--workspace", "demo", "--role", role, "--name", "e2e"],
                             env=self.env, capture_output=True, text=True, check=True)
        return out.stdout.strip().splitlines()[-1]

    def stop(self):
        """SIGTERM, as a service manager sends it; returns the exit code (None if it had to be killed)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = None
        if code != 0:
            print("server log (last lines):\n" + "".join(open(self.log.name, errors="replace").readlines()[-40:]))
        shutil.rmtree(self.dir, ignore_errors=True)
        return code


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-US"):
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=opts)


def click_and_load(d, element):
    """Click a form's button and wait until the page it leads to has loaded: reading right after the click
    may still see the old page. The old page is recognised by a mark on its window, not by an element of
    it: asking Chromium about an element of a page being replaced can fail with an inspector error
    instead of the stale-element answer."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait
    d.execute_script("window.__rapportOldPage = true")
    element.click()

    def loaded(drv):
        try:
            return drv.execute_script("return !window.__rapportOldPage && document.readyState === 'complete'")
        except WebDriverException:
            return False    # between the pages
    WebDriverWait(d, 15).until(loaded)


def browser_checks(server, label):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    d = browser()
    # A page being replaced by the next one makes elements stale mid-check: keep waiting then.
    wait = WebDriverWait(d, 15, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))
    shot = lambda name: d.save_screenshot(os.path.join(SHOTS, f"{label}-{name}.png"))
    try:
        def login():
            d.get(server.url + "/accounts")
            assert "/login" in d.current_url, "an anonymous visitor should land on the login page"
            d.find_element(By.ID, "email").send_keys(DEMO_EMAIL)
            d.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
            shot("01-login")
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "main table"))
            assert d.current_url.endswith("/accounts"), d.current_url
        check(f"{label}: log in with the demo login and land where you wanted to go", login)

        def find_account():
            box = d.find_element(By.ID, "q")
            box.clear()
            box.send_keys("GmbH")
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
            wait.until(lambda d: "q=GmbH" in d.current_url)
            rows = d.find_elements(By.CSS_SELECTOR, "main tbody tr")
            assert len(rows) > 0, "searching GmbH in the demo finds accounts"
            shot("02-accounts")
            link = rows[0].find_element(By.TAG_NAME, "a")
            name = link.text
            click_and_load(d, link)
            wait.until(lambda d: d.find_element(By.TAG_NAME, "h1").text == name)
            text = d.find_element(By.TAG_NAME, "main").text
            for heading in ("Customer 360", "Contacts", "Contracts", "Timeline", "Renewals"):
                assert heading in text, f"the 360 page shows {heading}"
            shot("03-account-360")
        check(f"{label}: search an account and open its 360 page", find_account)

        def phone():
            d.set_window_size(390, 844)
            d.refresh()
            overflow = d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            shot("04-account-360-phone")
            d.set_window_size(1280, 900)
            assert overflow <= 1, f"the page is {overflow}px wider than a phone screen"
        check(f"{label}: the 360 page fits a phone screen", phone)

        def import_bad_row():
            path = os.path.join(tempfile.mkdtemp(), "contacts.csv")
            with open(path, "w") as f:
                f.write("external_id,name,email\ne2e-1,Anna Muster,anna@example.org\ne2e-2,Bad Row,not-an-email\n")
            d.get(server.url + "/import")
            d.find_element(By.CSS_SELECTOR, "#entity option[value=contacts]").click()
            d.find_element(By.ID, "file").send_keys(path)
            click_and_load(d, d.find_element(By.ID, "start-import"))
            report = wait.until(lambda d: d.find_element(By.ID, "import-report"))
            text = report.text
            shot("05-import-report")
            assert "not-an-email" in text and "3" in text, text
            assert "Nothing was imported" in text, text
        check(f"{label}: import a CSV with one bad row and see that row's error", import_bad_row)

        def build_journey():
            from selenium.webdriver.support.ui import Select
            d.get(server.url + "/journeys")
            assert "Schadenmeldung und Regulierung" in d.page_source, "the demo has the insurer's claim journey"
            d.find_element(By.ID, "name").send_keys("E2E Onboarding")
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "form[action='/journeys'] button[type=submit]"))
            wait.until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "E2E Onboarding")
            for phase in ("Sign up", "First login"):
                d.find_element(By.ID, "phase-name").send_keys(phase)
                click_and_load(d, d.find_element(By.CSS_SELECTOR, "form[action$='/phases'] button[type=submit]"))
                wait.until(lambda d: phase in d.find_element(By.CSS_SELECTOR, ".map thead").text)
            d.find_element(By.ID, "tp-name").send_keys("E-mail: Welcome")
            Select(d.find_element(By.ID, "tp-channel")).select_by_value("email")
            Select(d.find_element(By.ID, "tp-phase")).select_by_visible_text("2. First login")
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "form[action$='/touchpoints'] button[type=submit]"))
            wait.until(lambda d: d.find_elements(By.LINK_TEXT, "E-mail: Welcome"))
            head = [th.text for th in d.find_elements(By.CSS_SELECTOR, ".map thead th")]
            row = [td.text for td in d.find_elements(By.CSS_SELECTOR, ".map tbody tr")[0].find_elements(By.CSS_SELECTOR, "th, td")]
            assert head[1:] == ["1. Sign up", "2. First login"], head
            assert row[0] == "E-mail" and row[2].startswith("E-mail: Welcome") and row[1] == "", row
            # A phase position that leaves a gap is refused with the field and the reason.
            d.find_element(By.ID, "phase-name").send_keys("Far away")
            # The browser's own max= check would stop this; the server must refuse it too.
            d.execute_script("var e = document.getElementById('phase-position'); e.removeAttribute('max'); e.value = '9'")
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "form[action$='/phases'] button[type=submit]"))
            alert = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".alert"))
            assert "position" in alert.text and "gap" in alert.text, alert.text
            click_and_load(d, d.find_element(By.LINK_TEXT, "E-mail: Welcome"))
            wait.until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "E-mail: Welcome")
            Select(d.find_element(By.ID, "relevance")).select_by_value("5")
            Select(d.find_element(By.ID, "quality")).select_by_value("2")
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "form[action$='/assessments'] button[type=submit]"))
            wait.until(lambda d: "Fix first" in d.find_element(By.TAG_NAME, "main").text)
            # A real screenshot as the touchpoint's illustration, and a text file posing as an image.
            d.find_element(By.ID, "file").send_keys(os.path.join(SHOTS, f"{label}-01-login.png"))
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "form[action$='/files'] button[type=submit]"))
            thumb = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "img.thumb"))
            assert d.execute_script("return arguments[0].naturalWidth", thumb) > 100, "the uploaded screenshot is served back as an image"
            fake = os.path.join(tempfile.mkdtemp(), "fake.png")
            with open(fake, "w") as f:
                f.write("not really a picture")
            d.find_element(By.ID, "file").send_keys(fake)
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "form[action$='/files'] button[type=submit]"))
            alert = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".alert"))
            assert "fake.png" in alert.text and "but its content is" in alert.text, alert.text
            shot("07-touchpoint")
            d.get(server.url + "/journeys")
            click_and_load(d, d.find_element(By.LINK_TEXT, "Schadenmeldung und Regulierung"))
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".map table"))
            curve = d.find_element(By.CSS_SELECTOR, ".chart svg")
            assert "n=" in curve.get_attribute("innerHTML"), "the emotion curve says how many assessments stand behind each point"
            shot("08-journey-map")
            d.set_window_size(390, 844)
            d.refresh()
            overflow = d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            shot("09-journey-map-phone")
            d.set_window_size(1280, 900)
            assert overflow <= 1, f"the map page is {overflow}px wider than a phone screen"
        check(f"{label}: build a small journey by hand and see it on the map", build_journey)

        def matrix_and_registry():
            d.get(server.url + "/touchpoints/matrix")
            svg = d.find_element(By.CSS_SELECTOR, ".chart svg")
            points = svg.find_elements(By.CSS_SELECTOR, "a")
            assert len(points) >= 40, f"the demo's assessed touchpoints are on the matrix ({len(points)})"
            assert d.find_elements(By.CSS_SELECTOR, "main table tbody tr"), "the numbers stand beside the chart"
            shot("10-matrix")
            d.get(server.url + "/touchpoints?group=channel")
            groups = d.find_elements(By.CSS_SELECTOR, "section.group h2")
            assert len(groups) >= 8, f"grouping by channel makes one group per channel ({len(groups)})"
            shot("11-registry-grouped")
            d.get(server.url + "/maturity")
            assert d.find_elements(By.CSS_SELECTOR, ".chart svg"), "maturity progress is drawn"
            shot("12-maturity")
            path = os.path.join(tempfile.mkdtemp(), "touchpoints.csv")
            with open(path, "w") as f:
                f.write("name,channel,journey,phases\nPortal: Claim status,portal,schadenmeldung,schaden-melden\nFax: Claim form,fax,schadenmeldung,\n")
            d.get(server.url + "/import?entity=touchpoints")
            d.find_element(By.ID, "file").send_keys(path)
            click_and_load(d, d.find_element(By.ID, "start-import"))
            text = wait.until(lambda d: d.find_element(By.ID, "import-report")).text
            assert "'fax' is not a channel" in text and "3" in text, text
        check(f"{label}: matrix, grouped registry, maturity, and a touchpoint import with an unknown channel", matrix_and_registry)

        def german():
            d.get(server.url + "/settings")
            d.find_element(By.CSS_SELECTOR, "#locale option[value=de]").click()
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "form[action='/settings/language'] button"))
            wait.until(lambda d: "Sprache der Oberfläche" in d.page_source)
            d.get(server.url + "/")
            shot("06-home-de")
            assert "Anstehende Verlängerungen" in d.page_source
            d.get(server.url + "/journeys")
            click_and_load(d, d.find_element(By.LINK_TEXT, "Schadenmeldung und Regulierung"))
            wait.until(lambda d: "Emotionskurve" in d.page_source and "Telefon" in d.find_element(By.CSS_SELECTOR, ".map tbody").text)
            shot("13-journey-map-de")
        check(f"{label}: switch the interface to German", german)
    finally:
        d.quit()


def api(server, token, method, path, body=None):
    import json
    req = urllib.request.Request(server.url + "/api/v1" + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raise AssertionError(f"{method} {path} answered {e.code}: {e.read().decode()[:500]}")


def survey_checks(server, mail, label):
    """The issue's whole story: a CX manager (whose interface is German since the check before) builds a
    bilingual survey and wires it to an event; a customer who agreed gets it by e-mail, answers on a phone
    in German with display logic, and is not asked again inside the quiet period; all of it visible."""
    import re
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    d = browser()
    wait = WebDriverWait(d, 15, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))
    shot = lambda name: d.save_screenshot(os.path.join(SHOTS, f"{label}-{name}.png"))
    token = server.token("owner")
    state = {}
    try:
        d.get(server.url + "/login")
        d.find_element(By.ID, "email").send_keys(DEMO_EMAIL)
        d.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
        click_and_load(d, d.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        wait.until(lambda d: "/login" not in d.current_url)

        def build():
            d.get(server.url + "/surveys")
            d.find_element(By.ID, "name").send_keys("E2E Service-Befragung")
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "form[action='/surveys'] button[type=submit]"))
            wait.until(lambda d: re.search(r"/surveys/[0-9a-f-]{36}$", d.current_url))
            state["survey"] = d.current_url.rsplit("/", 1)[1]
            def add(fields, checks=()):
                d.find_element(By.XPATH, "//summary[contains(., 'Frage hinzufügen') or contains(., 'Add a question')]").click()
                form = d.find_element(By.CSS_SELECTOR, "form[action$='/questions']")
                for name, value in fields.items():
                    el = form.find_element(By.NAME, name)
                    if el.tag_name == "select":
                        el.find_element(By.CSS_SELECTOR, f"option[value='{value}']").click()
                    else:
                        el.clear()
                        el.send_keys(value)
                for name in checks:
                    form.find_element(By.NAME, name).click()
                click_and_load(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
                wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "ol.questions"))
                alert = d.find_elements(By.CSS_SELECTOR, ".alert")
                assert not alert, alert[0].text
            add({"type": "nps", "id": "nps", "page": "1", "text_de": "Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?",
                 "text_en": "How likely are you to recommend us?"}, checks=["required"])
            add({"type": "text", "id": "disappointed", "page": "2", "text_de": "Was hat Sie enttäuscht?", "text_en": "What disappointed you?",
                 "purpose": "disappointed", "show_if_question": "nps", "show_if_max": "6"})
            add({"type": "text", "id": "delighted", "page": "2", "text_de": "Was hat Sie begeistert?", "text_en": "What delighted you?",
                 "purpose": "delighted", "show_if_question": "nps", "show_if_min": "7"})
            assert len(d.find_elements(By.CSS_SELECTOR, "ol.questions > li")) == 3
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "form[action$='/publish'] button"))
            wait.until(lambda d: re.search("(invitations use|Einladungen nutzen) [Vv]ersion 1", d.find_element(By.TAG_NAME, "main").text))
            form = d.find_element(By.CSS_SELECTOR, "form[action$='/triggers']")
            form.find_element(By.NAME, "name").send_keys("Nach dem Servicefall")
            form.find_element(By.NAME, "event_type").send_keys("e2e_case_closed")
            click_and_load(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
            wait.until(lambda d: "e2e_case_closed" in d.find_element(By.TAG_NAME, "main").text)
            shot("20-survey-editor")
        check(f"{label}: a CX manager builds a bilingual survey in the editor, publishes it and wires it to an event", build)

        def invite():
            contact = api(server, token, "POST", "/contacts", {"name": "Greta Vogel", "email": f"greta.{label}@kunde.example", "language": "de", "external_id": f"e2e-{label}"})
            state["contact"] = contact["id"]
            api(server, token, "POST", f"/contacts/{contact['id']}/consents", {"purpose": "survey", "channel": "email", "status": "granted", "source": "Vertrag"})
            out = api(server, token, "POST", "/events", {"type": "e2e_case_closed", "contact_external_id": f"e2e-{label}", "external_id": f"case-{label}-1"})
            assert out["decisions"][0]["invited"], out
            m = mail.wait_for(lambda m: m["To"] and f"greta.{label}" in str(m["To"]))[0]
            assert "Ihre Meinung zählt" in str(m["Subject"]), m["Subject"]
            assert m["List-Unsubscribe"] and m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", dict(m)
            text = m.get_body(preferencelist=("plain",)).get_content()
            state["link"] = re.search(r"https?://\S+/s/p[A-Za-z0-9_-]{44}", text).group(0)
            state["unsubscribe"] = re.search(r"https?://\S+/u/p[A-Za-z0-9_-]{44}", text).group(0)
            assert "Greta Vogel" in text and "Code" in text, text
        check(f"{label}: an event invites the consenting customer, and the e-mail arrives at a real SMTP server", invite)

        def answer():
            customer = browser()   # the customer's own phone: no staff session
            try:
                answer_on(customer)
            finally:
                customer.quit()

        def answer_on(d):
            shot = lambda name: d.save_screenshot(os.path.join(SHOTS, f"{label}-{name}.png"))
            wait = WebDriverWait(d, 15, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))
            d.set_window_size(390, 844)
            d.get(state["link"])
            body = d.find_element(By.TAG_NAME, "body").text
            assert "Wie wahrscheinlich ist es" in body and "Seite 1 von 2" in body, body
            overflow = d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"the survey is {overflow}px wider than the phone"
            shot("21-answer-phone-page1")
            d.find_element(By.XPATH, "//input[@name='q_nps' and @value='3']/following-sibling::span").click()
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "button[value=next]"))
            wait.until(lambda d: "Seite 2 von 2" in d.find_element(By.TAG_NAME, "body").text)
            body = d.find_element(By.TAG_NAME, "body").text
            assert "Was hat Sie enttäuscht?" in body and "Was hat Sie begeistert?" not in body, body
            d.find_element(By.CSS_SELECTOR, "textarea[name=q_disappointed]").send_keys("Ich musste zweimal anrufen.")
            shot("22-answer-phone-page2")
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "button[value=next]"))
            wait.until(lambda d: "Vielen Dank" in d.find_element(By.TAG_NAME, "body").text)
            shot("23-answer-phone-thanks")
            d.get(state["link"])
            wait.until(lambda d: "Bereits beantwortet" in d.find_element(By.TAG_NAME, "body").text)
        check(f"{label}: the customer answers on a phone in German; display logic shows the right question; the link is used up", answer)

        def visible():
            d.get(server.url + f"/surveys/{state['survey']}/responses")
            text = d.find_element(By.TAG_NAME, "main").text
            assert "Ich musste zweimal anrufen." in text and "Greta Vogel" in text, text
            shot("24-responses")
            out = api(server, token, "POST", "/events", {"type": "e2e_case_closed", "contact_external_id": f"e2e-{label}", "external_id": f"case-{label}-2"})
            decision = out["decisions"][0]
            assert not decision["invited"] and decision["reason"] == "quiet_period", decision
            d.get(server.url + f"/contacts/{state['contact']}")
            text = d.find_element(By.TAG_NAME, "main").text
            assert "Not invited to E2E Service-Befragung: quiet period" in text and "Answered E2E Service-Befragung" in text, text
            shot("25-contact-timeline")
            time.sleep(1.5)
            assert len(mail.wait_for(lambda m: f"greta.{label}" in str(m["To"]))) == 1, "a second e-mail went out inside the quiet period"
        check(f"{label}: the response shows in Rapport, and a second case inside the quiet period is skipped and explained", visible)

        def unsubscribe():
            d.get(state["unsubscribe"])
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "button[type=submit]"))
            wait.until(lambda d: "abgemeldet" in d.find_element(By.TAG_NAME, "body").text)
            consents = api(server, token, "GET", f"/contacts/{state['contact']}/consents")["items"]
            assert consents[0]["status"] == "withdrawn" and consents[0]["channel"] == "email", consents
        check(f"{label}: the unsubscribe link in the e-mail withdraws the consent", unsubscribe)
    finally:
        d.quit()


def measurement_checks(server, label):
    """The executive opens the demo's dashboard, filters it, drills into the answers behind a figure, sees
    last year's bonus KPI verified, and the roll-ups agree with a recount (screenshots on a desktop and a
    phone to look at)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    d = browser()
    shot = lambda name: d.save_screenshot(os.path.join(SHOTS, f"{label}-{name}.png"))
    try:
        def dashboard():
            d.get(server.url + "/login")
            d.find_element(By.ID, "email").send_keys(DEMO_EMAIL)
            d.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
            d.get(server.url + "/dashboards")
            # The language check before may have switched the demo user to German.
            assert d.find_element(By.TAG_NAME, "h1").text in ("Executive dashboard", "Management-Dashboard"), d.find_element(By.TAG_NAME, "h1").text
            charts = d.find_elements(By.CSS_SELECTOR, ".chart svg[role=img]")
            assert len(charts) >= 4, f"{len(charts)} charts"
            for svg in charts:
                assert svg.find_elements(By.TAG_NAME, "title"), "every chart has a title"
            kpi = d.find_element(By.CSS_SELECTOR, ".kpi").text
            assert "n = " in kpi and "95 %" in kpi, kpi
            d.set_window_size(1280, d.execute_script("return document.body.scrollHeight") + 50)
            shot("20-dashboard-desktop")
            d.set_window_size(390, 900)
            width = d.execute_script("return document.documentElement.scrollWidth")
            assert width <= 400, f"the dashboard is {width}px wide on a phone"
            d.set_window_size(390, d.execute_script("return document.body.scrollHeight") + 50)
            shot("21-dashboard-phone")
            d.set_window_size(1280, 900)
        check(f"{label}: the executive dashboard shows charts with n and intervals, on a desktop and a phone", dashboard)

        def filtered():
            market = Select(d.find_element(By.ID, "market"))
            choice = [o.get_attribute("value") for o in market.options if o.get_attribute("value")][0]
            market.select_by_value(choice)
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
            assert "market=" + urllib.parse.quote(choice) in d.current_url or "market=" in d.current_url, f"{choice}: {d.current_url}"
            assert d.find_elements(By.CSS_SELECTOR, ".chart svg[role=img]") or "No responses" in d.page_source
            shot("22-dashboard-filtered")
            d.get(server.url + "/dashboards")
            link = d.find_element(By.CSS_SELECTOR, "#tnps-touchpoints a")
            # An SVG link's href property is no string; the attribute is.
            d.get(server.url + d.execute_script("return arguments[0].getAttribute('href')", link))
            rows = d.find_elements(By.CSS_SELECTOR, "main table tbody tr")
            assert rows, "the answers behind a bar are listed"
            shot("23-drill-down")
        check(f"{label}: filter by market and drill from a bar to its answers", filtered)

        def kpis():
            d.get(server.url + "/dashboards/kpis")
            assert d.find_elements(By.CSS_SELECTOR, "main table .badge.ok"), "the bonus KPI should show as verified"
            assert not d.find_elements(By.CSS_SELECTOR, "main table .badge.broken"), "no snapshot may be broken"
            shot("24-kpis")
            for args in (["kpi", "verify", "--workspace", "demo"], ["rollups", "check", "--workspace", "demo"]):
                out = subprocess.run([server.binary] + args, env=server.env, capture_output=True, text=True)
                assert out.returncode == 0, f"{args}: {out.stdout} {out.stderr}"
        check(f"{label}: last year's bonus KPI verifies, and the roll-ups equal a recount", kpis)

        def roles():
            # The journey owner's view of the claims journey: alerts, trend, the measured emotion curve.
            d.get(server.url + "/dashboards/journeys")
            assert d.find_elements(By.CSS_SELECTOR, "#tnps-phases"), "the journey dashboard shows the emotion curve per phase"
            assert len(d.find_elements(By.CSS_SELECTOR, ".chart svg[role=img]")) >= 3
            d.set_window_size(1280, d.execute_script("return document.body.scrollHeight") + 50)
            shot("25-journey-owner")
            d.set_window_size(390, 900)
            width = d.execute_script("return document.documentElement.scrollWidth")
            assert width <= 400, f"the journey dashboard is {width}px wide on a phone"
            d.set_window_size(1280, 900)
            # The journey map's curve is now measured.
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "main p.muted a[href^='/journeys/']"))
            assert "T-NPS" in d.find_element(By.CSS_SELECTOR, "svg#curve").get_attribute("innerHTML"), "the map's curve shows measured T-NPS"
            shot("26-journey-map-measured")
            # An ambassador's unit (a department of the demo) and a CSM's accounts.
            # The demo login stands for the claims department.
            d.get(server.url + "/dashboards/unit")
            assert Select(d.find_element(By.ID, "unit")).first_selected_option.get_attribute("value") == "department:Schaden"
            assert d.find_elements(By.CSS_SELECTOR, ".kpi") and d.find_elements(By.CSS_SELECTOR, "#tnps-touchpoints"), "the unit dashboard shows its figures"
            shot("27-ambassador")
            d.get(server.url + "/dashboards/accounts")
            owner = Select(d.find_element(By.ID, "owner"))
            assert owner.options, "the CSM view lists whose accounts it can show"
            shot("28-csm")
        check(f"{label}: journey owner, ambassador and CSM dashboards", roles)

        def report():
            pdf = os.path.join(tempfile.mkdtemp(), "report.pdf")
            out = subprocess.run([server.binary, "report", "--workspace", "demo", "--dashboard", "executive", "--language", "en", "--out", pdf],
                                 env=server.env, capture_output=True, text=True, timeout=300)
            assert out.returncode == 0, f"rapport report: {out.stdout} {out.stderr}"
            from pypdf import PdfReader
            text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
            assert "Executive dashboard" in text and "R-NPS" in text and "n = " in text, text[:500]
            shutil.copy(pdf, os.path.join(SHOTS, f"{label}-29-report.pdf"))
        check(f"{label}: rapport report prints the executive dashboard to a PDF that reads back", report)
    finally:
        d.quit()


def success_checks(server, label):
    """A CSM opens their portfolio, sets a goal with a KPI for an account, agrees to it, shares the success
    plan; the customer opens the secret link on a phone and confirms the goal; the CSM sees the
    confirmation, revokes the link, and the link stops working. The health page shows the back-test."""
    from selenium.webdriver.common.by import By
    d = browser()

    shot = lambda name: d.save_screenshot(os.path.join(SHOTS, f"{label}-{name}.png"))
    state = {}
    title = f"Durchlaufzeit senken {uuid.uuid4().hex[:6]}"

    def goal_box():
        return d.find_element(By.XPATH, f"//div[contains(@class,'goal')][.//h3[contains(., '{title}')]]")

    try:
        def portfolio():
            d.get(server.url + "/login")
            d.find_element(By.ID, "email").send_keys("julia.brandt@rapport.example")
            d.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
            click_and_load(d, d.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
            d.get(server.url + "/success")
            assert "Julia Brandt" in d.page_source, "signed in as the CSM"
            rows = d.find_elements(By.CSS_SELECTOR, "table tbody tr")
            assert len(rows) >= 5, f"{len(rows)} accounts in the portfolio"
            assert d.find_elements(By.CSS_SELECTOR, ".badge.bad, .badge.changed"), "risks and bands are shown"
            state["account"] = d.find_element(By.CSS_SELECTOR, "table tbody tr a").get_attribute("href")
            d.set_window_size(1280, d.execute_script("return document.body.scrollHeight") + 50)
            shot("40-success-portfolio")
            d.set_window_size(390, 900)
            width = d.execute_script("return document.documentElement.scrollWidth")
            assert width <= 400, f"the portfolio is {width}px wide on a phone"
            d.set_window_size(1280, 900)
        check(f"{label}: a CSM's portfolio lists their accounts riskiest first, on a desktop and a phone", portfolio)

        def goal_and_kpi():
            d.get(state["account"])
            summary = d.find_element(By.XPATH, "//details[.//button[contains(., 'Add goal') or contains(., 'Ziel hinzufügen')]]/summary")
            summary.click()
            form = summary.find_element(By.XPATH, "..//form")
            form.find_element(By.NAME, "title").send_keys(title)
            click_and_load(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
            box = goal_box()
            box.find_element(By.XPATH, ".//details[.//input[@name='unit']]/summary").click()
            kpi = box.find_element(By.XPATH, ".//form[.//input[@name='unit']]")
            for name, value in [("name", "Durchlaufzeit"), ("unit", "Tage"), ("baseline", "12"), ("target", "6")]:
                kpi.find_element(By.NAME, name).send_keys(value)
            d.execute_script("arguments[0].value = arguments[1]", kpi.find_element(By.NAME, "baseline_on"), "2026-01-01")
            d.execute_script("arguments[0].value = arguments[1]", kpi.find_element(By.NAME, "deadline"), "2027-12-31")
            click_and_load(d, kpi.find_element(By.CSS_SELECTOR, "button[type=submit]"))
            box = goal_box()
            record = box.find_element(By.XPATH, ".//form[.//input[@name='value']]")
            record.find_element(By.NAME, "value").send_keys("9")
            click_and_load(d, record.find_element(By.CSS_SELECTOR, "button[type=submit]"))
            box = goal_box()
            assert "50" in box.find_element(By.TAG_NAME, "table").text, "from 12 towards 6, now 9: half way"
            click_and_load(d, box.find_element(By.XPATH, ".//form[.//input[@name='side' and @value='vendor']]//button"))
            assert "✓" in goal_box().text, "the vendor side has agreed"
        check(f"{label}: the CSM sets a goal, gives it a KPI with a measured value and agrees to it", goal_and_kpi)

        def share():
            d.get(state["account"])
            if not d.find_elements(By.ID, "share-url") and not d.find_elements(By.XPATH, "//form[contains(@action,'/share')]"):
                click_and_load(d, d.find_element(By.XPATH, "//form[contains(@action,'/plan')]//button"))
            forms = d.find_elements(By.XPATH, "//form[contains(@action,'/share')]//button")
            errors = " | ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, ".error, .problem, [role=alert]"))
            assert forms, f"no share button on {d.current_url} after creating the plan; errors shown: {errors or 'none'}"
            click_and_load(d, forms[0])
            state["link"] = d.find_element(By.ID, "share-url").text.strip()
            assert "/p/" in state["link"], state["link"]
            d.set_window_size(1280, d.execute_script("return document.body.scrollHeight") + 50)
            shot("41-success-account")
            d.set_window_size(1280, 900)
        check(f"{label}: the CSM shares the success plan and gets its secret link once", share)

        def customer():
            path = state["link"][state["link"].index("/p/"):]
            c = browser()
            try:
                c.set_window_size(390, 900)
                c.get(server.url + path)
                assert title in c.page_source, "the customer sees the goal"
                assert "rapport.example" not in c.page_source, "no internal addresses on the shared page"
                box = c.find_element(By.XPATH, f"//div[contains(@class,'goal')][.//h3[contains(., '{title}')]]")
                box.find_element(By.NAME, "name").send_keys("Anna Huber")
                click_and_load(c, box.find_element(By.CSS_SELECTOR, "button[type=submit]"))
                assert "Anna Huber" in c.find_element(By.XPATH, f"//div[contains(@class,'goal')][.//h3[contains(., '{title}')]]").text
                width = c.execute_script("return document.documentElement.scrollWidth")
                assert width <= 400, f"the shared plan is {width}px wide on a phone"
                c.set_window_size(390, c.execute_script("return document.body.scrollHeight") + 50)
                c.save_screenshot(os.path.join(SHOTS, f"{label}-42-shared-plan-phone.png"))
            finally:
                c.quit()
            d.get(state["account"])
            assert "Anna Huber" in goal_box().text, "the CSM sees the customer's confirmation"
        check(f"{label}: the customer confirms the goal through the shared link on a phone, and the CSM sees it", customer)

        def revoke():
            d.get(state["account"])
            click_and_load(d, d.find_element(By.XPATH, "//form[contains(@action,'/revoke')]//button"))
            path = state["link"][state["link"].index("/p/"):]
            try:
                urllib.request.urlopen(server.url + path, timeout=10)
                raise AssertionError("a revoked link still opens the plan")
            except urllib.error.HTTPError as e:
                assert e.code == 404, e.code
        check(f"{label}: a revoked share link opens nothing", revoke)

        def health():
            d.get(server.url + "/success/health")
            text = d.find_element(By.ID, "backtest-current").text
            assert "AUC" in text and "95 %" in text, text
            d.set_window_size(1280, d.execute_script("return document.body.scrollHeight") + 50)
            shot("43-health-backtest")
            d.set_window_size(1280, 900)
        check(f"{label}: the health page back-tests the model on the demo's history, with an interval", health)
    finally:
        d.quit()


def durability(server, label, binary):
    """Kill the server hard in the middle of response submissions; after a restart every response that got
    a 2xx is stored exactly once."""
    import json, threading
    def run():
        token = server.token("owner")
        # Its own survey: schemathesis, which ran before, may have changed the demo's.
        survey = api(server, token, "POST", "/surveys", {"name": "SIGKILL", "kind": "transactional", "definition": {
            "languages": ["de"], "title": {"de": "SIGKILL"}, "questions": [{"id": "nps", "type": "nps", "text": {"de": "Empfehlen?"}}]}})
        api(server, token, "POST", f"/surveys/{survey['id']}/publish")
        acked, lock, stop = [], threading.Lock(), threading.Event()
        def worker(w):
            n = 0
            while not stop.is_set():
                ext = f"kill-{w}-{n}"
                n += 1
                body = json.dumps({"survey_id": survey["id"], "external_id": ext, "answers": {"nps": n % 11}}).encode()
                req = urllib.request.Request(server.url + "/api/v1/responses", data=body, method="POST",
                                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(req, timeout=5) as r:
                        if 200 <= r.status < 300:
                            with lock:
                                acked.append(ext)
                except Exception:
                    if server.proc.poll() is not None:
                        return
        threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        time.sleep(2.5)
        server.proc.kill()   # SIGKILL: no shutdown, no flush
        server.proc.wait()
        stop.set()
        for t in threads:
            t.join()
        assert len(acked) > 50, f"only {len(acked)} responses were acknowledged before the kill"
        again = Server(binary, server.database_url, schema=server.schema, demo=False)
        try:
            seen, cursor = [], None
            while True:
                page = api(again, token, "GET", f"/responses?survey_id={survey['id']}&limit=500" + (f"&cursor={cursor}" if cursor else ""))
                seen += [r["external_id"] for r in page["items"] if (r.get("external_id") or "").startswith("kill-")]
                cursor = page["next_cursor"]
                if not cursor:
                    break
            missing = set(acked) - set(seen)
            doubled = [x for x in set(seen) if seen.count(x) > 1]
            assert not missing, f"{len(missing)} acknowledged responses are lost, e.g. {sorted(missing)[:5]}"
            assert not doubled, f"stored twice: {doubled[:5]}"
            print(f"     {len(acked)} acknowledged before SIGKILL, {len(seen)} stored, none lost, none twice")
        finally:
            again.stop()
    check(f"{label}: after SIGKILL during response submissions every acknowledged response is stored exactly once", run)


def two_nodes(binary, postgres, mail):
    """Two Rapport nodes on one PostgreSQL deliver every invitation exactly once."""
    def run():
        schema = "e2e_" + uuid.uuid4().hex[:12]
        a = Server(binary, postgres, schema=schema, smtp_port=mail.port)
        b = Server(binary, postgres, schema=schema, smtp_port=mail.port, demo=False)
        try:
            token = a.token("owner")
            survey = api(a, token, "POST", "/surveys", {"name": "Zwei Knoten", "kind": "transactional", "definition": {
                "languages": ["de"], "title": {"de": "Zwei Knoten"}, "questions": [{"id": "nps", "type": "nps", "text": {"de": "Empfehlen?"}}]}})
            api(a, token, "POST", f"/surveys/{survey['id']}/publish")
            api(a, token, "POST", "/triggers", {"name": "zwei", "event_type": "two_nodes", "survey_id": survey["id"], "channel": "email"})
            n = 150
            for i in range(n):
                c = api(b, token, "POST", "/contacts", {"name": f"Knoten Test {i}", "email": f"node{i}@two.example", "external_id": f"node-{i}"})
                api(b, token, "POST", f"/contacts/{c['id']}/consents", {"purpose": "survey", "channel": "email", "status": "granted", "source": "e2e"})
            out = api(a, token, "POST", "/events/batch", {"events": [{"type": "two_nodes", "contact_external_id": f"node-{i}"} for i in range(n)]})
            assert out["accepted"] == n, out
            mine = lambda m: str(m["To"]).endswith("@two.example>") or str(m["To"]).endswith("@two.example")
            end = time.time() + 90
            while time.time() < end and len([m for m in mail.messages() if mine(m)]) < n:
                time.sleep(0.5)
            time.sleep(3)   # anything sent twice would arrive now
            got = [str(m["To"]) for m in mail.messages() if mine(m)]
            assert len(got) == n and len(set(got)) == n, f"{len(got)} e-mails for {n} invitations, {len(set(got))} distinct recipients"
            sent = [i for i in api(a, token, "GET", f"/invitations?survey_id={survey['id']}&status=sent")["items"]]
            assert len(sent) == n, f"{len(sent)} invitations marked sent"
            print(f"     {n} invitations, {len(got)} e-mails, each recipient once, with two nodes claiming")
        finally:
            a.stop()
            b.stop()
    check("postgres: two nodes on one database send each invitation exactly once", run)


def schemathesis(server, label):
    def run():
        token = server.token("owner")
        cmd = [sys.executable, "-m", "schemathesis.cli", "run", server.url + "/api/v1/openapi.json", "-H", f"Authorization: Bearer {token}",
               "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
               "--max-examples", os.environ.get("RAPPORT_FUZZ_EXAMPLES", "20"), "--seed", "1", "--no-color"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        lines = out.stdout.splitlines()
        # The failures section names the operation and the response; the summary alone does not.
        start = next((i for i, l in enumerate(lines) if "FAILURES" in l), max(0, len(lines) - 40))
        tail = "\n".join(lines[start:start + 120])
        if out.returncode != 0:
            raise AssertionError("schemathesis found problems:\n" + tail)
    check(f"{label}: schemathesis finds no 5xx and no response outside the OpenAPI document", run)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--postgres")
    a = p.parse_args()
    os.makedirs(SHOTS, exist_ok=True)
    mail = MailSink()
    targets = [("sqlite", lambda: Server(a.bin, "sqlite:" + os.path.join(tempfile.mkdtemp(), "rapport.sqlite"), smtp_port=mail.port))]
    if a.postgres:
        targets.append(("postgres", lambda: Server(a.bin, a.postgres, schema="e2e_" + uuid.uuid4().hex[:12], smtp_port=mail.port)))
    for label, make in targets:
        try:
            server = make()
        except Exception as e:
            failed.append(label + ": start")
            print(f"FAIL {label}: server start: {e}")
            continue
        stopped = False
        try:
            browser_checks(server, label)
            measurement_checks(server, label)
            success_checks(server, label)
            survey_checks(server, mail, label)
            schemathesis(server, label)
            durability(server, label, a.bin)
            server = Server(a.bin, server.database_url, schema=server.schema, demo=False)
            def shutdown():
                nonlocal stopped
                stopped = True
                code = server.stop()
                assert code == 0, f"exit code {code} after SIGTERM"
            check(f"{label}: the server shuts down cleanly on SIGTERM", shutdown)
        finally:
            if not stopped:
                server.stop()
    if a.postgres:
        two_nodes(a.bin, a.postgres, mail)
    mail.stop()
    with open(os.path.join(HERE, ".last-count"), "w") as f:
        f.write(str(len(passed)))
    print(f"screenshots: {SHOTS}")
    print(f"e2e: {len(passed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
