//! What the runner waits on, as one stream of [`WatchEvent`]s (like rustlings' `WatchEvent`): image
//! events from the engine, a slow poll tick, key presses, and Ctrl-C. Each source is a task or thread
//! that sends into one tokio channel, so the step loop is a single `recv().await`.
//!
//! The engine may stop mid-lesson (a laptop's Docker Desktop restarting, the lab's `stop-engine`). The
//! event task then says so once (`EngineDown`), retries with backoff, and says `EngineUp` when a new
//! subscription stands, replaying from the last event it saw so that nothing done meanwhile is missed.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tokio::sync::mpsc::Sender;
use tokio::task::JoinHandle;

use crate::probe::DockerProbe;
use crate::probe::docker::ImageEvent;

/// How often the step's checks run when nothing happens (checks no event reveals: Docker Hub, a
/// registry changed from elsewhere).
pub const POLL_EVERY: Duration = Duration::from_secs(5);
const BACKOFF_FIRST: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// Something the step loop should react to.
#[derive(Debug)]
pub enum WatchEvent {
    /// `docker tag`, `push`, `pull`, `rmi`…: re-check now.
    Image(ImageEvent),
    /// The engine cannot be reached (and why); the event task keeps retrying.
    EngineDown(String),
    /// The engine answers again.
    EngineUp,
    /// The slow poll.
    Tick,
    /// A character key pressed (`crate::runner::action` says what it asks for).
    Key(char),
    /// Ctrl-C.
    Interrupt,
}

/// Follow the engine's image events from `since`, with reconnects. Aborting the task stops it.
pub fn engine_events(since: DateTime<Utc>, tx: Sender<WatchEvent>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut since = since;
        let mut backoff = BACKOFF_FIRST;
        let mut down = false;
        loop {
            let probe = match DockerProbe::connect().await {
                Ok(p) => p,
                Err(e) => {
                    if !down {
                        down = true;
                        if tx
                            .send(WatchEvent::EngineDown(e.to_string()))
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                    continue;
                }
            };
            if down && tx.send(WatchEvent::EngineUp).await.is_err() {
                return;
            }
            backoff = BACKOFF_FIRST;
            let mut events = Box::pin(probe.image_events(Some(since)));
            let reason = loop {
                match events.next().await {
                    Some(Ok(event)) => {
                        since = since.max(event.time);
                        if tx.send(WatchEvent::Image(event)).await.is_err() {
                            return;
                        }
                    }
                    Some(Err(e)) => break e.to_string(),
                    None => break "the engine closed its event stream".to_string(),
                }
            };
            // Whatever ended this subscription, the engine is gone until a connect succeeds.
            down = true;
            if tx.send(WatchEvent::EngineDown(reason)).await.is_err() {
                return;
            }
            tokio::time::sleep(backoff).await;
        }
    })
}

/// A `Tick` every `every`, first after one period.
pub fn ticks(every: Duration, tx: Sender<WatchEvent>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            // A full channel means the loop is busy anyway; a tick more or less does not matter.
            if tx.try_send(WatchEvent::Tick).is_err() && tx.is_closed() {
                return;
            }
        }
    })
}

/// Ctrl-C as an event (installed once per session; the default handler no longer kills us, so every
/// wait must listen for it).
pub fn interrupts(tx: Sender<WatchEvent>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            if tx.send(WatchEvent::Interrupt).await.is_err() {
                return;
            }
        }
    })
}
