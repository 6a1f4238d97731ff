//! `Sp<T>`: a value from a lesson file together with where it stood in the file.
//!
//! serde-saphyr's `Spanned<T>` records the location; this thin wrapper exists so the lesson model can
//! also derive a JSON Schema (a foreign trait cannot be implemented on a foreign type) and so the rest of
//! the code can read values through `Deref` without caring about locations.

use std::borrow::Cow;
use std::ops::Deref;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};
use serde_saphyr::{Location, Spanned};

/// A value and its location in the YAML source (1-based line and column, byte span when known).
#[derive(Clone)]
pub struct Sp<T> {
    pub value: T,
    pub loc: Location,
}

impl<T> Sp<T> {
    /// A value that did not come from a file (built in code, or a command-line variable).
    pub fn synthetic(value: T) -> Self {
        Sp {
            value,
            loc: Location::UNKNOWN,
        }
    }

    pub fn line(&self) -> u64 {
        self.loc.line()
    }

    pub fn column(&self) -> u64 {
        self.loc.column()
    }

    /// The byte range of the node in the source, when the source was a string (it always is here).
    pub fn byte_range(&self) -> Option<std::ops::Range<usize>> {
        let span = self.loc.span();
        let start = span.byte_offset()? as usize;
        let len = span.byte_len().unwrap_or(0) as usize;
        Some(start..start + len)
    }
}

impl<T> Deref for Sp<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Sp<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: PartialEq> PartialEq for Sp<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sp<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<T>::deserialize(deserializer)?;
        Ok(Sp {
            value: spanned.value,
            loc: spanned.referenced,
        })
    }
}

impl<T: serde::Serialize> serde::Serialize for Sp<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<T: JsonSchema> JsonSchema for Sp<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

impl<T: std::fmt::Display> std::fmt::Display for Sp<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}
