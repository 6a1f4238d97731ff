//! `image_exists`: a local image name exists in the engine.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::check::diagnose;
use crate::check::{CheckSpec, Context, Outcome};

use crate::lesson::Sp;

/// A local image name exists in the engine.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageExists {
    /// The image reference, e.g. `{{ repository }}:1.0`.
    pub image: Sp<String>,
}

impl CheckSpec for ImageExists {
    const KIND: &'static str = "image_exists";

    fn templates(&self) -> Vec<&Sp<String>> {
        vec![&self.image]
    }

    fn image_refs(&self) -> Vec<&Sp<String>> {
        vec![&self.image]
    }
}

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
        match docker.inspect_image(&name).await {
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
