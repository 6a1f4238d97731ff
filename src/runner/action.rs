//! What a key asks for while a step waits, as rustlings' `InputEvent` is: the step loop matches on
//! an [`Action`], never on a raw key, so the keys are listed in one place (and `screen::help` shows
//! the same ones).

/// One thing the learner can ask for with a single key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `c`: check now and show what was expected and found.
    Check,
    /// `y`: "I did it", for a step only the learner can verify.
    Confirm,
    /// `h`: the next hint.
    Hint,
    /// `s`: the solution, once a check has failed.
    Solution,
    /// `o`: the step's page in a browser.
    Open,
    /// `?`: the list of keys.
    Help,
    /// `q` or `Q`: leave, keeping progress.
    Quit,
}

/// The action of a key, `None` for a key that means nothing here. `y` is an action on every step;
/// on a step that checks itself the answer is to press `c` instead (`StepWait::on_confirm`).
pub fn action(key: char) -> Option<Action> {
    Some(match key {
        'c' => Action::Check,
        'y' => Action::Confirm,
        'h' => Action::Hint,
        's' => Action::Solution,
        'o' => Action::Open,
        '?' => Action::Help,
        'q' | 'Q' => Action::Quit,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_of_the_help_is_an_action_and_others_are_not() {
        assert_eq!(action('c'), Some(Action::Check));
        assert_eq!(action('y'), Some(Action::Confirm));
        assert_eq!(action('h'), Some(Action::Hint));
        assert_eq!(action('s'), Some(Action::Solution));
        assert_eq!(action('o'), Some(Action::Open));
        assert_eq!(action('?'), Some(Action::Help));
        assert_eq!(action('q'), Some(Action::Quit));
        assert_eq!(action('Q'), Some(Action::Quit));
        assert_eq!(action('C'), None);
        assert_eq!(action('x'), None);
    }
}
