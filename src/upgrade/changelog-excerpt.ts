/**
 * The changelog entries of a package between two versions, for the body of the upgrade pull
 * request. Reads the CHANGELOG.md that this package ships (one section per release, newest
 * first, headed `## [X.Y.Z](compare-url) (date)` or `## X.Y.Z (date)`, as commit-and-tag-version
 * writes them, `###` for patch releases).
 */

/** One release section of a changelog. */
export interface ChangelogSection {
  /** The version of the heading, e.g. "0.2.0". */
  readonly version: string;
  /** The section, heading included, trimmed. */
  readonly text: string;
}

const HEADING = /^#{1,3} +\[?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\]?/;

/** The release sections of a changelog, in file order. */
export function changelogSections(changelog: string): ChangelogSection[] {
  const sections: { version: string; lines: string[] }[] = [];
  for (const line of changelog.split(/\r?\n/)) {
    const heading = HEADING.exec(line);
    if (heading) {
      sections.push({ version: heading[1], lines: [line] });
    } else if (sections.length > 0) {
      sections[sections.length - 1].lines.push(line);
    }
  }
  return sections.map((s) => ({ version: s.version, text: s.lines.join('\n').trim() }));
}

/** Compares two semantic versions (pre-releases sort before their release). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split('-', 2);
    return { parts: core.split('.').map(Number), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    if (x.parts[i] !== y.parts[i]) return x.parts[i] - y.parts[i];
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/**
 * The sections of versions after `from` up to and including `to`, newest first; an empty list
 * when the changelog has none (say so in the pull request rather than invent entries).
 */
export function changelogExcerpt(changelog: string, from: string, to: string): ChangelogSection[] {
  return changelogSections(changelog)
    .filter((s) => compareVersions(s.version, from) > 0 && compareVersions(s.version, to) <= 0)
    .sort((a, b) => compareVersions(b.version, a.version));
}
