//! `image_exists`: a local image name exists in the engine.
//!
//! How the check is evaluated; its fields are in `lesson/check/image_exists.rs`.

use crate::check::diagnose;
use crate::check::{Context, Outcome};
use crate::lesson::check::ImageExists;

impl ImageExists {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        let wanted = match ctx.image(&self.image) {
            Ok(r) => r,
            Err(o) => return o,
        };
        let docker = match ctx.docker().await {
            Ok(d) => d,
            Err(o) => return o,
        };
        let name = wanted.familiar();
        match docker.inspect_named(&wanted).await {
            Ok(Some(info)) => Outcome::pass(format!("image `{name}` ({})", short(&info.id))),
            Ok(None) => {
                let o = Outcome::fail(
                    format!("image `{name}` on this machine"),
                    format!("no image `{name}`"),
                );
                match diagnose::missing_local_hint(ctx, &wanted).await {
                    Some(h) => o.with_hint(h),
                    None => o,
                }
            }
            Err(e) => Outcome::from_probe(&e, &format!("image `{name}`")),
        }
    }
}

/// `sha256:0123456789ab…` → `0123456789ab`, as `docker images` shows IDs.
pub fn short(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    &hex[..hex.len().min(12)]
}
