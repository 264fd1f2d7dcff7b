"""Widgets are driven as a learner would: by setting their values."""

from aipm_course.widgets import widget_check


def test_widget_check_label_follows_the_slider():
    box = widget_check()
    assert box.result.value == "Twice 3 is 6."
    box.slider.value = 7
    assert box.result.value == "Twice 7 is 14."
    box.slider.value = 0
    assert box.result.value == "Twice 0 is 0."
