import * as fs from 'fs';
import * as path from 'path';
import { Component, Project, SampleFile } from 'projen';
import { ContainerPolicy, OperatorJson } from './operator-json';
import { CargoManifest } from '../cargo/cargo-manifest';
import { SCAFFOLD_VERSION } from '../core/names';
import { checkOptionNames } from '../core/option-names';
import { OperatorPlan } from '../plan/operator-plan';

/** Options for `OperatorManifest`. */
export interface OperatorManifestOptions {
  /**
   * The lowercase image name without tag (`ghcr.io/tercen/ggrs_plot_operator`).
   */
  readonly imageName: string;

  /**
   * Display name in Tercen's library.
   * @default - the project name
   */
  readonly displayName?: string;

  /**
   * One sentence saying what the operator does.
   * @default "A Tercen operator written in Rust."
   */
  readonly description?: string;

  /**
   * The repository URL, written to `urls`.
   * @default - none
   */
  readonly repositoryUrl?: string;

  /**
   * Library tags.
   * @default []
   */
  readonly tags?: string[];

  /**
   * Authors.
   * @default []
   */
  readonly authors?: string[];

  /**
   * How `container` names the image.
   * @default ContainerPolicy.EXACT_PIN
   */
  readonly containerPolicy?: ContainerPolicy;

  /**
   * The operator version: the Cargo package version, and the container tag under EXACT_PIN.
   * @default - the `[package].version` of the project's Cargo.toml, "0.1.0" for a new operator
   */
  readonly version?: string;
}

/**
 * operator.json, the Tercen operator manifest: scaffolded once (then the user's), and validated
 * at every synth against the image this project builds, so a wrong property kind or a
 * `container` that names another image fails in `npx projen`, not in Tercen.
 */
export class OperatorManifest extends Component {
  /** Returns the `OperatorManifest` of a project, or undefined. */
  public static of(project: Project): OperatorManifest | undefined {
    return project.components.find((c): c is OperatorManifest => c instanceof OperatorManifest);
  }

  /** The container policy. */
  public readonly containerPolicy: ContainerPolicy;
  /** The image name. */
  public readonly imageName: string;

  private readonly options: OperatorManifestOptions;

  constructor(project: Project, options: OperatorManifestOptions) {
    checkOptionNames(options, 'OperatorManifestOptions', 'OperatorManifest');
    super(project);
    this.options = options;
    this.containerPolicy = options.containerPolicy ?? ContainerPolicy.EXACT_PIN;
    this.imageName = options.imageName;
    // Release tags check operator.json's container tag when it pins the version.
    OperatorPlan.of(project).setManifest({ pinsVersion: this.containerPolicy === ContainerPolicy.EXACT_PIN });
    // Rendering validates the options now, while .projenrc.ts runs.
    const scaffold = OperatorJson.render({
      name: options.displayName ?? project.name,
      description: options.description,
      tags: options.tags,
      authors: options.authors,
      repositoryUrl: options.repositoryUrl,
      imageName: options.imageName,
      containerPolicy: this.containerPolicy,
      version: this.currentVersion(),
      versionSource: this.versionSource(),
    });
    new SampleFile(project, OperatorJson.FILE_NAME, { contents: scaffold });
  }

  /** The `container` value operator.json must carry for a version. */
  public expectedContainer(version?: string): string {
    return OperatorJson.expectedContainer(this.imageName, this.containerPolicy, version ?? this.currentVersion());
  }

  /** The version at synth: the option, else Cargo.toml's, else 0.1.0. */
  public currentVersion(): string {
    return this.options.version ?? CargoManifest.of(this.project)?.packageVersion ?? SCAFFOLD_VERSION;
  }

  /** Where the version comes from, for errors: the option, or Cargo.toml and the line of `version`. */
  public versionSource(): string {
    const cargo = CargoManifest.of(this.project);
    if (this.options.version !== undefined || !cargo || !cargo.package.exists) {
      return 'version';
    }
    const line = cargo.package.versionLine;
    // An inherited version lives in the workspace root's [workspace.package].
    return line > 0 && cargo.package.version === cargo.package._manifest.package?.version
      ? `${cargo.package.manifestFile}:${line}` : cargo.package.profileManifestFile;
  }

  /** Validates an existing operator.json before anything is written. */
  public preSynthesize(): void {
    const file = path.join(this.project.outdir, OperatorJson.FILE_NAME);
    if (!fs.existsSync(file)) {
      return; // the scaffold is written by this synth and is valid by construction
    }
    OperatorJson.assertValid(fs.readFileSync(file, 'utf-8'), OperatorJson.FILE_NAME, {
      imageName: this.imageName,
      policy: this.containerPolicy,
      version: this.containerPolicy === ContainerPolicy.EXACT_PIN ? this.currentVersion() : undefined,
      versionSource: this.versionSource(),
    });
  }
}
