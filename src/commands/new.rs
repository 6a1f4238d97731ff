//! `learn-registry new ID`: write a lesson to start from. It passes lint as written, uses the shared
//! `username` variable, and shows one step with a check, one with a quiz.

use std::path::Path;

use crate::exit;

const TEMPLATE: &str = r#"# yaml-language-server: $schema=https://learn-registry.invalid/lesson.schema.json
# A lesson for learn-registry. Check it with `learn-registry lint FILE`, prove it solvable with
# `learn-registry test-lesson ID`, and see every field with `learn-registry schema`.
id: __ID__
title: __TITLE__
summary: Tag the sample image with your name, then answer a question about tags.
requires: []
variables:
  username:
    prompt: Your registry username
    pattern: "^[a-z0-9]{4,30}$"
    help: 4 to 30 lowercase letters and digits
  repository:
    default: "{{ registry_prefix }}{{ username }}/python-canvas-client"
setup:
  - build_image:
      tag: my-app:latest
      files:
        Dockerfile: "FROM scratch\nCOPY hello.txt /\n"
        hello.txt: "hello\n"
steps:
  - id: tag
    title: Give the image your name
    body: |
      `docker tag` gives an existing image one more name. Nothing is uploaded yet.
    commands:
      - docker tag my-app:latest {{ repository }}:1.0
    checks:
      - image_same: { image: "{{ repository }}:1.0", as: "my-app:latest" }
    hints:
      - "The format is `docker tag SOURCE[:TAG] TARGET[:TAG]`."
    solution: docker tag my-app:latest {{ repository }}:1.0
  - id: tags-are-versions
    title: What a tag is for
    quiz:
      question: What does the `1.0` in `{{ repository }}:1.0` name?
      choices:
        - A version of the image
        - The registry to push to
      answer: A version of the image
      why: The part after `:` is the tag; a repository holds many tags, often one a version.
"#;

pub fn run(id: &str, dir: &Path, force: bool) -> miette::Result<u8> {
    let valid = regex::Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*$").expect("a valid pattern");
    if !valid.is_match(id) {
        eprintln!(
            "error: lesson id `{id}` is not lowercase words joined by `-` (for example `tag-an-image`)"
        );
        return Ok(exit::USAGE);
    }
    let path = dir.join(format!("{id}.yaml"));
    if path.exists() && !force {
        eprintln!(
            "error: `{}` already exists; pass `--force` to overwrite it",
            path.display()
        );
        return Ok(exit::USAGE);
    }
    let title = id.replace('-', " ");
    let title = title[..1].to_uppercase() + &title[1..];
    let text = TEMPLATE.replace("__ID__", id).replace("__TITLE__", &title);
    std::fs::create_dir_all(dir)
        .map_err(|e| miette::miette!("cannot create `{}`: {e}", dir.display()))?;
    std::fs::write(&path, text)
        .map_err(|e| miette::miette!("cannot write `{}`: {e}", path.display()))?;
    println!("{}", path.display());
    eprintln!(
        "wrote `{}`; next: `learn-registry lint {}`",
        path.display(),
        path.display()
    );
    Ok(exit::OK)
}
