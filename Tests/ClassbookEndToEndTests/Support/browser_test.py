#!/usr/bin/env python3
"""The web client in a real browser: headless Chromium driven by Selenium (BrowserTests).

Usage: browser_test.py CONFIG.json

The config names the server's web and TLS ports and the people of the scenario. The browser
reaches the web listener through a TCP proxy of this script's, so that the test can cut the
network under the page and restore it. Teachers on the other side are plain TLS IRC clients
(or a second browser, for the teacher who marks through the page). Prints one `OK step` line a
step; any failure prints `FAIL step: why` and exits 1. With "screenshots" in the config, saves
the page at its main moments there (the user guides' pictures: commands/screenshots).
"""
import asyncio
import json
import os
import socket
import ssl
import sys
import threading
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

CONFIG = json.load(open(sys.argv[1], encoding="utf-8"))
STEP = "start"


def step(name):
    global STEP
    STEP = name


def ok(name):
    print(f"OK {name}", flush=True)


def wait(condition, what, timeout=15.0):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # an element not there yet
            last_error = error
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}" + (f" ({last_error})" if last_error else ""))


# MARK: A TCP proxy the test can cut


class Proxy:
    """Forwards 127.0.0.1:port to the web listener; cut() closes every connection and refuses
    new ones (a lost network), restore() listens again."""

    def __init__(self, port, target):
        self.port = port
        self.target = target
        self.loop = asyncio.new_event_loop()
        self.server = None
        self.writers = set()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.call(self.listen())

    def call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    async def listen(self):
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", self.port, reuse_address=True)
        self.port = self.server.sockets[0].getsockname()[1]

    async def handle(self, reader, writer):
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.close()
            return
        self.writers.update([writer, up_writer])

        async def pipe(source, sink):
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.writers.difference_update([writer, up_writer])

    async def _cut(self):
        self.server.close()
        await self.server.wait_closed()
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()

    def cut(self):
        self.call(self._cut())

    def restore(self):
        self.call(self.listen())


# MARK: A plain IRC client over TLS, for the people on the other side


class IRC:
    def __init__(self, login, password):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        raw = socket.create_connection(("127.0.0.1", CONFIG["tlsPort"]), timeout=10)
        self.sock = context.wrap_socket(raw)
        self.buffer = b""
        self.pending = []
        self.login = login
        self.send(f"PASS {login}:{password}")
        self.send("NICK x")
        self.send("USER x 0 * :test")
        self.expect(lambda line: " 001 " in line, "001")
        self.drain(0.5)

    def send(self, line):
        self.sock.sendall((line + "\r\n").encode())

    def lines(self, timeout):
        if self.pending:
            out, self.pending = self.pending, []
            return out
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return []
        if not data:
            raise AssertionError("the server closed the connection")
        self.buffer += data
        *complete, self.buffer = self.buffer.split(b"\r\n")
        out = []
        for raw in complete:
            line = raw.decode()
            if line.startswith("PING "):
                self.send("PONG " + line[5:])
            else:
                out.append(line)
        return out

    def expect(self, predicate, what, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.lines(0.5)
            for index, line in enumerate(got):
                if predicate(line):
                    self.pending = got[index + 1:] + self.pending
                    return line
        raise AssertionError(f"no {what}")

    def drain(self, quiet):
        seen = []
        while True:
            got = self.lines(quiet)
            if not got:
                return seen
            seen += got

    def ask(self, text):
        """The bot's answer to a command: its lines' text."""
        self.send(f"PRIVMSG diary :{text}")
        first = self.expect(lambda line: line.startswith(":diary!"), "an answer from the bot")
        lines = [first] + [line for line in self.drain(0.7) if line.startswith(":diary!")]
        return [line.split(" :", 1)[1] for line in lines]

    def close(self):
        try:
            self.send("QUIT")
            self.sock.close()
        except OSError:
            pass


# MARK: The browser


def browser(width=360, height=740):
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--ignore-certificate-errors", "--lang=ru", f"--window-size={max(width, 500)},{height}"]:
        options.add_argument(argument)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(20)
    return driver


def shot(driver, name):
    directory = CONFIG.get("screenshots")
    if directory:
        os.makedirs(directory, exist_ok=True)
        driver.save_screenshot(os.path.join(directory, name + ".png"))


def no_horizontal_scroll(driver, where):
    width = driver.execute_script("return document.documentElement.scrollWidth")
    inner = driver.execute_script("return window.innerWidth")
    assert inner == 360, f"the window is {inner} px wide, not 360"
    assert width <= inner, f"{where}: the page is {width} px wide in a {inner}-px window"


def log_texts(driver):
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#log .text")]


def button(driver, command):
    return driver.find_element(By.CSS_SELECTOR, f"#commands button[data-command='{command}']")


def online(driver):
    return driver.execute_script("return window.classbook.connection.online")


def unread(driver, target):
    """The unread count shown on a conversation ("" for none); looked up afresh each time, as
    the list is redrawn."""
    badges = driver.find_elements(By.CSS_SELECTOR, f".conversation[data-target='{target}'] .unread")
    return badges[0].text if badges else ""


def open_conversation(driver, target):
    """Clicks the conversation, found afresh until the click lands: the list is redrawn as
    conversations and their history arrive (after a reload, one history after another), and an
    element found just before a redraw is gone when clicked (a stale element)."""
    def click():
        driver.find_element(By.CSS_SELECTOR, f".conversation[data-target='{target}']").click()
        return True
    wait(click, f"the conversation with {target}")


def log_in(driver, login, password, remember):
    driver.get(CONFIG["url"])
    wait(lambda: driver.find_element(By.NAME, "login").is_displayed(), "the login form")
    driver.find_element(By.NAME, "login").send_keys(login)
    driver.find_element(By.NAME, "password").send_keys(password)
    if remember:
        driver.find_element(By.ID, "remember").click()
    driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()


def main():
    guardian, teacher, class_teacher = CONFIG["guardian"], CONFIG["teacher"], CONFIG["classTeacher"]
    child, class_name, subject = CONFIG["child"], CONFIG["className"], CONFIG["subject"]
    proxy = Proxy(0, CONFIG["webPort"])
    CONFIG["url"] = f"https://127.0.0.1:{proxy.port}/"
    page = browser()
    marker = None
    try:
        step("login page")
        page.get(CONFIG["url"])
        wait(lambda: page.find_element(By.NAME, "login").is_displayed(), "the login form")
        labels = {e.get_attribute("for") for e in page.find_elements(By.CSS_SELECTOR, "label[for]")}
        assert {"login", "password", "remember", "message"} <= labels, f"inputs without labels: {labels}"
        no_horizontal_scroll(page, "the login form")
        shot(page, "login")
        ok("login page")

        step("a wrong password")
        log_in(page, guardian["login"], "not-the-password", remember=False)
        wait(lambda: page.find_element(By.ID, "login-error").text.startswith("Неверный логин или пароль"), "the refusal")
        ok("wrong password refused")

        step("one-time password")
        page.find_element(By.NAME, "login").clear()
        page.find_element(By.NAME, "password").clear()
        page.find_element(By.NAME, "login").send_keys(guardian["login"])
        page.find_element(By.NAME, "password").send_keys(guardian["oneTimePassword"])
        page.find_element(By.ID, "remember").click()
        page.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
        wait(lambda: page.find_element(By.ID, "password-view").is_displayed(), "the password change form")
        shot(page, "password")
        page.find_element(By.NAME, "new-password").send_keys("коротко")
        page.find_element(By.NAME, "repeat-password").send_keys("коротко")
        page.find_element(By.CSS_SELECTOR, "#password-form button[type=submit]").click()
        wait(lambda: "не короче 8" in page.find_element(By.ID, "password-error").text, "the length refusal")
        for name in ["new-password", "repeat-password"]:
            page.find_element(By.NAME, name).clear()
            page.find_element(By.NAME, name).send_keys(guardian["newPassword"])
        page.find_element(By.CSS_SELECTOR, "#password-form button[type=submit]").click()
        wait(lambda: page.find_element(By.ID, "chat-view").is_displayed(), "the conversation after the change")
        wait(lambda: any(t.startswith("Пароль изменён") for t in log_texts(page)), "the bot's confirmation")
        wait(lambda: page.execute_script("return localStorage.getItem('classbook.device')"), "the remembered device's token")
        ok("one-time password replaced")

        step("marks")
        wait(lambda: button(page, "marks").is_enabled(), "the marks button")
        buttons = [b.get_attribute("data-command") for b in page.find_elements(By.CSS_SELECTOR, "#commands button")]
        for expected in ["marks", "homework", "schedule", "absences", "remarks", "ack", "consent"]:
            assert expected in buttons, f"no {expected} button: {buttons}"
        assert "mark" not in buttons and "journal" not in buttons, f"a guardian has teacher buttons: {buttons}"
        button(page, "marks").click()
        wait(lambda: any(" — средний " in t for t in log_texts(page)), "the marks")
        no_horizontal_scroll(page, "the conversation with marks")
        shot(page, "marks")
        ok("marks shown")

        step("a teacher marks through the page")
        teacher_page = browser()
        try:
            log_in(teacher_page, teacher["login"], teacher["password"], remember=False)
            wait(lambda: teacher_page.find_element(By.ID, "chat-view").is_displayed(), "the teacher's conversation")
            wait(lambda: button(teacher_page, "mark").is_enabled(), "the mark button")
            assert not teacher_page.find_elements(By.CSS_SELECTOR, "#commands button[data-command='ack']"), "a teacher has the ack button"
            button(teacher_page, "mark").click()
            field = teacher_page.find_element(By.NAME, "message")
            assert field.get_attribute("value") == "/mark ", f"the mark button put {field.get_attribute('value')!r}"
            hint = teacher_page.find_element(By.ID, "usage-hint")
            assert hint.is_displayed() and hint.text.startswith("/mark класс предмет"), f"no usage hint: {hint.text!r}"
            assert "Пример: /mark 7А алгебра Иванов 5" in hint.text, f"no example from the command table: {hint.text!r}"
            field.send_keys(f"{class_name} {subject.split(' ')[0].lower()} 20.11 {child.split(' ')[0]} 5 кр")
            shot(teacher_page, "teacher")
            teacher_page.find_element(By.ID, "send").click()
            wait(lambda: any(t.startswith(f"Записано: {subject}") for t in log_texts(teacher_page)), "the teacher's confirmation")
            assert not teacher_page.find_element(By.ID, "usage-hint").is_displayed(), "the hint stays after sending"
        finally:
            teacher_page.quit()
        ok("teacher marked through the page")

        step("the notification and «Ознакомлен»")
        notification = wait(lambda: [e for e in page.find_elements(By.CSS_SELECTOR, "#log .message")
                                     if e.find_element(By.CSS_SELECTOR, ".text").text.startswith(f"{child}: 5 по предмету")],
                            "the mark's notification")[0]
        ack = notification.find_element(By.CSS_SELECTOR, "button.ack")
        assert ack.text == "Ознакомлен", ack.text
        shot(page, "notification")
        ack.click()
        wait(lambda: any(t.startswith("Записано: вы ознакомились с дневником") for t in log_texts(page)), "the acknowledgement")
        ok("acknowledged")

        step("the class teacher sees the acknowledgement")
        head = IRC(class_teacher["login"], class_teacher["password"])
        acks = head.ask(f"/acks {class_name}")
        assert any(line.startswith(guardian["name"] + ":") for line in acks), f"{acks}"
        ok("class teacher sees it")

        step("a teacher's message, live")
        colleague = IRC(teacher["login"], teacher["password"])
        colleague.send(f"PRIVMSG {guardian['login']} :Здравствуйте! Завтра контрольная по алгебре.")
        wait(lambda: unread(page, teacher["login"]) == "1", "the new conversation with an unread count of 1")
        open_conversation(page, teacher["login"])
        wait(lambda: "Здравствуйте! Завтра контрольная по алгебре." in log_texts(page), "the teacher's message")
        ok("message received live")

        step("offline and back")
        # The family's other device stays connected: what is sent meanwhile reaches it live and
        # is not kept for later, so the page must fetch it (CHATHISTORY).
        family = IRC(guardian["login"], guardian["newPassword"])
        proxy.cut()
        wait(lambda: page.find_element(By.ID, "status").get_attribute("class") == "offline", "the offline status")
        assert not page.find_element(By.NAME, "message").is_enabled(), "the input stays enabled while offline"
        shot(page, "offline")
        colleague.send(f"PRIVMSG {guardian['login']} :Пока вас не было: родительское собрание в четверг.")
        head.send(f"JOIN {CONFIG['board']}")
        head.expect(lambda line: " 366 " in line, "the board's names")
        head.send(f"PRIVMSG {CONFIG['board']} :Объявление, пока вы были не в сети.")
        time.sleep(1)
        proxy.restore()
        wait(lambda: online(page), "the reconnection", timeout=40)
        family.expect(lambda line: "родительское собрание в четверг" in line, "the message on the family's other device")
        wait(lambda: "Пока вас не было: родительское собрание в четверг." in log_texts(page), "the message sent meanwhile")
        open_conversation(page, CONFIG["board"])
        wait(lambda: "Объявление, пока вы были не в сети." in log_texts(page), "the board post made meanwhile (CHATHISTORY)")
        ok("reconnected with what was missed")

        step("unread counts shared by the account's devices")
        colleague.send(f"PRIVMSG {guardian['login']} :Оценки за четверть выставлены.")
        wait(lambda: unread(page, teacher["login"]) == "1", "an unread message")
        # The family's other device reads the conversation: the page's count goes.
        read_until = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 5))
        family.send(f"MARKREAD {teacher['login']} timestamp={read_until}")
        wait(lambda: unread(page, teacher["login"]) == "", "the count read elsewhere")
        ok("read on another device")

        step("a reply in a thread")
        post = wait(lambda: [e for e in page.find_elements(By.CSS_SELECTOR, "#log .message")
                             if "Объявление, пока вы были не в сети." in e.text], "the post")[0]
        post.find_element(By.CSS_SELECTOR, "button.reply").click()
        assert page.find_element(By.ID, "reply-to").is_displayed(), "no reply bar"
        page.find_element(By.NAME, "message").send_keys("Спасибо, будем.")
        page.find_element(By.ID, "send").click()
        reply = wait(lambda: [e for e in page.find_elements(By.CSS_SELECTOR, "#log .message.in-thread")
                              if "Спасибо, будем." in e.text], "the reply shown in the thread")[0]
        assert "в ответ на" in reply.text and class_teacher["login"] in reply.text, reply.text
        head.expect(lambda line: "Спасибо, будем." in line, "the reply on the board")
        ok("thread reply")

        step("a remembered device")
        page.get(CONFIG["url"])
        wait(lambda: online(page), "the token login")
        wait(lambda: page.find_element(By.ID, "chat-view").is_displayed() and button(page, "marks").is_enabled(), "the conversation")
        marker = page.execute_script("return JSON.parse(localStorage.getItem('classbook.device')).token")
        assert marker.startswith("cbt-"), marker
        # A fresh page finds its conversations again (CHATHISTORY TARGETS, then each one's history).
        open_conversation(page, teacher["login"])
        wait(lambda: "Пока вас не было: родительское собрание в четверг." in log_texts(page), "the conversation after a reload")
        ok("token login works")

        step("a revoked token")
        listing = family.ask("/sessions")
        assert any("web Chrome" in line for line in listing), f"the token is not listed: {listing}"
        revoked = family.ask("/sessions revoke 1")
        assert revoked and "отозван" in revoked[0], f"{revoked}"
        page.get(CONFIG["url"])
        wait(lambda: page.find_element(By.ID, "login-view").is_displayed(), "the login form after the revocation")
        wait(lambda: "больше не действует" in page.find_element(By.ID, "login-error").text, "the reason")
        assert page.find_element(By.NAME, "login").get_attribute("value") == guardian["login"]
        ok("revoked token refused")

        step("English")
        page.find_element(By.ID, "lang-switch").click()
        wait(lambda: page.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").text == "Log in", "English labels")
        assert page.execute_script("return document.documentElement.lang") == "en"
        ok("language switch")
        for driver_log in page.get_log("browser"):
            # Refused connections while the network was cut are expected; nothing else is.
            expected = "ERR_CONNECTION_REFUSED" in driver_log["message"] and "/socket" in driver_log["message"]
            if driver_log["level"] == "SEVERE" and not expected:
                raise AssertionError(f"browser error: {driver_log['message']}")
        ok("no browser errors")
        for client in [head, colleague, family]:
            client.close()
    finally:
        page.quit()


if __name__ == "__main__":
    try:
        main()
    except Exception as error:
        print(f"FAIL {STEP}: {error}", flush=True)
        sys.exit(1)
