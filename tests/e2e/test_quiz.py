"""Learning by predicting, in the browser: a reader answers the question of the coming
step (right and wrong, a number, a click on the diagram) and sees why; quiz mode keeps
its score across a reload, also in the single-file page from disk; a presenter and three
followers run a poll and the presenter's histogram counts their answers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Console
from tests.e2e.test_visualizer import trace
from virtio_viz.cli import main


def asked(told: dict[str, Any], kind: str, nth: int = 0) -> dict[str, Any]:
    question: dict[str, Any] = [q for q in told["questions"] if q["kind"] == kind][nth]
    return question


def narration(page: Page, told: dict[str, Any], step: int) -> None:
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][step]["narration"])


def wrong_choice(question: dict[str, Any]) -> str:
    choice: str = next(c for c in question["choices"] if c != question["answer"])
    return choice


def test_a_reader_answers_wrong_then_right_and_sees_why(page: Page, server_url: str) -> None:
    told = trace(server_url, "qemu-emulated")
    status = asked(told, "status_bit", 1)
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={status['step']}&open=quiz")
    card = page.locator("vv-quiz")
    expect(card.locator(".prompt")).to_have_text(status["prompt"])
    narration(page, told, status["step"] - 1)  # asked before its step is shown
    card.get_by_role("button", name=wrong_choice(status), exact=True).click()
    expect(card.get_by_role("status")).to_contain_text("Not quite.")
    expect(card.locator(".answer")).to_have_text(status["answer"])
    expect(card.locator(".explanation")).to_have_text(status["explanation"])
    expect(card.get_by_role("link", name=f"virtio-1.2 {status['spec']}")).to_be_visible()
    narration(page, told, status["step"])  # the answer shows the step
    number = asked(told, "avail_idx")
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={number['step']}&open=quiz")
    card.get_by_label("Your answer").fill("banana")
    card.get_by_role("button", name="answer").click()
    expect(card.get_by_role("alert")).to_contain_text("whole number")
    card.get_by_label("Your answer").fill(str(number["answer"]))
    card.get_by_label("Your answer").press("Enter")
    expect(card.get_by_role("status")).to_contain_text("Right!")
    narration(page, told, number["step"])


def test_a_click_on_the_diagram_answers_a_box_question(page: Page, server_url: str) -> None:
    told = trace(server_url, "qemu-emulated")
    lands = asked(told, "kick_lands")
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={lands['step']}&open=quiz")
    expect(page.locator("vv-quiz .prompt")).to_have_text(lands["prompt"])
    box = page.locator(f"vv-diagram g[data-box={lands['answer'][0]}] rect").first
    box.click(position={"x": 8, "y": 8})  # a corner of the box, clear of its label
    expect(page.locator("vv-quiz").get_by_role("status")).to_contain_text("Right!")
    narration(page, told, lands["step"])


def answer_quiz(page: Page, question: dict[str, Any], *, right: bool) -> None:
    card = page.locator("vv-quiz")
    expect(card.locator(".prompt")).to_have_text(question["prompt"])
    given = question["answer"] if right else wrong_choice(question)
    card.get_by_role("button", name=given, exact=True).click()
    expect(card.get_by_role("status")).to_contain_text("Right!" if right else "Not quite.")


def test_quiz_mode_goes_from_question_to_question_and_keeps_the_score(
    page: Page, server_url: str
) -> None:
    told = trace(server_url, "qemu-emulated")
    first, second = told["questions"][:2]
    page.goto(f"{server_url}/?scenario=qemu-emulated&quiz=1")
    narration(page, told, first["step"] - 1)  # straight to the first question
    page.keyboard.press("ArrowRight")  # not past a question before it is answered
    narration(page, told, first["step"] - 1)
    answer_quiz(page, first, right=True)
    narration(page, told, first["step"])
    page.keyboard.press("ArrowRight")  # on to the next question
    narration(page, told, second["step"] - 1)
    answer_quiz(page, second, right=False)
    score = page.locator("vv-quiz .score")
    total = len(told["questions"])
    expect(score).to_have_text(f"1 right of 2 answered · {total} questions")
    page.reload()
    expect(page).to_have_url(re.compile(r"quiz=1"))
    expect(score).to_have_text(f"1 right of 2 answered · {total} questions")
    narration(page, told, second["step"])


def test_quiz_mode_in_the_single_file_page_works_from_disk(
    browser: Browser, tmp_path: Path
) -> None:
    page_file = tmp_path / "story.html"
    assert main(["export", "vhost-net", "--html", str(page_file)]) == 0
    context = browser.new_context(offline=True)
    page = context.new_page()
    console = Console()
    page.on("console", console)
    page.goto(page_file.as_uri() + "?quiz=1")
    card = page.locator("vv-quiz")
    expect(card.locator(".prompt")).to_contain_text("Which status bit")
    card.get_by_role("button", name="ACKNOWLEDGE", exact=True).click()
    expect(card.get_by_role("status")).to_contain_text("Right!")
    expect(card.locator(".score")).to_contain_text("1 right of 1 answered")
    page.reload()
    expect(card.locator(".score")).to_contain_text("1 right of 1 answered")
    context.close()
    assert console.errors == []


def test_a_presenter_and_three_followers_run_a_poll(browser: Browser, server_url: str) -> None:
    told = trace(server_url, "qemu-emulated")
    kick = asked(told, "will_kick")
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}) for _ in range(3)]
    contexts.append(browser.new_context(viewport={"width": 390, "height": 844}))  # a phone
    presenter, *students = (context.new_page() for context in contexts)
    presenter.goto(f"{server_url}/?scenario=qemu-emulated&step={kick['step']}&open=lecture,quiz")
    presenter.get_by_role("button", name="present to a room").click()
    join_url = presenter.locator("vv-lecture a").get_attribute("href")
    assert join_url is not None
    for student in students:
        student.goto(join_url)
        narration(student, told, kick["step"] - 1)
    card = presenter.locator("vv-quiz")
    expect(card.get_by_role("button", name="ask the room (O)")).to_be_visible()
    presenter.locator("vv-narration .text").click()
    presenter.keyboard.press("o")
    for student, given in zip(students, ["yes", "yes", "no"], strict=True):
        student_card = student.locator("vv-quiz")
        expect(student_card.locator(".prompt")).to_have_text(kick["prompt"])
        expect(student_card.locator(".answer")).to_have_count(0)  # not given away
        student_card.get_by_role("button", name=given, exact=True).click()
        expect(student_card.get_by_role("status")).to_contain_text("Your answer is in")
    expect(card.get_by_role("listitem", name="yes: 2")).to_be_visible()
    expect(card.get_by_role("listitem", name="no: 1")).to_be_visible()
    expect(card.locator(".total")).to_have_text("3 answers")
    presenter.keyboard.press("v")
    for page, right in zip(students, [True, True, False], strict=True):
        narration(page, told, kick["step"])
        student_card = page.locator("vv-quiz")
        expect(student_card.locator(".answer")).to_have_text(kick["answer"])
        expect(student_card.get_by_role("status")).to_contain_text(
            "Right!" if right else "Not quite."
        )
        expect(student_card.get_by_role("listitem", name="yes: 2 (right)")).to_be_attached()
    narration(presenter, told, kick["step"])
    for context in contexts:
        context.close()
