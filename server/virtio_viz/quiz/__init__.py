"""Questions for the reader: predict the next step, checked by the model itself."""

from virtio_viz.quiz.kinds import KINDS, Kind
from virtio_viz.quiz.question import Question
from virtio_viz.quiz.select import questions_for, resolve

__all__ = ["KINDS", "Kind", "Question", "questions_for", "resolve"]
