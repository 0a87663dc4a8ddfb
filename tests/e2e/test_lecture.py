"""A lecture: the presenter opens a room, three students follow every move; one steps
away to explore and stops following."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_visualizer import trace


def test_three_followers_stay_on_the_presenters_step(browser: Browser, server_url: str) -> None:
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}) for _ in range(4)]
    presenter, *students = (context.new_page() for context in contexts)
    told = trace(server_url, "qemu-emulated")
    presenter.goto(f"{server_url}/?scenario=qemu-emulated&step=5&open=lecture")
    expect(presenter.locator("vv-narration .text")).to_have_text(told["steps"][4]["narration"])
    presenter.get_by_role("button", name="present to a room").click()
    link = presenter.locator("vv-lecture a")
    expect(link).to_have_attribute("href", re.compile(r"\?room=[A-Z2-9]{6}$"))
    expect(presenter.get_by_role("img", name="QR code of the join link")).to_be_visible()
    join_url = link.get_attribute("href")
    assert join_url is not None
    for student in students:
        student.goto(join_url)
        expect(student.locator("vv-narration .text")).to_have_text(told["steps"][4]["narration"])

    def all_on(step: int) -> None:
        for page in (presenter, *students):
            expect(page.locator("vv-narration .text")).to_have_text(
                told["steps"][step]["narration"]
            )

    drifter = students[1]  # a follower's keys do not move it away from the presenter
    drifter.keyboard.press("ArrowRight")
    told_why = drifter.get_by_role("status").filter(has_text="The presenter moves this page")
    expect(told_why.get_by_role("button", name="explore on my own")).to_be_visible()
    all_on(4)  # the key was handled (the page said why) and moved nothing
    expect(drifter.locator("header")).to_contain_text("following the presenter")

    for _ in range(10):
        presenter.keyboard.press("ArrowRight")
    all_on(14)
    presenter.locator("vv-timeline input[type=range]").fill("200")
    all_on(200)
    presenter.locator("vv-narration .text").click()  # leave the slider: keys go to the page
    presenter.keyboard.press("]")
    chapter = next(c for c in told["chapters"] if c["first_step"] > 200)
    all_on(chapter["first_step"])

    drifter = students[1]  # a follower's keys do not move it away from the presenter
    drifter.keyboard.press("ArrowRight")
    expect(
        drifter.get_by_role("status").filter(has_text="The presenter moves this page")
    ).to_be_visible()
    all_on(chapter["first_step"])
    expect(drifter.locator("header")).to_contain_text("following the presenter")

    loner = students[0]
    loner.get_by_role("button", name="explore on my own").click()
    expect(loner.get_by_role("button", name="follow the presenter again")).to_be_visible()
    loner.keyboard.press("ArrowRight")
    expect(loner.locator("vv-narration .text")).to_have_text(
        told["steps"][chapter["first_step"] + 1]["narration"]
    )
    presenter.keyboard.press("End")
    last = told["step_count"] - 1
    for page in (presenter, *students[1:]):
        expect(page.locator("vv-narration .text")).to_have_text(told["steps"][last]["narration"])
    expect(loner.locator("vv-narration .text")).to_have_text(
        told["steps"][chapter["first_step"] + 1]["narration"]
    )
    for context in contexts:
        context.close()


def test_speaker_notes_follow_the_presenters_page(page: Page, server_url: str) -> None:
    told = trace(server_url, "qemu-emulated")
    page.goto(f"{server_url}/?scenario=qemu-emulated&step=10&open=lecture")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][9]["narration"])
    with page.expect_popup() as opened:
        page.get_by_role("button", name="open speaker notes").click()
    notes = opened.value
    expect(notes.get_by_label("now")).to_have_text(told["steps"][9]["narration"])
    expect(notes.get_by_label("next")).to_have_text("Next: " + told["steps"][10]["narration"])
    page.bring_to_front()
    page.keyboard.press("ArrowRight")
    expect(notes.get_by_label("now")).to_have_text(told["steps"][10]["narration"])
