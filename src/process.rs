//! Running a program: a lesson's `command` check or setup command, a test-lesson solution line, a
//! `docker-credential-*` helper. Argv, never through a shell, with stdin closed unless the caller gives
//! it bytes, a time limit, the child killed when abandoned, and environment changes given to the child
//! alone ([`Env`]), never made to this process's environment. Callers report a run the same way, so a
//! learner reads one wording: `exited with CODE: LAST STDERR LINE`.

use std::process::{Output, Stdio};
use std::time::Duration;

use tokio::io::AsyncWriteExt;

/// Why a program did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("did not finish within {}s", .0.as_secs())]
    TimedOut(Duration),
    #[error("cannot run `{program}`: {source}")]
    CannotRun {
        program: String,
        source: std::io::Error,
    },
}

/// Changes to the environment a child starts with: variables set or removed, over this process's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env(Vec<(String, Option<String>)>);

impl Env {
    /// Give the child `name=value`.
    pub fn set(mut self, name: &str, value: impl Into<String>) -> Env {
        self.0.push((name.to_string(), Some(value.into())));
        self
    }

    /// Start the child without `name`.
    pub fn remove(mut self, name: &str) -> Env {
        self.0.push((name.to_string(), None));
        self
    }

    /// The value the child sees for `name` when this sets or removes it; `None` when it leaves `name`
    /// as this process has it.
    pub fn get(&self, name: &str) -> Option<Option<&str>> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref())
    }

    fn apply(&self, cmd: &mut tokio::process::Command) {
        for (name, value) in &self.0 {
            match value {
                Some(v) => cmd.env(name, v),
                None => cmd.env_remove(name),
            };
        }
    }
}

/// One program to run. Build it, then [`Command::output`].
#[derive(Debug, Clone)]
pub struct Command<'a> {
    program: &'a str,
    args: &'a [String],
    timeout: Duration,
    env: Option<&'a Env>,
    input: Option<&'a [u8]>,
}

impl<'a> Command<'a> {
    pub fn new(program: &'a str, args: &'a [String], timeout: Duration) -> Command<'a> {
        Command {
            program,
            args,
            timeout,
            env: None,
            input: None,
        }
    }

    /// Start the child with these environment changes.
    pub fn env(mut self, env: &'a Env) -> Command<'a> {
        self.env = Some(env);
        self
    }

    /// Give the child these bytes on stdin (then close it), instead of a closed stdin.
    pub fn input(mut self, bytes: &'a [u8]) -> Command<'a> {
        self.input = Some(bytes);
        self
    }

    /// Run it for at most the time limit, collecting its output.
    pub async fn output(self) -> Result<Output, Error> {
        let mut cmd = tokio::process::Command::new(self.program);
        cmd.args(self.args)
            .stdin(if self.input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(env) = self.env {
            env.apply(&mut cmd);
        }
        let cannot_run = |source| Error::CannotRun {
            program: self.program.to_string(),
            source,
        };
        let run = async {
            let mut child = cmd.spawn().map_err(cannot_run)?;
            if let (Some(bytes), Some(mut stdin)) = (self.input, child.stdin.take()) {
                // A write error means the program exited early; its exit code says why.
                let _ = stdin.write_all(bytes).await;
                drop(stdin);
            }
            child.wait_with_output().await.map_err(cannot_run)
        };
        match tokio::time::timeout(self.timeout, run).await {
            Err(_) => Err(Error::TimedOut(self.timeout)),
            Ok(result) => result,
        }
    }
}

/// Run `program` with `args` for at most `timeout`, collecting its output.
pub async fn run(program: &str, args: &[String], timeout: Duration) -> Result<Output, Error> {
    Command::new(program, args, timeout).output().await
}

/// The exit code (-1 for a signal), then the last line of stderr that says something: usually the
/// reason.
pub fn exit_summary(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let code = output.status.code().unwrap_or(-1);
    if last.is_empty() {
        format!("exited with {code}")
    } else {
        format!("exited with {code}: {last}")
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_child_gets_its_own_environment_and_input() {
        let env = Env::default()
            .set("LEARN_REGISTRY_PROCESS_TEST", "given")
            .remove("HOME");
        let args = [
            "-c".to_string(),
            "read -r line; echo \"$LEARN_REGISTRY_PROCESS_TEST ${HOME:-none} $line\"".to_string(),
        ];
        let output = Command::new("sh", &args, Duration::from_secs(10))
            .env(&env)
            .input(b"typed\n")
            .output()
            .await
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "given none typed\n"
        );
        assert!(std::env::var_os("LEARN_REGISTRY_PROCESS_TEST").is_none());
        assert_eq!(env.get("HOME"), Some(None));
        assert_eq!(env.get("PATH"), None);

        let err = run("sleep", &["5".into()], Duration::from_millis(100))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::TimedOut(_)), "{err}");
    }
}
