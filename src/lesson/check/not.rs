//! `not`: the opposite of any check (`not: { logged_in: {} }` is a logout). A pass of the inner check
//! is a failure, a failure a pass; "could not verify" stays that, since not knowing whether something
//! holds is not knowing whether it does not.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/not.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::{Check, CheckSpec};
use crate::lesson::Sp;

/// The check that must *not* hold, written as a check: `not: { logged_in: {} }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Not(pub Box<Check>);

impl CheckSpec for Not {
    const KIND: &'static str = "not";

    fn templates(&self) -> Vec<&Sp<String>> {
        self.0.templates()
    }

    fn image_refs(&self) -> Vec<&Sp<String>> {
        self.0.image_refs()
    }

    fn patterns(&self) -> Vec<&Sp<String>> {
        self.0.patterns()
    }

    fn remote(&self) -> bool {
        self.0.remote()
    }

    fn describe(&self) -> String {
        format!("not {}", self.0.describe())
    }
}
