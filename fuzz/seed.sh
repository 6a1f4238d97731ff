#!/bin/sh
# Seed the fuzz corpus with every broken fixture and every shipped lesson, and each multi-file fixture
# as one input (files joined by the `#8<` line the target splits on). Run from the repository root.
set -eu
corpus=fuzz/corpus/load_lesson
mkdir -p "$corpus"
for f in tests/fixtures/broken/*.yaml lessons/*/*.yaml; do
    cp "$f" "$corpus/seed-$(basename "$(dirname "$f")")-$(basename "$f")"
done
for d in tests/fixtures/broken/*/; do
    out="$corpus/seed-$(basename "$d").yaml"
    : > "$out"
    sep=""
    for f in "$d"*.yaml; do
        printf '%b' "$sep" >> "$out"
        cat "$f" >> "$out"
        sep='\n#8<\n'
    done
done
echo "$(ls "$corpus" | wc -l) inputs in $corpus"
