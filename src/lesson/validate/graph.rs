//! Dependency graphs: variables whose defaults use other variables, lessons that require others.
//! Both must be free of loops, and lint finds every loop once, in time linear in the graph, since a
//! hostile file may declare tens of thousands of variables.

use std::collections::{BTreeMap, BTreeSet};

use super::{Flow, Lint, Parsed, at, variables};
use crate::diagnostic::Diagnostic;

/// Variables whose defaults refer to each other in a loop can never get a value.
pub(super) fn variable_cycles(lint: &mut Lint<'_>) -> Flow {
    let lesson = lint.lesson;
    let deps = variables::variable_deps(lesson);
    // Each cycle is reported once, at its smallest member.
    for cycle in find_cycles(&deps) {
        let start = cycle[0];
        let d = lint
            .at_key(
                &lesson.variables[start],
                start,
                "variable-cycle",
                format!(
                    "variables refer to each other in a loop: {}",
                    loop_text(&cycle)
                ),
            )
            .help("one of them needs a `prompt` or a plain `default`");
        lint.push(d)?;
    }
    Flow::Continue(())
}

/// Lessons that require each other in a loop can never be started.
pub(super) fn requires_cycles(ids: &BTreeMap<&str, &Parsed<'_>>) -> Vec<Diagnostic> {
    let deps: BTreeMap<&str, Vec<&str>> = ids
        .iter()
        .map(|(id, p)| {
            (
                *id,
                p.lesson
                    .requires
                    .iter()
                    .map(|r| r.as_str())
                    .filter(|r| r != id)
                    .collect(),
            )
        })
        .collect();
    let mut out = Vec::new();
    for cycle in find_cycles(&deps) {
        let p = ids[cycle[0]];
        // Point at the link of the loop that leaves this lesson.
        let node = p
            .lesson
            .requires
            .iter()
            .find(|r| r.as_str() == cycle[1])
            .unwrap_or(&p.lesson.id);
        out.push(
            at(
                p.file,
                node,
                "requires-cycle",
                format!(
                    "lessons require each other in a loop: {}",
                    loop_text(&cycle)
                ),
            )
            .help("a lesson can only require lessons that come before it"),
        );
    }
    out
}

/// `a → b → a`; a long loop is cut short, or the message would be as long as the file.
fn loop_text(cycle: &[&str]) -> String {
    const SHOWN: usize = 6;
    if cycle.len() <= SHOWN + 2 {
        return cycle.join(" → ");
    }
    format!(
        "{} → … → {} ({} in all)",
        cycle[..SHOWN].join(" → "),
        cycle[cycle.len() - 1],
        cycle.len() - 1
    )
}

/// The nodes of a dependency graph in an order where each comes after those it depends on, and the
/// nodes that have no such place: those on a loop, or depending on one. Edges to unknown nodes are
/// ignored (undefined names are reported on their own). Linear in the size of the graph, since a
/// hostile file may declare tens of thousands of variables.
pub(super) fn topological<'a>(
    deps: &BTreeMap<&'a str, Vec<&'a str>>,
) -> (Vec<&'a str>, BTreeSet<&'a str>) {
    let mut pending: BTreeMap<&str, usize> = BTreeMap::new();
    let mut dependents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (node, ds) in deps {
        pending.entry(node).or_default();
        for d in ds.iter().filter(|d| deps.contains_key(*d)) {
            *pending.entry(node).or_default() += 1;
            dependents.entry(d).or_default().push(node);
        }
    }
    let mut ready: Vec<&str> = pending
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(node, _)| *node)
        .collect();
    let mut order = Vec::new();
    while let Some(node) = ready.pop() {
        order.push(node);
        for dependent in dependents.get(node).into_iter().flatten() {
            if let Some(n) = pending.get_mut(dependent) {
                *n -= 1;
                if *n == 0 {
                    ready.push(dependent);
                }
            }
        }
    }
    let stuck = pending
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(node, _)| node)
        .collect();
    (order, stuck)
}

/// Every loop of a dependency graph, each as a path from its smallest member back to it. A node that
/// cannot be ordered always depends on another such node, so following those from each in turn must
/// come back to the current path (a loop) or to an earlier walk (a loop already found).
fn find_cycles<'a>(deps: &BTreeMap<&'a str, Vec<&'a str>>) -> Vec<Vec<&'a str>> {
    let (_, stuck) = topological(deps);
    let mut walked: BTreeMap<&str, usize> = BTreeMap::new();
    let mut cycles = Vec::new();
    for (walk, start) in stuck.iter().enumerate() {
        let mut path: Vec<&str> = Vec::new();
        let mut node = *start;
        loop {
            if let Some(w) = walked.get(node) {
                if *w == walk
                    && let Some(from) = path.iter().position(|n| *n == node)
                {
                    let mut cycle = path[from..].to_vec();
                    let smallest = (0..cycle.len()).min_by_key(|i| cycle[*i]).unwrap_or(0);
                    cycle.rotate_left(smallest);
                    cycle.push(cycle[0]);
                    cycles.push(cycle);
                }
                break;
            }
            walked.insert(node, walk);
            path.push(node);
            match deps[node].iter().find(|d| stuck.contains(*d)) {
                Some(next) => node = next,
                None => break,
            }
        }
    }
    cycles.sort();
    cycles
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph<'a>(edges: &[(&'a str, &[&'a str])]) -> BTreeMap<&'a str, Vec<&'a str>> {
        edges.iter().map(|(n, ds)| (*n, ds.to_vec())).collect()
    }

    #[test]
    fn cycles_are_found_once_from_their_smallest_member() {
        let deps = graph(&[
            ("c", &["a"]),
            ("a", &["b"]),
            ("b", &["c"]),
            ("d", &["a"]),
            ("e", &["e"]),
            ("f", &["undeclared"]),
        ]);
        assert_eq!(
            find_cycles(&deps),
            vec![vec!["a", "b", "c", "a"], vec!["e", "e"]]
        );
    }

    #[test]
    fn a_long_chain_is_ordered_without_recursion() {
        let names: Vec<String> = (0..100_000).map(|i| format!("v{i}")).collect();
        let deps: BTreeMap<&str, Vec<&str>> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    n.as_str(),
                    names.get(i + 1).map(String::as_str).into_iter().collect(),
                )
            })
            .collect();
        let (order, stuck) = topological(&deps);
        assert!(stuck.is_empty());
        assert_eq!(order.first(), Some(&"v99999"));
        assert!(find_cycles(&deps).is_empty());
    }
}
