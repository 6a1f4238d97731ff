//! A quiz: at least two choices, none listed twice, and an answer that is one of them.

use std::collections::BTreeMap;

use super::{Flow, Lint};
use crate::diagnostic::did_you_mean;
use crate::lesson::Sp;
use crate::lesson::model::Quiz;

pub(super) fn quiz(lint: &mut Lint<'_>, quiz: &Quiz) -> Flow {
    if quiz.choices.len() < 2 {
        let d = lint
            .at(
                &quiz.choices,
                "quiz-too-few-choices",
                "a quiz needs at least two choices".into(),
            )
            .label(match quiz.choices.len() {
                0 => "no choices",
                _ => "only one choice",
            })
            .help("add a wrong answer or two, so there is something to choose");
        lint.push(d)?;
    }
    let mut seen: BTreeMap<&str, &Sp<String>> = BTreeMap::new();
    for choice in quiz.choices.iter() {
        if let Some(first) = seen.insert(choice.as_str(), choice) {
            let d = lint
                .at(
                    choice,
                    "quiz-duplicate-choice",
                    format!("choice `{}` is listed twice", **choice),
                )
                .label(format!("first listed on line {}", first.line()));
            lint.push(d)?;
        }
    }
    if quiz
        .choices
        .iter()
        .any(|c| c.as_str() == quiz.answer.as_str())
    {
        return Flow::Continue(());
    }
    let d = lint.at(
        &quiz.answer,
        "quiz-answer-not-a-choice",
        "the quiz's answer is not among its choices".into(),
    );
    let d = match did_you_mean(&quiz.answer, quiz.choices.iter().map(|c| c.as_str())) {
        Some(best) => d.label(format!("did you mean `{best}`?")),
        None => d.help("write the answer exactly as one of `choices`"),
    };
    lint.push(d)
}
