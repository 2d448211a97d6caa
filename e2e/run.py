#!/usr/bin/env python3
"""End-to-end checks against live Rapport servers: a real Chromium driven by Selenium clicks through the
demo as a newcomer would (and saves screenshots to look at), then schemathesis fuzzes the API from its
own OpenAPI document. Runs once on SQLite and once on PostgreSQL. Prints one line per check."""
import argparse, os, random, shutil, signal, subprocess, sys, tempfile, time, urllib.request, uuid

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
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)


class Server:
    def __init__(self, binary, database_url, schema=None):
        self.dir = tempfile.mkdtemp(prefix="rapport-e2e-")
        self.port = random.randint(20000, 40000)
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, RAPPORT_DATABASE_URL=database_url, RAPPORT_LOG_LEVEL="warning")
        if schema:
            self.env["RAPPORT_DATABASE_SCHEMA"] = schema
        self.binary = binary
        self.log = open(os.path.join(self.dir, "serve.log"), "w")
        self.proc = subprocess.Popen([binary, "serve", "--demo", "--port", str(self.port)], env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(240):
            try:
                urllib.request.urlopen(self.url + "/health", timeout=2)
                return
            except Exception:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.5)
        raise RuntimeError("server did not start: " + open(self.log.name).read()[-2000:])

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
            d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "main table"))
            assert d.current_url.endswith("/accounts"), d.current_url
        check(f"{label}: log in with the demo login and land where you wanted to go", login)

        def find_account():
            box = d.find_element(By.ID, "q")
            box.clear()
            box.send_keys("GmbH")
            d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
            wait.until(lambda d: "q=GmbH" in d.current_url)
            rows = d.find_elements(By.CSS_SELECTOR, "main tbody tr")
            assert len(rows) > 0, "searching GmbH in the demo finds accounts"
            shot("02-accounts")
            link = rows[0].find_element(By.TAG_NAME, "a")
            name = link.text
            link.click()
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
            d.find_element(By.ID, "start-import").click()
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
            d.find_element(By.CSS_SELECTOR, "form[action='/journeys'] button[type=submit]").click()
            wait.until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "E2E Onboarding")
            for phase in ("Sign up", "First login"):
                d.find_element(By.ID, "phase-name").send_keys(phase)
                d.find_element(By.CSS_SELECTOR, "form[action$='/phases'] button[type=submit]").click()
                wait.until(lambda d: phase in d.find_element(By.CSS_SELECTOR, ".map thead").text)
            d.find_element(By.ID, "tp-name").send_keys("E-mail: Welcome")
            Select(d.find_element(By.ID, "tp-channel")).select_by_value("email")
            Select(d.find_element(By.ID, "tp-phase")).select_by_visible_text("2. First login")
            d.find_element(By.CSS_SELECTOR, "form[action$='/touchpoints'] button[type=submit]").click()
            wait.until(lambda d: d.find_elements(By.LINK_TEXT, "E-mail: Welcome"))
            head = [th.text for th in d.find_elements(By.CSS_SELECTOR, ".map thead th")]
            row = [td.text for td in d.find_elements(By.CSS_SELECTOR, ".map tbody tr")[0].find_elements(By.CSS_SELECTOR, "th, td")]
            assert head[1:] == ["1. Sign up", "2. First login"], head
            assert row[0] == "E-mail" and row[2].startswith("E-mail: Welcome") and row[1] == "", row
            # A phase position that leaves a gap is refused with the field and the reason.
            d.find_element(By.ID, "phase-name").send_keys("Far away")
            # The browser's own max= check would stop this; the server must refuse it too.
            d.execute_script("var e = document.getElementById('phase-position'); e.removeAttribute('max'); e.value = '9'")
            d.find_element(By.CSS_SELECTOR, "form[action$='/phases'] button[type=submit]").click()
            alert = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".alert"))
            assert "position" in alert.text and "gap" in alert.text, alert.text
            d.find_element(By.LINK_TEXT, "E-mail: Welcome").click()
            wait.until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "E-mail: Welcome")
            Select(d.find_element(By.ID, "relevance")).select_by_value("5")
            Select(d.find_element(By.ID, "quality")).select_by_value("2")
            d.find_element(By.CSS_SELECTOR, "form[action$='/assessments'] button[type=submit]").click()
            wait.until(lambda d: "Fix first" in d.find_element(By.TAG_NAME, "main").text)
            # A real screenshot as the touchpoint's illustration, and a text file posing as an image.
            d.find_element(By.ID, "file").send_keys(os.path.join(SHOTS, f"{label}-01-login.png"))
            d.find_element(By.CSS_SELECTOR, "form[action$='/files'] button[type=submit]").click()
            thumb = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "img.thumb"))
            assert d.execute_script("return arguments[0].naturalWidth", thumb) > 100, "the uploaded screenshot is served back as an image"
            fake = os.path.join(tempfile.mkdtemp(), "fake.png")
            with open(fake, "w") as f:
                f.write("not really a picture")
            d.find_element(By.ID, "file").send_keys(fake)
            d.find_element(By.CSS_SELECTOR, "form[action$='/files'] button[type=submit]").click()
            alert = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".alert"))
            assert "fake.png" in alert.text and "but its content is" in alert.text, alert.text
            shot("07-touchpoint")
            d.get(server.url + "/journeys")
            d.find_element(By.LINK_TEXT, "Schadenmeldung und Regulierung").click()
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
            d.find_element(By.ID, "start-import").click()
            text = wait.until(lambda d: d.find_element(By.ID, "import-report")).text
            assert "'fax' is not a channel" in text and "3" in text, text
        check(f"{label}: matrix, grouped registry, maturity, and a touchpoint import with an unknown channel", matrix_and_registry)

        def german():
            d.get(server.url + "/settings")
            d.find_element(By.CSS_SELECTOR, "#locale option[value=de]").click()
            d.find_element(By.CSS_SELECTOR, "form[action='/settings/language'] button").click()
            wait.until(lambda d: "Sprache der Oberfläche" in d.page_source)
            d.get(server.url + "/")
            shot("06-home-de")
            assert "Anstehende Verlängerungen" in d.page_source
            d.get(server.url + "/journeys")
            d.find_element(By.LINK_TEXT, "Schadenmeldung und Regulierung").click()
            wait.until(lambda d: "Emotionskurve" in d.page_source and "Telefon" in d.find_element(By.CSS_SELECTOR, ".map tbody").text)
            shot("13-journey-map-de")
        check(f"{label}: switch the interface to German", german)
    finally:
        d.quit()


def schemathesis(server, label):
    def run():
        token = server.token("owner")
        cmd = [sys.executable, "-m", "schemathesis.cli", "run", server.url + "/api/v1/openapi.json", "-H", f"Authorization: Bearer {token}",
               "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
               "--max-examples", os.environ.get("RAPPORT_FUZZ_EXAMPLES", "25"), "--seed", "1", "--no-color"]
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
    targets = [("sqlite", lambda: Server(a.bin, "sqlite:" + os.path.join(tempfile.mkdtemp(), "rapport.sqlite")))]
    if a.postgres:
        targets.append(("postgres", lambda: Server(a.bin, a.postgres, schema="e2e_" + uuid.uuid4().hex[:12])))
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
            schemathesis(server, label)
            def shutdown():
                nonlocal stopped
                stopped = True
                code = server.stop()
                assert code == 0, f"exit code {code} after SIGTERM"
            check(f"{label}: the server shuts down cleanly on SIGTERM", shutdown)
        finally:
            if not stopped:
                server.stop()
    with open(os.path.join(HERE, ".last-count"), "w") as f:
        f.write(str(len(passed)))
    print(f"screenshots: {SHOTS}")
    print(f"e2e: {len(passed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
