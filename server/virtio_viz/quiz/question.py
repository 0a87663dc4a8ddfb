"""A question put to the reader before a step is shown, with the answer the model gives.

A `Question` asks about the outcome of step `step` while the reader stands at step
`step - 1`: everything needed to work the answer out is on screen there (the rings, the
status lights, the features), and showing step `step` reveals it. The answer and the
explanation are read from the model's own event at that step, never written by hand.

Answer types: `number` (an integer), `choice` (one of `choices`), `choices` (a set of
`choices`, order free) and `box` (a click on the diagram: any box id in `answer` is right;
`choices` lists the boxes worth clicking).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AnswerType = Literal["number", "choice", "choices", "box"]
Answer = int | str | tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    step: int
    kind: str
    prompt: str
    answer_type: AnswerType
    answer: Answer
    explanation: str
    spec: str
    choices: tuple[str, ...] = ()
    source: Literal["story", "file", "generated"] = "story"

    @property
    def id(self) -> str:
        return f"{self.kind}@{self.step}"

    def is_right(self, given: object) -> bool:
        """Whether `given` (as it arrives in JSON) is a right answer."""
        if self.answer_type == "number":
            return isinstance(given, int) and not isinstance(given, bool) and given == self.answer
        if self.answer_type == "choice":
            return given == self.answer
        if not isinstance(self.answer, tuple):
            return False
        if self.answer_type == "choices":
            return isinstance(given, list | tuple) and set(given) == set(self.answer)
        return given in self.answer

    def to_json(self) -> dict[str, object]:
        answer = list(self.answer) if isinstance(self.answer, tuple) else self.answer
        return {
            "id": self.id, "step": self.step, "kind": self.kind, "prompt": self.prompt,
            "answer_type": self.answer_type, "choices": list(self.choices), "answer": answer,
            "explanation": self.explanation, "spec": self.spec, "source": self.source,
        }  # fmt: skip
