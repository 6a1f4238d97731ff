//! `container_ran`: a container from an image ran since the step began, stopped with the exit code
//! asked for, and printed the text asked for.
//!
//! How the check is evaluated; its fields are in `lesson/check/container_ran.rs`. Two sources are put
//! together, since neither sees everything: the engine's container events (`start`, `die` with its
//! exit code, `destroy`) still know a container that `docker run --rm` removed, and the engine's
//! containers (listed and inspected) still know one whose events have left the engine's short window.
//! The output comes from the container's logs, which exist only as long as the container does: for a
//! removed container the output cannot be verified, and the check says so (Unknown) instead of passing
//! on the exit code alone or failing a learner who did run it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::check::{Context, Outcome};
use crate::lesson::check::ContainerRan;
use crate::probe::docker::{ContainerAction, ContainerInfo};
use crate::text;

/// Without a step start (a one-off `check`), look this far back.
const DEFAULT_WINDOW: chrono::Duration = chrono::Duration::hours(24);

/// How much of a container's output a message quotes.
const QUOTED: usize = 60;

/// One container that started from the image since the step began, as the two sources tell it.
#[derive(Debug, Default)]
struct Seen {
    name: Option<String>,
    started: Option<DateTime<Utc>>,
    /// From the `die` event, until inspect says better.
    exit_code: Option<i64>,
    running: bool,
    /// `destroy` was seen, or the engine no longer has it.
    removed: bool,
    /// The engine still has it.
    info: Option<ContainerInfo>,
}

/// What one container says about the check.
enum Verdict {
    Pass(String),
    /// The exit code fits, but the output is gone with the container.
    Removed(String),
    Fail(String),
}

impl ContainerRan {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        let wanted = match ctx.image(&self.image) {
            Ok(r) => r,
            Err(o) => return o,
        };
        let text = match self.output_contains.as_ref().map(|t| ctx.render(t)) {
            Some(Err(o)) => return o,
            Some(Ok(t)) => Some(t),
            None => None,
        };
        let docker = match ctx.docker().await {
            Ok(d) => d,
            Err(o) => return o,
        };
        let name = wanted.familiar();
        let expected = self.expected(&name, text.as_deref());
        // The image's ID, to count `docker run <ID>` and containers whose name went to a newer image.
        let image_id = match docker.inspect_named(&wanted).await {
            Ok(info) => info.map(|i| i.id),
            Err(e) => return Outcome::from_probe(&e, &expected),
        };
        let now = Utc::now();
        let since = ctx.since.unwrap_or(now - DEFAULT_WINDOW);
        let events = match docker.container_events_since(since, now).await {
            Ok(e) => e,
            Err(e) => return Outcome::from_probe(&e, &expected),
        };
        let listed = match docker.containers_from(&wanted, image_id.as_deref()).await {
            Ok(l) => l,
            Err(e) => return Outcome::from_probe(&e, &expected),
        };

        let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
        for event in events
            .iter()
            .filter(|e| e.is_from(&wanted, image_id.as_deref()))
        {
            let s = seen.entry(event.id.clone()).or_default();
            s.name = s.name.take().or(event.name.clone());
            match event.action {
                ContainerAction::Start => s.started = Some(event.time),
                ContainerAction::Die => s.exit_code = event.exit_code.or(s.exit_code),
                ContainerAction::Destroy => s.removed = true,
                ContainerAction::Other(_) => {}
            }
        }
        // Events of containers that started before the step say nothing about this one.
        seen.retain(|_, s| s.started.is_some());
        for info in listed {
            if info.started_at.is_some_and(|t| t >= since) || seen.contains_key(&info.id) {
                let s = seen.entry(info.id.clone()).or_default();
                s.started = s.started.or(info.started_at);
                s.name = Some(info.name.clone());
                s.exit_code = info.exit_code;
                s.running = info.running;
                s.removed = false;
                s.info = Some(info);
            }
        }
        for s in seen.values_mut() {
            // Started in the window but not listed: gone, even if its `destroy` is not in the window
            // yet (and a list of `all` does not drop a container that still exists).
            if s.info.is_none() {
                s.removed = true;
            }
        }

        let mut containers: Vec<(String, Seen)> = seen.into_iter().collect();
        containers.sort_by_key(|(_, s)| std::cmp::Reverse(s.started));
        let mut verdicts = Vec::new();
        for (id, s) in &containers {
            let v = self.judge(ctx, id, s, text.as_deref()).await;
            match v {
                Ok(Verdict::Pass(saw)) => return Outcome::pass(saw),
                Ok(v) => verdicts.push(v),
                Err(o) => return o,
            }
        }
        let removed = verdicts.iter().find_map(|v| match v {
            Verdict::Removed(why) => Some(why.clone()),
            _ => None,
        });
        if let Some(why) = removed {
            // Unknown carries no hint, so the way out goes in the reason.
            return Outcome::unknown(format!(
                "{why}; run it once more without `--rm` (`docker run {name}`), so that its output \
                 stays to be checked"
            ));
        }
        let actual = match verdicts.first() {
            Some(Verdict::Fail(why)) => why.clone(),
            _ => format!(
                "no container from `{name}` started since {}",
                since.with_timezone(&chrono::Local).format("%H:%M:%S")
            ),
        };
        let hint = match (verdicts.is_empty(), image_id.is_some()) {
            (true, true) => format!("run `docker run {name}`"),
            (true, false) => format!(
                "there is no image `{name}` on this machine yet: pull it first, then run it"
            ),
            (false, _) => "read what the container printed with `docker logs CONTAINER` (`docker ps -a` lists them)".to_string(),
        };
        Outcome::fail(expected, actual).with_hint(hint)
    }

    fn expected(&self, name: &str, text: Option<&str>) -> String {
        let mut out = format!("a container from `{name}` started since the step began");
        if let Some(code) = self.exit_code {
            out.push_str(&format!(", exiting with {code}"));
        }
        if let Some(text) = text {
            out.push_str(&format!(", printing `{}`", text::line(text.trim())));
        }
        out
    }

    /// Does this one container pass? `Err` when its logs could not be read.
    async fn judge(
        &self,
        ctx: &Context,
        id: &str,
        s: &Seen,
        text: Option<&str>,
    ) -> Result<Verdict, Outcome> {
        let who = format!(
            "container `{}`",
            text::line(s.name.as_deref().unwrap_or(&id[..id.len().min(12)]))
        );
        let ended = match (s.running, s.exit_code) {
            (true, _) => "is still running".to_string(),
            (false, Some(code)) => format!("exited with {code}"),
            (false, None) => "stopped".to_string(),
        };
        if let Some(code) = self.exit_code {
            if s.running {
                return Ok(Verdict::Fail(format!("{who} {ended}")));
            }
            if s.exit_code != Some(code) {
                return Ok(Verdict::Fail(format!("{who} {ended}")));
            }
        }
        let at = s
            .started
            .map(|t| {
                format!(
                    " (started {})",
                    t.with_timezone(&chrono::Local).format("%H:%M:%S")
                )
            })
            .unwrap_or_default();
        let Some(text) = text else {
            return Ok(Verdict::Pass(format!("{who} {ended}{at}")));
        };
        let output = if s.removed {
            None
        } else {
            let docker = ctx.docker().await?;
            docker
                .container_output(id)
                .await
                .map_err(|e| Outcome::from_probe(&e, "the container's output"))?
        };
        match output {
            None => Ok(Verdict::Removed(format!(
                "{who} {ended}{at}, but it was removed (`docker run --rm`), and its output with it: \
                 whether it printed `{}` cannot be checked",
                text::line(text.trim())
            ))),
            Some(out) if out.contains(text) => Ok(Verdict::Pass(format!(
                "{who} {ended}{at} and printed `{}`",
                text::line(text.trim())
            ))),
            Some(out) => Ok(Verdict::Fail(format!(
                "{who} {ended}{at} and printed {}",
                quote(&out)
            ))),
        }
    }
}

/// The start of a container's output, on one line, for a message.
fn quote(output: &str) -> String {
    let trimmed = output.trim();
    if trimmed.is_empty() {
        return "nothing".to_string();
    }
    let mut cut: String = trimmed.chars().take(QUOTED).collect();
    if cut.len() < trimmed.len() {
        cut.push('…');
    }
    format!("`{}`", text::line(&cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_quoted_short_and_on_one_line() {
        assert_eq!(quote("  \n"), "nothing");
        assert_eq!(quote("Hello from bob!\n"), "`Hello from bob!`");
        let long = quote(&format!("a\n{}", "b".repeat(100)));
        assert!(
            long.starts_with("`a\\nbbb") && long.ends_with("…`"),
            "{long}"
        );
        assert!(!quote("\x1b[31mred").contains('\x1b'));
    }

    #[test]
    fn expected_names_each_condition() {
        let check: ContainerRan = serde_saphyr::from_str(
            "{ image: bob/app:1.0, exit_code: 0, output_contains: \"Hello\" }",
        )
        .unwrap();
        assert_eq!(
            check.expected("bob/app:1.0", Some("Hello\n")),
            "a container from `bob/app:1.0` started since the step began, exiting with 0, \
             printing `Hello`"
        );
    }
}
