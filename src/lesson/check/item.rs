//! One entry of a step's `checks:` list: a check and what the lesson says about it besides its kind,
//! written as sibling keys of the kind in the same list item:
//!
//! ```yaml
//! - registry_digest: { image: "{{ repository }}:1.0" }
//!   capture: old_digest        # record what it saw, for later steps as {{ old_digest }}
//!   describe: "`1.0` pushed"   # what "waiting for:" and the report say it expects
//!   hint: "push it again"      # replaces the built-in hint of a failure
//! ```
//!
//! Sibling keys rather than fields inside every kind's mapping: the kinds keep only their own fields
//! (and `deny_unknown_fields`), a new kind gets `hint`, `describe` and `capture` without writing them,
//! and `not:` wraps a plain check while the item's keys say things about the whole. The decoding is by
//! hand (serde cannot derive "one enum key plus known siblings"), but the kind itself still goes
//! through `Check`'s derived `Deserialize`, so unknown kinds keep serde's did-you-mean list and every
//! field keeps its location.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::Check;
use crate::lesson::Sp;

/// What the error for a second kind in one item says it expected; `load` matches it (our own words,
/// not the crate's) to say "two kinds in one list item".
pub const TWO_KINDS: &str = "one check kind per list item";

/// The keys an item may carry besides its kind.
pub const ITEM_KEYS: &[&str] = &["capture", "describe", "hint"];

/// A check as a step lists it.
#[derive(Debug, Clone)]
pub struct CheckItem {
    pub check: Check,
    /// Record the value the check saw when it passes (a digest, a command's output) under this name;
    /// later steps use it as `{{ name }}`.
    pub capture: Option<Sp<String>>,
    /// What the check expects, in the lesson's words (shown as "waiting for:" and as `expected`).
    pub describe: Option<Sp<String>>,
    /// The hint shown when the check fails, instead of the built-in one.
    pub hint: Option<Sp<String>>,
}

impl CheckItem {
    /// A check with nothing said besides it.
    pub fn new(check: Check) -> CheckItem {
        CheckItem {
            check,
            capture: None,
            describe: None,
            hint: None,
        }
    }

    /// Every templated string: the check's own, then `describe` and `hint`.
    pub fn templates(&self) -> Vec<&Sp<String>> {
        let mut all = self.check.templates();
        all.extend(self.describe.iter());
        all.extend(self.hint.iter());
        all
    }
}

impl Deref for CheckItem {
    type Target = Check;
    fn deref(&self) -> &Check {
        &self.check
    }
}

impl<'de> Deserialize<'de> for CheckItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ItemVisitor)
    }
}

struct ItemVisitor;

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = CheckItem;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "a check: one key naming its kind, and optionally `capture`, `describe`, `hint`",
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CheckItem, A::Error> {
        let mut check: Option<Check> = None;
        let (mut capture, mut describe, mut hint) = (None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "capture" => &mut capture,
                "describe" => &mut describe,
                "hint" => &mut hint,
                kind => {
                    if check.is_some() {
                        return Err(de::Error::invalid_value(
                            de::Unexpected::Str(kind),
                            &TWO_KINDS,
                        ));
                    }
                    check = Some(map.next_value_seed(KindSeed(kind.to_string()))?);
                    continue;
                }
            };
            if slot.is_some() {
                return Err(de::Error::duplicate_field(
                    ITEM_KEYS
                        .iter()
                        .find(|k| **k == key)
                        .copied()
                        .unwrap_or("hint"),
                ));
            }
            *slot = Some(map.next_value::<Sp<String>>()?);
        }
        let Some(check) = check else {
            return Err(de::Error::invalid_type(
                de::Unexpected::Map,
                &"a check naming its kind (`- image_exists: {...}`) besides `capture`, `describe` or `hint`",
            ));
        };
        Ok(CheckItem {
            check,
            capture,
            describe,
            hint,
        })
    }
}

/// Decodes the value under a kind's key as that variant of `Check`, through `Check`'s derived
/// `Deserialize` (so its list of kinds, and its errors, stay serde's).
struct KindSeed(String);

impl<'de> DeserializeSeed<'de> for KindSeed {
    type Value = Check;

    fn deserialize<D: Deserializer<'de>>(self, value: D) -> Result<Check, D::Error> {
        Check::deserialize(OneVariant {
            kind: self.0,
            value,
        })
    }
}

/// A deserializer that is an externally tagged enum whose tag was already read.
struct OneVariant<D> {
    kind: String,
    value: D,
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for OneVariant<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        visitor.visit_enum(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        visitor.visit_enum(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

impl<'de, D: Deserializer<'de>> de::EnumAccess<'de> for OneVariant<D> {
    type Error = D::Error;
    type Variant = OneVariantValue<D>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, OneVariantValue<D>), D::Error> {
        let tag: de::value::StringDeserializer<D::Error> = self.kind.into_deserializer();
        Ok((seed.deserialize(tag)?, OneVariantValue(self.value)))
    }
}

/// Every kind is a newtype variant, so only `newtype_variant_seed` is ever asked of the value.
impl<'de, D: Deserializer<'de>> de::VariantAccess<'de> for OneVariantValue<D> {
    type Error = D::Error;
    fn unit_variant(self) -> Result<(), D::Error> {
        Err(de::Error::custom("a check kind needs its fields"))
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, D::Error> {
        seed.deserialize(self.0)
    }
    fn tuple_variant<V: Visitor<'de>>(self, _: usize, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_seq(v)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(v)
    }
}

/// The value under a kind's key, as the variant's content.
struct OneVariantValue<D>(D);

impl JsonSchema for CheckItem {
    fn schema_name() -> Cow<'static, str> {
        "CheckItem".into()
    }

    /// `Check`'s schema (one object per kind, `additionalProperties: false`), with the item's keys
    /// added to every kind's object, so that an editor accepts `capture` beside `registry_digest`.
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = Check::json_schema(generator);
        let text = generator.subschema_for::<String>();
        let keys = json_schema!({
            "capture": {
                "description": "Record what the check saw when it passes (`registry_digest`: the digest; `command`: its standard output, trimmed) under this name; later steps use it as `{{ name }}`. An identifier, not the name of a variable.",
                "allOf": [text.clone()]
            },
            "describe": {
                "description": "What the check expects, in the lesson's words: shown after \"waiting for:\" and as `expected` in reports, instead of the built-in text.",
                "allOf": [text.clone()]
            },
            "hint": {
                "description": "The hint shown when the check fails, instead of the built-in one. May use `{{ name }}`.",
                "allOf": [text]
            }
        });
        let keys = keys.as_object().cloned().unwrap_or_default();
        if let Some(variants) = schema.get_mut("oneOf").and_then(|v| v.as_array_mut()) {
            for variant in variants {
                if let Some(props) = variant
                    .get_mut("properties")
                    .and_then(|p| p.as_object_mut())
                {
                    props.extend(keys.clone());
                }
            }
        }
        schema
    }
}
