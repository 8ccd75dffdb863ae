//! Rules for `schedule`: the workshop ends after it starts.

use super::Rules;
use crate::diagnostic::Code;
use crate::parse::Step;

impl Rules<'_> {
    pub(super) fn schedule(&mut self) {
        let Some(schedule) = &self.spec.schedule else {
            return;
        };
        if schedule.end.unix() <= schedule.start.unix() {
            let diagnostic = self
                .error(
                    Code::ScheduleOrder,
                    self.value(&[Step::Key("schedule"), Step::Key("end")]),
                    format!(
                        "the schedule ends at {} but starts at {}",
                        schedule.end, schedule.start
                    ),
                )
                .label("the end is not after the start")
                .secondary(
                    self.value(&[Step::Key("schedule"), Step::Key("start")]),
                    "start",
                )
                .help("make `schedule.end` a later time than `schedule.start`");
            self.out.push(diagnostic);
        }
    }
}
