/**
 * Repositories to adopt: the two real ggrs_plot_operator snapshots and three shapes built here,
 * each as a fresh git repository with one commit and an `origin` remote, plus files that its
 * `.gitignore` ignores (so a test can prove they stay ignored).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir, writeFiles } from '../support/synth';

export const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'shared', 'fixtures', 'operators');

export interface AdoptedRepository {
  readonly name: string;
  readonly dir: string;
  readonly remote: string;
  /** Files that exist and that the old .gitignore ignores. */
  readonly ignored: string[];
}

export function git(dir: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@localhost', ...args], { cwd: dir, encoding: 'utf-8' });
}

/** Copies `source` (or writes `files`) into a new git repository with one commit. */
export function makeRepository(name: string, remote: string, content: { source?: string; files?: { [file: string]: string } },
  ignored: string[]): AdoptedRepository {
  const dir = path.join(tempDir(`pro-adopt-${name.replace(/[^a-z0-9]/gi, '')}-`), name);
  fs.mkdirSync(dir, { recursive: true });
  if (content.source) fs.cpSync(content.source, dir, { recursive: true });
  if (content.files) writeFiles(dir, content.files);
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['remote', 'add', 'origin', remote]);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'initial']);
  // Written after the commit: local files the old .gitignore keeps out of git.
  writeFiles(dir, Object.fromEntries(ignored.map((file) => [file, 'local\n'])));
  return { name, dir, remote, ignored };
}

export function ggrs(): AdoptedRepository {
  return makeRepository('ggrs_plot_operator', 'https://github.com/tercen/ggrs_plot_operator.git', { source: path.join(FIXTURES, 'ggrs_plot_operator') },
    ['operator_config.json', 'workflow.json', 'src/working_step.json', 'src/computed_schema.json', 'debug/out.txt', 'x.pdb']);
}

export function ggrsPreSdk(): AdoptedRepository {
  return makeRepository('ggrs_plot_operator', 'git@github.com:tercen/ggrs_plot_operator.git', { source: path.join(FIXTURES, 'ggrs_plot_operator@pre-sdk') },
    ['operator_config.json', 'workflow.json', 'target/debug/x']);
}

const GITIGNORE = '/target\n.env.local\n*.log\n';

/** A plain Rust HTTP service (std only, no jemalloc): hand-kept multi-stage Dockerfile, GHCR workflow. */
export function httpService(): AdoptedRepository {
  return makeRepository('hello_http', 'https://github.com/acme/hello_http.git', {
    files: {
      'Cargo.toml': [
        '[package]',
        'name = "hello_http"',
        'version = "1.4.0"',
        'edition = "2021"',
        'description = "Says hello over HTTP"',
        '',
        '# Our own: fast code, small binary.',
        '[profile.release]',
        'opt-level = 3',
        'lto = "thin"',
        '',
      ].join('\n'),
      'src/main.rs': [
        'use std::io::{Read, Write};',
        'use std::net::TcpListener;',
        '',
        'fn main() {',
        '    if std::env::args().any(|a| a == "--version") {',
        '        println!("hello_http {}", env!("CARGO_PKG_VERSION"));',
        '        return;',
        '    }',
        '    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());',
        '    let listener = TcpListener::bind(format!("0.0.0.0:{port}")).expect("bind");',
        '    for stream in listener.incoming().flatten() {',
        '        let mut stream = stream;',
        '        let mut buf = [0u8; 1024];',
        '        let _ = stream.read(&mut buf);',
        '        let _ = stream.write_all(b"HTTP/1.1 200 OK\\r\\ncontent-length: 6\\r\\n\\r\\nhello\\n");',
        '    }',
        '}',
        '',
      ].join('\n'),
      'Dockerfile': [
        'FROM rust:1.75-slim-bookworm AS build',
        'RUN apt-get update && apt-get install -y pkg-config && rm -rf /var/lib/apt/lists/*',
        'WORKDIR /src',
        'COPY Cargo.toml ./',
        'COPY src ./src',
        'RUN cargo build --release',
        '',
        'FROM debian:bookworm-slim',
        'RUN apt-get update && apt-get install -y ca-certificates curl && rm -rf /var/lib/apt/lists/*',
        'COPY --from=build /src/target/release/hello_http /usr/local/bin/hello_http',
        'ENV PORT=8080',
        'EXPOSE 8080',
        'USER 10001',
        'ENTRYPOINT ["/usr/local/bin/hello_http"]',
        '',
      ].join('\n'),
      '.dockerignore': 'target\n.git\n*.log\n',
      '.gitignore': GITIGNORE,
      '.github/workflows/ci.yml': [
        'name: ci',
        'on:',
        '  push:',
        '    branches: [main]',
        '    tags: ["v*"]',
        '  pull_request: {}',
        'jobs:',
        '  image:',
        '    runs-on: ubuntu-latest',
        '    permissions:',
        '      contents: read',
        '      packages: write',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - uses: docker/login-action@v3',
        '        with:',
        '          registry: ghcr.io',
        '          username: ${{ github.actor }}',
        '          password: ${{ secrets.GITHUB_TOKEN }}',
        '      - id: meta',
        '        uses: docker/metadata-action@v5',
        '        with:',
        '          images: ghcr.io/acme/hello_http',
        '          tags: |',
        '            type=semver,pattern={{version}}',
        '            type=ref,event=branch',
        '      - uses: docker/build-push-action@v6',
        '        with:',
        '          push: ${{ github.event_name != \'pull_request\' }}',
        '          tags: ${{ steps.meta.outputs.tags }}',
        '',
      ].join('\n'),
    },
  }, ['.env.local', 'server.log', 'target/release/hello_http']);
}

/** A repository whose release.yml runs on the same X.Y.Z tags and pushes the same image. */
export function releaseWorkflow(): AdoptedRepository {
  return makeRepository('tagged_operator', 'https://github.com/acme/tagged_operator.git', {
    files: {
      'Cargo.toml': '[package]\nname = "tagged_operator"\nversion = "0.3.0"\nedition = "2021"\n\n[dependencies]\n',
      'src/main.rs': 'fn main() {\n    println!("tagged");\n}\n',
      'operator.json': JSON.stringify({
        ...JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ggrs_plot_operator', 'operator.json'), 'utf-8')),
        name: 'Tagged',
        urls: ['https://github.com/acme/tagged_operator'],
        container: 'ghcr.io/acme/tagged_operator:0.3.0',
      }, null, 2) + '\n',
      'Dockerfile': 'FROM rust:1.80-slim-bookworm AS builder\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nFROM debian:bookworm-slim\nCOPY --from=builder /app/target/release/tagged_operator /usr/local/bin/tagged_operator\nENTRYPOINT ["/usr/local/bin/tagged_operator"]\n',
      '.gitignore': '/target\n.env.local\n',
      '.github/workflows/release.yml': [
        'name: release',
        'on:',
        '  push:',
        '    tags:',
        '      - "[0-9]+.[0-9]+.[0-9]+"',
        'jobs:',
        '  release:',
        '    runs-on: ubuntu-latest',
        '    permissions:',
        '      contents: write',
        '      packages: write',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - run: |',
        '          echo "${{ secrets.GITHUB_TOKEN }}" | docker login ghcr.io -u "${{ github.actor }}" --password-stdin',
        '          docker build -t "ghcr.io/acme/tagged_operator:${GITHUB_REF_NAME}" .',
        '          docker push "ghcr.io/acme/tagged_operator:${GITHUB_REF_NAME}"',
        '      - run: gh release create "${GITHUB_REF_NAME}" --generate-notes',
        '        env:',
        '          GH_TOKEN: ${{ secrets.RELEASE_TOKEN }}',
        '',
      ].join('\n'),
    },
  }, ['.env.local']);
}

/** A repository whose only binary is `src/bin/worker.rs` (no src/main.rs). */
export function otherBinary(): AdoptedRepository {
  return makeRepository('acme_jobs', 'https://github.com/acme/acme_jobs.git', {
    files: {
      'Cargo.toml': '[package]\nname = "acme_jobs"\nversion = "2.0.1"\nedition = "2021"\n\n[[bin]]\nname = "worker"\npath = "src/bin/worker.rs"\n',
      'src/bin/worker.rs': 'fn main() {\n    println!("working");\n}\n',
      'Dockerfile': 'FROM rust:1.85-slim-bookworm AS builder\nWORKDIR /app\nCOPY Cargo.toml ./\nCOPY src ./src\nRUN cargo build --release --bin worker\nFROM debian:bookworm-slim\nCOPY --from=builder /app/target/release/worker /usr/local/bin/worker\nENTRYPOINT ["/usr/local/bin/worker"]\n',
      '.gitignore': '/target\nscratch/\n',
    },
  }, ['scratch/notes.txt']);
}
