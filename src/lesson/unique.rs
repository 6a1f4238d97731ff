//! Mappings of a lesson whose keys are names (`variables:`, a build's `files:`), decoded so that a
//! name written twice is an error rather than the last one silently winning.
//!
//! The strict read of `load` already refuses a repeated key itself, with a message that points at
//! both; its quick first read hands repeated keys to the visitors instead (see `load::first_options`),
//! and this visitor's refusal is what sends such a file to the strict read.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::lesson::Sp;

/// A map of names: `insert` says what the key held before, if anything.
pub trait NamedMap: Default {
    type Value;
    fn insert(&mut self, key: String, value: Self::Value) -> Option<Self::Value>;
}

impl<V> NamedMap for IndexMap<String, V> {
    type Value = V;
    fn insert(&mut self, key: String, value: V) -> Option<V> {
        IndexMap::insert(self, key, value)
    }
}

impl<V> NamedMap for BTreeMap<String, V> {
    type Value = V;
    fn insert(&mut self, key: String, value: V) -> Option<V> {
        BTreeMap::insert(self, key, value)
    }
}

/// `M`, decoded from a mapping whose keys all differ.
pub struct Unique<M>(pub M);

impl<'de, M> Deserialize<'de> for Unique<M>
where
    M: NamedMap,
    M::Value: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(UniqueVisitor(PhantomData))
    }
}

struct UniqueVisitor<M>(PhantomData<M>);

impl<'de, M> Visitor<'de> for UniqueVisitor<M>
where
    M: NamedMap,
    M::Value: Deserialize<'de>,
{
    type Value = Unique<M>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        // The words of serde's own map visitors, which these maps used before.
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unique<M>, A::Error> {
        let mut out = M::default();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<M::Value>()?;
            if out.insert(key, value).is_some() {
                return Err(de::Error::custom("duplicate key in a mapping"));
            }
        }
        Ok(Unique(out))
    }
}

/// For `#[serde(deserialize_with)]` on a plain map field.
pub fn map<'de, D, M>(deserializer: D) -> Result<M, D::Error>
where
    D: Deserializer<'de>,
    M: NamedMap,
    M::Value: Deserialize<'de>,
{
    Unique::<M>::deserialize(deserializer).map(|u| u.0)
}

/// For `#[serde(deserialize_with)]` on a located map field.
pub fn spanned_map<'de, D, M>(deserializer: D) -> Result<Sp<M>, D::Error>
where
    D: Deserializer<'de>,
    M: NamedMap,
    M::Value: Deserialize<'de>,
{
    let sp = Sp::<Unique<M>>::deserialize(deserializer)?;
    Ok(Sp {
        value: sp.value.0,
        loc: sp.loc,
    })
}
