//! `image_same`: two local names point to the same image (same image ID).
//!
//! How the check is evaluated; its fields are in `lesson/check/image_same.rs`.

use super::image_exists::short;
use crate::check::diagnose;
use crate::check::{Context, Outcome};
use crate::lesson::check::ImageSame;

impl ImageSame {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        let (wanted, other) = match (ctx.image(&self.image), ctx.image(&self.same_as)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(o), _) | (_, Err(o)) => return o,
        };
        let docker = match ctx.docker().await {
            Ok(d) => d,
            Err(o) => return o,
        };
        let (name, other_name) = (wanted.familiar(), other.familiar());
        let expected = format!("`{name}` names the same image as `{other_name}`");
        let a = match docker.inspect_named(&wanted).await {
            Ok(a) => a,
            Err(e) => return Outcome::from_probe(&e, &expected),
        };
        let b = match docker.inspect_named(&other).await {
            Ok(b) => b,
            Err(e) => return Outcome::from_probe(&e, &expected),
        };
        match (a, b) {
            (Some(a), Some(b)) if a.id == b.id => Outcome::pass(format!(
                "`{name}` and `{other_name}` are image {}",
                short(&a.id)
            )),
            (Some(a), Some(b)) => Outcome::fail(
                expected,
                format!(
                    "`{name}` is image {}, `{other_name}` is image {}",
                    short(&a.id),
                    short(&b.id)
                ),
            )
            .with_hint(format!(
                "tag again: `docker tag {other_name} {name}` moves the name"
            )),
            (None, _) => {
                let o = Outcome::fail(expected, format!("no image `{name}`"));
                match diagnose::missing_local_hint(ctx, &wanted).await {
                    Some(h) => o.with_hint(h),
                    None => o.with_hint(format!("`docker tag {other_name} {name}`")),
                }
            }
            (Some(_), None) => Outcome::fail(expected, format!("no image `{other_name}`"))
                .with_hint(format!(
                    "`{other_name}` is not on this machine: build or pull it first (if the lesson's setup builds it, run the setup again)"
                )),
        }
    }
}
